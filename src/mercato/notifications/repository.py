from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.repository import Slice, newest_first
from mercato.notifications.models import Mail


async def get_mail(session: AsyncSession, mail_id: uuid.UUID) -> Mail | None:
    return await session.get(Mail, mail_id)


async def list_mail(
    session: AsyncSession,
    *,
    to_address: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Slice[Mail]:
    statement = select(Mail)
    if to_address:
        statement = statement.where(Mail.to_address == to_address)
    return await newest_first(session, statement, Mail.id, cursor=cursor, limit=limit)


async def list_queued_mail_ids(
    session: AsyncSession, *, created_before: datetime, limit: int
) -> list[uuid.UUID]:
    """Mail still waiting for delivery (a failed attempt, or a crash before the job ran)."""
    statement = (
        select(Mail.id)
        .where(Mail.status == "queued", Mail.created_at < created_before)
        .order_by(Mail.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())
