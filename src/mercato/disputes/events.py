"""Events the disputes domain publishes after its commits (governance counts disputes in the
seller's defect rate). Subscribers must be idempotent (key on ``dispute_id`` / ``return_id``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DisputeOpened:
    dispute_id: uuid.UUID
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    seller_id: uuid.UUID
    buyer_id: uuid.UUID
    reason: str
    opened_at: datetime


@dataclass(frozen=True)
class DisputeAnswered:
    """The seller answered: ``answer`` is refund, replacement or rejected."""

    dispute_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    answer: str
    answered_at: datetime


@dataclass(frozen=True)
class DisputeEscalated:
    """The dispute went to the platform: by the buyer, or by the sweep (``automatic``) when the
    seller did not answer in time."""

    dispute_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    automatic: bool
    escalated_at: datetime


@dataclass(frozen=True)
class DisputeDecided:
    """An admin decided: refund_full, refund_partial or release_to_seller."""

    dispute_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    outcome: str
    currency: str
    refunded_minor: int
    decided_at: datetime


@dataclass(frozen=True)
class DisputeClosed:
    """Closed between the parties: resolved on the seller's answer, or withdrawn by the buyer."""

    dispute_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    status: str
    outcome: str
    refunded_minor: int
    closed_at: datetime


@dataclass(frozen=True)
class ReturnRequested:
    return_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    quantity: int
    requested_at: datetime


@dataclass(frozen=True)
class ReturnRefunded:
    return_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    currency: str
    refunded_minor: int
    refunded_at: datetime


@dataclass(frozen=True)
class ReturnExpired:
    """An approved return was not received within the ship-back time: nothing is refunded,
    and the buyer may open a dispute while the dispute window lasts."""

    return_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    expired_at: datetime
