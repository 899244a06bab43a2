"""The sellers' response times to disputes: when each dispute opened and when the seller first
answered it (replies to buyers' order messages are read from the orders domain). Fed by the
disputes events; both writes are idempotent and commute."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.performance import repository
from mercato.performance.models import DisputeResponse


async def record_dispute_opened(
    session: AsyncSession, dispute_id: uuid.UUID, seller_id: uuid.UUID, opened_at: datetime
) -> bool:
    """Start timing a dispute (False when it already is)."""
    if await repository.get_dispute_response(session, dispute_id) is not None:
        return False
    session.add(DisputeResponse(dispute_id=dispute_id, seller_id=seller_id, opened_at=opened_at))
    await session.flush()
    return True


async def record_dispute_answered(
    session: AsyncSession,
    dispute_id: uuid.UUID,
    seller_id: uuid.UUID,
    answered_at: datetime,
    opened_at: datetime | None = None,
) -> bool:
    """The seller's first answer (a later one changes nothing)."""
    row = await repository.get_dispute_response(session, dispute_id)
    if row is None:
        if opened_at is None:
            return False
        row = DisputeResponse(dispute_id=dispute_id, seller_id=seller_id, opened_at=opened_at)
        session.add(row)
    if row.answered_at is not None and row.answered_at <= answered_at:
        return False
    row.answered_at = answered_at
    await session.flush()
    return True
