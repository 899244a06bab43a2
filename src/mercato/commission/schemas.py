"""Commission request and response models: the fee API other domains call, and the admin and
seller forms for rules, plans and incentives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# --- terms of a rule, for the pure fee math ------------------------------------------------------

TierModeName = Literal["marginal", "whole_volume"]


@dataclass(frozen=True)
class TierBand:
    """From ``from_minor`` of the seller's trailing 30-day volume upwards, ``rate_bps``."""

    from_minor: int
    rate_bps: int


@dataclass(frozen=True)
class FeeTerms:
    """What one rule charges. With ``tiers`` the rate depends on the seller's volume and
    ``rate_bps`` is unused."""

    rate_bps: int = 0
    tiers: tuple[TierBand, ...] = ()
    tier_mode: TierModeName = "marginal"
    fixed_per_item_minor: int = 0
    fixed_per_order_minor: int = 0
    min_fee_minor: int | None = None
    max_fee_minor: int | None = None


# --- the fee API ---------------------------------------------------------------------------------


class FeeRequestLine(BaseModel):
    line_id: uuid.UUID
    listing_id: uuid.UUID
    quantity: int
    unit_price_minor: int
    line_total_minor: int


class FeeRequest(BaseModel):
    """One seller's order at payment: the fee of each line is computed from the rules in force
    at ``paid_at``. Shipping is not part of it (the seller keeps shipping)."""

    order_id: uuid.UUID
    seller_id: uuid.UUID
    currency: str
    paid_at: datetime
    lines: list[FeeRequestLine]


class FeeLineOut(BaseModel):
    line_id: uuid.UUID
    gross_minor: int
    fee_minor: int
    net_minor: int
    rule_id: uuid.UUID | None
    rule_name: str
    explanation: str  # e.g. "Electronics 7% (tier 2), min €0.50"


class OrderFees(BaseModel):
    order_id: uuid.UUID
    seller_id: uuid.UUID
    currency: str
    gross_minor: int
    fee_minor: int
    net_minor: int
    lines: list[FeeLineOut]


class QuoteOut(BaseModel):
    """What a seller would net selling ``quantity`` of a listing at ``price_minor`` now."""

    listing_id: uuid.UUID
    currency: str
    quantity: int
    price_minor: int
    gross_minor: int
    fee_minor: int
    net_minor: int
    rule_name: str
    explanation: str
    plan_name: str
    trailing_gmv_minor: int


# --- rules ---------------------------------------------------------------------------------------


class RuleScope(StrEnum):
    DEFAULT = "default"
    CATEGORY = "category"


class TierMode(StrEnum):
    MARGINAL = "marginal"  # each slice of the seller's 30-day volume at its own rate
    WHOLE_VOLUME = "whole_volume"  # the tier reached applies to the whole line


class Tier(BaseModel):
    """From ``from_minor`` of trailing 30-day GMV upwards, ``rate_bps`` applies."""

    from_minor: int
    rate_bps: int


class RuleTerms(BaseModel):
    """The versioned part of a rule: what it charges and when it is in force."""

    rate_bps: int = 0
    tiers: list[Tier] = Field(default_factory=list)
    tier_mode: TierMode = TierMode.MARGINAL
    fixed_per_item_minor: int = 0
    fixed_per_order_minor: int = 0
    min_fee_minor: int | None = None
    max_fee_minor: int | None = None
    # Amounts (fixed fees, bounds, tier thresholds) are in this currency; a rule with a currency
    # applies only to orders in it. A percentage-only rule may leave it empty to apply to all.
    currency: str | None = None
    effective_from: datetime | None = None  # defaults to now
    effective_to: datetime | None = None


class RuleIn(RuleTerms):
    name: str
    scope: RuleScope = RuleScope.DEFAULT
    category_id: uuid.UUID | None = None


class RuleVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    rate_bps: int
    tiers: list[Tier]
    tier_mode: TierMode
    fixed_per_item_minor: int
    fixed_per_order_minor: int
    min_fee_minor: int | None
    max_fee_minor: int | None
    currency: str | None
    effective_from: datetime
    effective_to: datetime | None
    created_at: datetime


class RuleOut(BaseModel):
    id: uuid.UUID
    name: str
    scope: RuleScope
    category_id: uuid.UUID | None
    current: RuleVersionOut | None  # the version in force now (None: ended or not started)
    versions: list[RuleVersionOut]  # newest first


# --- plans ---------------------------------------------------------------------------------------


class PlanIn(BaseModel):
    code: str
    name: str
    monthly_fee_minor: int = 0
    currency: str = "EUR"
    listing_limit: int | None = None  # None: unlimited
    rate_bps: int | None = None  # replaces the rule's rate for the plan's sellers
    discount_bps: int = 0  # or: taken off the rule's rates (never below 0 %)
    is_default: bool = False
    active: bool = True


class PlanOut(PlanIn):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID


class ChoosePlanIn(BaseModel):
    plan_code: str


class MyPlanOut(BaseModel):
    plan: PlanOut
    since: datetime | None  # None: the default plan, never chosen
    live_listings: int


# --- incentives ----------------------------------------------------------------------------------


class IncentiveKind(StrEnum):
    NEW_SELLER = "new_seller"  # the seller's first N days after admission
    VOLUME = "volume"  # the seller's first N of sales
    CAMPAIGN = "campaign"  # a category and/or a list of sellers, in a window


class IncentiveIn(BaseModel):
    name: str
    kind: IncentiveKind
    rate_bps: int
    valid_from: datetime | None = None  # defaults to now
    valid_to: datetime | None = None
    new_seller_days: int | None = None
    volume_cap_minor: int | None = None
    currency: str | None = None
    category_id: uuid.UUID | None = None
    seller_ids: list[uuid.UUID] = Field(default_factory=list)
    active: bool = True


class IncentiveOut(IncentiveIn):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime


class IncentiveActiveIn(BaseModel):
    active: bool
