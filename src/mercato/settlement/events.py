"""Events the settlement domain publishes after its commits (payouts and statements follow
them; the audit log records the sellers' hold periods). Subscribers must be idempotent (key on
``order_id`` / ``refund_id`` / ``seller_id`` and ``at``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class EscrowReleased:
    """The order's remaining escrow went to the seller (net) and the platform (fee)."""

    order_id: uuid.UUID
    seller_id: uuid.UUID
    currency: str
    gross_minor: int
    fee_minor: int
    journal_id: uuid.UUID
    released_at: datetime


@dataclass(frozen=True)
class RefundIssued:
    """Money went back to the buyer of an order, before or after its release."""

    refund_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    buyer_id: uuid.UUID
    currency: str
    amount_minor: int
    fee_share_minor: int
    phase: str


@dataclass(frozen=True)
class SellerHoldSet:
    """An admin set a seller's own hold period (the audit log records who, when and why)."""

    seller_id: uuid.UUID
    hold_days: int
    previous_days: int | None
    reason: str
    actor_user_id: uuid.UUID
    at: datetime
