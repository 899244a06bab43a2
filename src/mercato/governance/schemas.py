"""Governance request and response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class PolicyKind(StrEnum):
    BUYER_TERMS = "buyer_terms"
    SLA = "sla"
    ESCROW_HOLD = "escrow_hold"


class PolicyStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"


KIND_LABELS = {
    PolicyKind.BUYER_TERMS: "Buyer terms of use",
    PolicyKind.SLA: "Seller SLA",
    PolicyKind.ESCROW_HOLD: "Escrow hold period",
}
DEADLINE_LABELS = {
    "accept": "Accept",
    "ship": "Ship",
    "confirm": "Perform the service",
    "auto_cancel": "Automatic cancellation if not shipped",
    "respond": "Reply to the buyer",
}


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlaOverrideIn(StrictModel):
    """Some SLA parameters replaced for one category (and its subcategories)."""

    category_id: uuid.UUID
    parameters: dict[str, int] = Field(default_factory=dict)


class PolicyDraftIn(StrictModel):
    """A new version of a policy, created as a draft. Buyer terms need a title and a body; an
    SLA needs every parameter (see ``GET /governance/sla/parameters``)."""

    kind: PolicyKind
    reason: str = Field(min_length=3, max_length=2000)
    title: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=100_000)
    parameters: dict[str, int] = Field(default_factory=dict)
    overrides: list[SlaOverrideIn] = Field(default_factory=list, max_length=200)


class ActivateIn(StrictModel):
    """When the draft comes into force: now (omitted) or a future instant."""

    effective_from: datetime | None = None
    reason: str | None = Field(default=None, max_length=2000)


class PolicyVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: PolicyKind
    version: int
    status: PolicyStatus
    title: str
    body: str
    parameters: dict[str, int]
    overrides: list[SlaOverrideIn]
    reason: str
    created_by: uuid.UUID
    created_at: datetime
    effective_from: datetime | None
    activated_by: uuid.UUID | None
    activated_at: datetime | None
    activation_reason: str | None
    in_force: bool = False


class TermsAcceptIn(StrictModel):
    version: int = Field(ge=1)


class TermsAcceptanceOut(BaseModel):
    version: int
    accepted_at: datetime
    ip_address: str


class TermsStatus(BaseModel):
    """The buyer terms in force and whether the caller accepted them; for a seller, the
    seller terms' version and the shop's acceptance too."""

    terms: PolicyVersionOut | None
    accepted: bool
    acceptance: TermsAcceptanceOut | None = None
    seller_terms_version: int | None = None
    seller_terms_accepted_version: int | None = None


class SlaTermsOut(BaseModel):
    """The SLA in force for a category, in the policy's own units."""

    version_id: uuid.UUID | None
    category_id: uuid.UUID | None
    parameters: dict[str, int]


class DeadlineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    order_id: uuid.UUID
    order_number: str
    kind: str
    due_at: datetime
    remind_at: datetime | None
    reminded_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None
    policy_version_id: uuid.UUID | None
    message_id: uuid.UUID | None = Field(
        default=None, description="A respond-by deadline: the buyer's message that opened it."
    )


class BreachOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    order_id: uuid.UUID
    order_number: str
    seller_id: uuid.UUID
    kind: str
    deadline: datetime
    detected_at: datetime


class WarningOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    seller_id: uuid.UUID
    breach_id: uuid.UUID | None
    message: str
    created_at: datetime


class SellerSlaOverview(BaseModel):
    """A seller's open deadlines, breaches and warnings."""

    seller_id: uuid.UUID
    open_deadlines: list[DeadlineOut]
    breaches: list[BreachOut]
    warnings: list[WarningOut]


class BreachCount(BaseModel):
    kind: str
    current: int
    draft: int


class SellerRateOut(BaseModel):
    seller_id: uuid.UUID
    seller_name: str
    goods_orders: int
    current_bp: int
    draft_bp: int


class FeeImpactOut(BaseModel):
    currency: str
    current_orders: int
    current_fee_minor: int
    draft_orders: int
    draft_fee_minor: int


class PreviewOut(BaseModel):
    """A draft SLA replayed on the last 90 days of orders, next to the policy in force."""

    policy: PolicyVersionOut
    window_from: datetime
    window_to: datetime
    orders: int
    breaches: list[BreachCount]
    auto_canceled_current: int
    auto_canceled_draft: int
    threshold_bp: int
    sellers_crossing: list[SellerRateOut]
    fee_impact: list[FeeImpactOut]


class EscrowHoldOut(BaseModel):
    """The escrow hold policy in force at a time: the base period (None: the platform default
    applies) and the periods of the categories that lengthen it. No version: nothing set."""

    version_id: uuid.UUID | None
    version: int | None
    effective_from: datetime | None
    reason: str | None
    hold_days: int | None
    category_hold_days: dict[uuid.UUID, int]


class HoldBucketOut(BaseModel):
    """The completed orders whose hold falls in ``label`` (e.g. "4 to 7 days", with an en dash)."""

    label: str
    current: int
    draft: int


class HeldLongerOut(BaseModel):
    currency: str
    orders: int
    amount_minor: int


class HoldSellerOut(BaseModel):
    """How a draft moves one seller's release dates (per currency)."""

    seller_id: uuid.UUID
    seller_name: str
    currency: str
    orders: int
    earlier: int
    later: int
    current_average_days: Decimal
    draft_average_days: Decimal
    held_longer_minor: int


class HoldPreviewOut(BaseModel):
    """A draft escrow hold replayed on the orders completed in the last 90 days, next to the
    policy in force: release dates moved, the average hold, the money held longer."""

    policy: PolicyVersionOut
    window_from: datetime
    window_to: datetime
    orders: int
    earlier: int
    later: int
    unchanged: int
    current_average_days: Decimal
    draft_average_days: Decimal
    held_longer: list[HeldLongerOut]
    buckets: list[HoldBucketOut]
    sellers: list[HoldSellerOut]


class SweepReport(BaseModel):
    reminded: int = 0
    met: int = 0
    breached: int = 0
    stopped: int = 0
    auto_canceled: int = 0
