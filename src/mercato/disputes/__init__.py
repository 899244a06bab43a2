"""Disputes and returns: buyer protection on an order line (frozen escrow, the seller's answer,
escalation to the platform, the admin's decision) and returns within the return window.

Public surface for other domains: :func:`disputed_order_ids` and the events."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.disputes.events import (
    DisputeAnswered,
    DisputeClosed,
    DisputeDecided,
    DisputeEscalated,
    DisputeOpened,
    ReturnRefunded,
    ReturnRequested,
)


async def disputed_order_ids(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime
) -> set[uuid.UUID]:
    """The seller's orders with a dispute opened at or after ``since``."""
    from mercato.disputes.service import disputed_order_ids as read

    return await read(session, seller_id, since)


__all__ = [
    "DisputeAnswered",
    "DisputeClosed",
    "DisputeDecided",
    "DisputeEscalated",
    "DisputeOpened",
    "ReturnRefunded",
    "ReturnRequested",
    "disputed_order_ids",
]
