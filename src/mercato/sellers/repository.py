from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.sellers.models import Seller


async def get_by_owner(session: AsyncSession, owner_user_id: uuid.UUID) -> Seller | None:
    statement = select(Seller).where(Seller.owner_user_id == owner_user_id)
    return (await session.execute(statement)).scalar_one_or_none()
