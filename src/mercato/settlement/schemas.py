"""Settlement request/response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EscrowStatus(StrEnum):
    HELD = "held"  # paid, the order is not completed yet
    RELEASABLE = "releasable"  # completed: released once its hold period is over
    RELEASED = "released"
    REFUNDED = "refunded"  # nothing left: refunded in full or canceled


class RefundStatus(StrEnum):
    PENDING = "pending"  # accepted by the provider, still on its way to the buyer
    SUCCEEDED = "succeeded"


class RefundPhase(StrEnum):
    BEFORE_RELEASE = "before_release"
    AFTER_RELEASE = "after_release"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RefundLineIn(_Input):
    line_id: uuid.UUID
    quantity: int = Field(ge=1, le=1_000_000)
    keep_minor: int = Field(
        default=0,
        ge=0,
        le=10**12,
        description="Part of these units' amount the seller keeps (a restocking fee): the "
        "units count as refunded, the buyer gets the rest.",
    )


class RefundIn(_Input):
    """Exactly one of: ``lines`` (line ids and quantities), ``amount_minor``, or ``full``."""

    lines: list[RefundLineIn] | None = Field(default=None, min_length=1, max_length=200)
    amount_minor: int | None = Field(default=None, ge=1, le=10**12)
    full: bool = False
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_way(self) -> RefundIn:
        chosen = sum([self.lines is not None, self.amount_minor is not None, self.full])
        if chosen != 1:
            raise ValueError("Refund either some lines, an amount, or everything (full).")
        if self.lines is not None and len({line.line_id for line in self.lines}) != len(self.lines):
            raise ValueError("Name each line once.")
        return self


class FreezeIn(_Input):
    reason: str = Field(min_length=1, max_length=500)


class SellerHoldIn(_Input):
    """A seller's own hold period and why (the risk decision is recorded with its author)."""

    hold_days: int = Field(ge=0, le=60)
    reason: str = Field(min_length=3, max_length=500)


class SellerHoldForm(SellerHoldIn):
    seller_id: uuid.UUID


class SellerHoldOut(BaseModel):
    seller_id: uuid.UUID
    seller_name: str | None
    hold_days: int
    reason: str
    set_by: uuid.UUID | None
    set_by_name: str | None
    updated_at: datetime


class CategoryPeriodOut(BaseModel):
    category_id: uuid.UUID
    category_name: str
    hold_days: int


class EscrowHoldPolicyOut(BaseModel):
    """The escrow hold policy in force (governance's): its base period (None: the default
    applies) and the category periods that lengthen it; no version when none was activated."""

    version_id: uuid.UUID | None
    version: int | None
    effective_from: datetime | None
    reason: str | None
    hold_days: int | None
    categories: list[CategoryPeriodOut]


class HoldsOut(BaseModel):
    """Every hold period: the platform default, the escrow hold policy in force (its base
    replaces the default, its category periods lengthen the hold) and the sellers' own
    (replacing both bases)."""

    default_days: int
    policy: EscrowHoldPolicyOut
    sellers: list[SellerHoldOut]
    # Where an admin drafts the next escrow hold version.
    draft_url: str = "/admin/governance/policies?kind=escrow_hold#draft-title"


class RefundLineOut(BaseModel):
    line_id: uuid.UUID
    quantity: int
    amount_minor: int
    kept_minor: int = 0


class RefundOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    number: str
    seller_id: uuid.UUID
    status: RefundStatus
    phase: RefundPhase
    amount_minor: int
    fee_share_minor: int
    currency: str
    reason: str
    lines: list[RefundLineOut]
    requested_role: str
    created_at: datetime
    completed_at: datetime | None


class EscrowLineOut(BaseModel):
    line_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    refunded_quantity: int
    refunded_minor: int
    kept_minor: int = 0  # what the seller kept of the refunded units (restocking fees)


class EscrowOut(BaseModel):
    order_id: uuid.UUID
    number: str
    seller_id: uuid.UUID
    buyer_id: uuid.UUID
    status: EscrowStatus
    currency: str
    captured_minor: int
    fee_minor: int
    refunded_minor: int
    refunded_fee_minor: int
    held_minor: int  # what the escrow still holds
    released_minor: int
    released_fee_minor: int
    paid_at: datetime
    completed_at: datetime | None
    release_after: datetime | None
    released_at: datetime | None
    frozen: bool
    frozen_reason: str | None
    due: bool  # releasable, not frozen and its hold period is over
    lines: list[EscrowLineOut] = []


class RefundResult(BaseModel):
    """A refund and whether this call replayed an earlier one with the same key."""

    refund: RefundOut
    replayed: bool
