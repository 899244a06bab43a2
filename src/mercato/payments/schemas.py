"""Payments request/response models and the vocabulary shared by service, providers and API."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class PaymentMethod(StrEnum):
    CARD = "card"
    EWALLET = "ewallet"
    BANK_TRANSFER = "bank_transfer"


class PaymentStatus(StrEnum):
    CREATED = "created"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


TERMINAL_STATUSES = frozenset(
    {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELED}
)


class PaymentCreate(BaseModel):
    """What a buyer sends to start a payment; the ``Idempotency-Key`` header is required."""

    model_config = ConfigDict(extra="forbid")

    amount_minor: int = Field(gt=0, le=10**12, description="Amount in minor units (cents).")
    currency: str = Field(min_length=3, max_length=3, pattern="^[A-Z]{3}$")
    method: PaymentMethod
    purpose_reference: str = Field(default="", max_length=200)
    return_url: str | None = Field(
        default=None,
        max_length=2000,
        description="Where the provider sends the buyer back (a path or a URL on this site); "
        "the payment's own status page when omitted.",
    )


class CardOut(BaseModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class PaymentOut(BaseModel):
    id: uuid.UUID
    status: PaymentStatus
    method: PaymentMethod
    provider: str
    amount_minor: int
    currency: str
    amount: str  # major units with the currency's decimals, "12.50"
    purpose_reference: str
    redirect_url: str | None = Field(
        description="Send the buyer here when status is requires_action."
    )
    return_url: str
    card: CardOut | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    created_at: datetime
    updated_at: datetime
    succeeded_at: datetime | None = None


class PostingOut(BaseModel):
    account: str
    currency: str
    amount_minor: int


class JournalOut(BaseModel):
    id: uuid.UUID
    idempotency_key: str
    kind: str
    reference: str
    created_at: datetime
    reverses_journal_id: uuid.UUID | None = None
    postings: list[PostingOut]


class BalanceOut(BaseModel):
    account: str
    currency: str
    balance_minor: int
    balance: str


class WebhookReceipt(BaseModel):
    """Answer to a provider's webhook delivery."""

    event_id: str
    outcome: str  # applied | ignored | pending | refused
    duplicate: bool = False
