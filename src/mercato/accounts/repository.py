"""All SQL of the accounts domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.models import Address, BrowserSession, OneTimeToken, RecoveryCode, User
from mercato.kit.repository import Slice, newest_first


async def get_user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email))
    return result.scalar_one_or_none()


async def list_users(
    session: AsyncSession,
    *,
    query: str = "",
    role: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Slice[User]:
    statement = select(User)
    if query:
        statement = statement.where(User.email.contains(query.lower(), autoescape=True))
    if role:
        statement = statement.where(User.role == role)
    return await newest_first(session, statement, User.id, cursor=cursor, limit=limit)


async def count_users_by_role(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(User.role, func.count()).group_by(User.role))
    # Not dict(rows): a Result has .keys(), so dict() would take it for a mapping.
    return dict(rows.all())


async def get_token_by_hash(
    session: AsyncSession, token_hash: str, purpose: str
) -> OneTimeToken | None:
    statement = select(OneTimeToken).where(
        OneTimeToken.token_hash == token_hash, OneTimeToken.purpose == purpose
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def consume_token(session: AsyncSession, token_id: uuid.UUID, at: datetime) -> bool:
    """Mark a token used; False when another request used it first (single use under races)."""
    result = await session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.id == token_id, OneTimeToken.used_at.is_(None))
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def expire_tokens(
    session: AsyncSession, user_id: uuid.UUID, purposes: tuple[str, ...], at: datetime
) -> None:
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose.in_(purposes),
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )


async def get_session_by_hash(session: AsyncSession, token_hash: str) -> BrowserSession | None:
    statement = select(BrowserSession).where(BrowserSession.token_hash == token_hash)
    return (await session.execute(statement)).scalar_one_or_none()


async def revoke_sessions(session: AsyncSession, user_id: uuid.UUID, at: datetime) -> None:
    await session.execute(
        update(BrowserSession)
        .where(BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None))
        .values(revoked_at=at)
        .execution_options(synchronize_session=False)
    )


async def list_recovery_codes(session: AsyncSession, user_id: uuid.UUID) -> list[RecoveryCode]:
    statement = select(RecoveryCode).where(RecoveryCode.user_id == user_id)
    return list((await session.execute(statement)).scalars())


async def delete_recovery_codes(session: AsyncSession, user_id: uuid.UUID) -> None:
    for code in await list_recovery_codes(session, user_id):
        await session.delete(code)


async def list_addresses(session: AsyncSession, user_id: uuid.UUID) -> list[Address]:
    statement = (
        select(Address)
        .where(Address.user_id == user_id)
        .order_by(Address.is_default.desc(), Address.id)
    )
    return list((await session.execute(statement)).scalars())


async def get_address(
    session: AsyncSession, user_id: uuid.UUID, address_id: uuid.UUID
) -> Address | None:
    """An address of this user only: someone else's address is simply not found."""
    statement = select(Address).where(Address.id == address_id, Address.user_id == user_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def address_label_taken(
    session: AsyncSession, user_id: uuid.UUID, label: str, except_id: uuid.UUID | None = None
) -> bool:
    statement = select(Address.id).where(Address.user_id == user_id, Address.label == label)
    if except_id is not None:
        statement = statement.where(or_(Address.id != except_id))
    return (await session.execute(statement)).first() is not None
