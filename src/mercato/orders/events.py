"""Events the orders domain publishes after its commits. The money domain releases escrow on
``OrderCompleted`` and refunds on ``OrderCanceled``; governance times SLAs from
``OrderStatusChanged``. Subscribers must be idempotent (key on ``order_id`` and status)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OrderPaid:
    order_id: uuid.UUID
    group_id: uuid.UUID
    seller_id: uuid.UUID
    buyer_id: uuid.UUID
    total_minor: int
    currency: str
    escrow_account: str


@dataclass(frozen=True)
class OrderStatusChanged:
    order_id: uuid.UUID
    seller_id: uuid.UUID
    from_status: str | None
    to_status: str
    actor: str  # buyer | seller | admin | system
    at: datetime


@dataclass(frozen=True)
class OrderCompleted:
    """Delivery or service confirmed and the buyer's window passed: escrow may be released."""

    order_id: uuid.UUID
    seller_id: uuid.UUID
    total_minor: int
    currency: str
    escrow_account: str


@dataclass(frozen=True)
class OrderCanceled:
    order_id: uuid.UUID
    seller_id: uuid.UUID
    was_paid: bool  # True: the captured money in escrow is owed back to the buyer
    reason: str | None
    actor: str
