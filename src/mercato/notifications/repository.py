from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.notifications.models import Mail


async def get_mail(session: AsyncSession, mail_id: uuid.UUID) -> Mail | None:
    return await session.get(Mail, mail_id)


async def list_mail(
    session: AsyncSession,
    *,
    to_address: str | None = None,
    before_id: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Mail]:
    statement = select(Mail).order_by(Mail.id.desc()).limit(limit)
    if to_address:
        statement = statement.where(Mail.to_address == to_address)
    if before_id is not None:
        statement = statement.where(Mail.id < before_id)
    return list((await session.execute(statement)).scalars())
