"""Request and response models of the payouts domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Interval(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    MANUAL = "manual"


class PayoutStatus(StrEnum):
    PENDING = "pending"
    IN_TRANSIT = "in_transit"
    PAID = "paid"
    FAILED = "failed"
    CANCELED = "canceled"


class Trigger(StrEnum):
    SCHEDULED = "scheduled"
    SELLER = "seller"
    ADMIN = "admin"
    RETRY = "retry"


STATUS_LABELS = {
    PayoutStatus.PENDING: "Pending",
    PayoutStatus.IN_TRANSIT: "In transit",
    PayoutStatus.PAID: "Paid",
    PayoutStatus.FAILED: "Failed (money returned)",
    PayoutStatus.CANCELED: "Canceled",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScheduleIn(StrictModel):
    interval: Interval
    weekly_anchor: int | None = Field(default=None, ge=0, le=6, description="0 = Monday")
    monthly_anchor: int | None = Field(
        default=None, ge=1, le=31, description="29-31 fall back to the month's last day"
    )
    # Minimum payout per currency, in minor units.
    minimums: dict[str, int] = Field(default_factory=dict, max_length=20)


class ScheduleOut(BaseModel):
    seller_id: uuid.UUID
    interval: Interval
    weekly_anchor: int | None
    monthly_anchor: int | None
    minimums: dict[str, int]
    is_default: bool
    description: str


class PayoutRequestIn(StrictModel):
    amount_minor: int = Field(description="In the currency's minor units; at most the available")
    currency: str = Field(min_length=3, max_length=3)


class AdminPayoutIn(PayoutRequestIn):
    seller_id: uuid.UUID


class PayoutOut(BaseModel):
    id: uuid.UUID
    seller_id: uuid.UUID
    # The shop's display name, in staff listings (None when the seller has no storefront).
    seller_name: str | None = None
    currency: str
    amount_minor: int
    status: PayoutStatus
    trigger: Trigger
    provider: str
    destination_last4: str
    provider_payout_id: str | None
    failure_code: str | None
    failure_message: str | None
    retry_of_id: uuid.UUID | None
    created_at: datetime
    sent_at: datetime | None
    paid_at: datetime | None
    failed_at: datetime | None
    canceled_at: datetime | None


class StatementLine(BaseModel):
    """One journal that moved the seller's available balance."""

    journal_id: uuid.UUID
    created_at: datetime
    kind: str
    reference: str
    description: str
    amount_minor: int
    # For order releases and refunds: the sale (or refund, negative) and the commission the
    # seller paid (negative) or got back; ``amount_minor`` is what reached the balance.
    gross_minor: int | None = None
    commission_minor: int | None = None


class StatementOut(BaseModel):
    """What happened to the seller's available balance between the previous payout and this
    one: ``opening + sum(lines) == closing == payout amount + carried_forward``."""

    payout: PayoutOut
    previous_payout_id: uuid.UUID | None
    opening_minor: int
    lines: list[StatementLine]
    closing_minor: int
    carried_forward_minor: int


class BalancePoint(BaseModel):
    at: datetime
    available_minor: int


class BalanceOverview(BaseModel):
    seller_id: uuid.UUID
    currency: str
    in_escrow_minor: int
    frozen_minor: int
    pending_minor: int
    available_minor: int
    in_transit_minor: int
    debt_minor: int
    recent: list[StatementLine]
    history: list[BalancePoint]
    blocked_reason: str | None
