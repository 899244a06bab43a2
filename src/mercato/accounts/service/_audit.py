"""What accounts writes to the audit log: sign-ins (and failed attempts, with the email tried,
never the password), sign-outs, 2FA on and off, password changes and resets, role and status
changes. Each entry is written in the same unit of work as the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato import audit
from mercato.accounts.models import User
from mercato.kit.auth import Principal, Role


def as_actor(user: User) -> Principal:
    return Principal(user_id=user.id, role=Role(user.role), email=user.email)


async def note(
    session: AsyncSession,
    actor: Principal | User,
    action: str,
    subject: User,
    *,
    ip: str | None = None,
    **detail: Any,
) -> None:
    """Record ``accounts.<action>`` done by ``actor`` on the user ``subject``."""
    await audit.record(
        session,
        actor=as_actor(actor) if isinstance(actor, User) else actor,
        action=f"accounts.{action}",
        subject_type="user",
        subject_id=subject.id,
        detail=detail,
        ip_address=ip,
    )


async def note_failed_sign_in(
    session: AsyncSession, email: str, user: User | None, ip: str, reason: str
) -> None:
    """A refused sign-in: the account tried (if it exists) and why, never the secret sent."""
    actor = as_actor(user) if user else Principal(user_id=None, role=None, email=email)
    await audit.record(
        session,
        actor=actor,
        action="accounts.login_failed",
        subject_type="user",
        subject_id=user.id if user else None,
        detail={"email": email[:254], "reason": reason},
        ip_address=ip,
    )
