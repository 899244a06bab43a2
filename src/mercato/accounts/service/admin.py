"""Operator console use cases: finding users, changing roles, disabling accounts."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts import repository
from mercato.accounts.schemas import UserAdminUpdate, UserOut
from mercato.accounts.service._audit import note
from mercato.accounts.service.profile import user_out
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound
from mercato.kit.pagination import Page


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    query: str = "",
    role: Role | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[UserOut]:
    """Users newest first, filtered by an email fragment and a role; for staff."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    found = await repository.list_users(
        session,
        query=query.strip(),
        role=role.value if role else None,
        cursor=cursor,
        limit=limit,
    )
    return Page[UserOut](items=[user_out(u) for u in found.rows], next_cursor=found.next_cursor)


async def get_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> UserOut:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    user = await repository.get_user_by_id(session, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user_out(user)


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, changes: UserAdminUpdate
) -> UserOut:
    """Change a user's role or disable/enable the account (admins only). Disabling signs the
    user out everywhere. Admins cannot demote or disable themselves, so the platform is never
    left without an admin by accident."""
    admin_id = principal.require_role(Role.ADMIN)
    user = await repository.get_user_by_id(session, user_id)
    if user is None:
        raise NotFound("No such user.")
    if user.id == admin_id and (
        (changes.role is not None and changes.role != Role.ADMIN.value)
        or changes.is_active is False
    ):
        raise Conflict("You cannot demote or disable your own account.")
    if changes.role is not None and changes.role != user.role:
        await note(session, principal, "role_changed", user, old=user.role, new=changes.role)
        user.role = changes.role
    if changes.is_active is not None and changes.is_active != user.is_active:
        user.is_active = changes.is_active
        action = "account_enabled" if changes.is_active else "account_disabled"
        await note(session, principal, action, user)
        if not changes.is_active:
            await repository.revoke_sessions(session, user.id, clock.now())
    await session.flush()
    return user_out(user)


async def count_users_by_role(session: AsyncSession, principal: Principal) -> dict[str, int]:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return await repository.count_users_by_role(session)
