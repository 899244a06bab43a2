"""Which terms price an order line, and what a valid rule, plan or incentive is. Pure.

Resolution, most specific first — the first that applies wins:

1. the seller's plan, when it sets its own rate (``rate_bps``): that rate, nothing else;
2. an incentive the line qualifies for (new seller, volume, campaign): its rate, nothing else;
   several → the lowest rate, then the oldest incentive;
3. a category rule on the listing's category or one of its ancestors: the deepest category wins,
   then the latest ``effective_from``;
4. the default rule (the latest ``effective_from`` when several are in force);
5. the built-in standard rate, should an operator have ended every default rule.

A plan with a discount (``discount_bps``) instead of its own rate lowers the rates of the rule
found in 3-5. Only rules whose currency is empty or the order's currency are considered.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from mercato.commission.schemas import FeeTerms, TierBand
from mercato.kit.errors import FieldError
from mercato.kit.money import BPS_DENOMINATOR, UnknownCurrency, exponent

STANDARD_RATE_BPS = 1000
STANDARD_RULE_NAME = "Standard commission"
GMV_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class RuleCandidate:
    rule_id: uuid.UUID
    version_id: uuid.UUID
    version: int
    name: str
    scope: str
    category_id: uuid.UUID | None
    currency: str | None
    effective_from: datetime
    terms: FeeTerms


@dataclass(frozen=True)
class PlanTerms:
    plan_id: uuid.UUID
    code: str
    name: str
    rate_bps: int | None
    discount_bps: int


@dataclass(frozen=True)
class IncentiveCandidate:
    incentive_id: uuid.UUID
    name: str
    kind: str
    rate_bps: int
    created_at: datetime
    new_seller_days: int | None = None
    volume_cap_minor: int | None = None
    currency: str | None = None
    category_id: uuid.UUID | None = None
    seller_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)


@dataclass(frozen=True)
class SellerFacts:
    """What incentives look at, as of the payment time."""

    seller_id: uuid.UUID
    paid_at: datetime
    currency: str
    admitted_at: datetime | None
    lifetime_volume_minor: int  # the seller's sales in the currency before this order


@dataclass(frozen=True)
class Resolved:
    """The terms that price one line and where they come from."""

    source: str  # plan | incentive | category | default | standard
    source_id: uuid.UUID | None
    version_id: uuid.UUID | None
    name: str
    terms: FeeTerms

    @property
    def group(self) -> str:
        return f"{self.source}:{self.version_id or self.source_id}"


def discounted(terms: FeeTerms, discount_bps: int) -> FeeTerms:
    """The terms with every rate lowered by ``discount_bps`` (never below 0 %)."""
    if discount_bps <= 0:
        return terms
    tiers = tuple(replace(t, rate_bps=max(0, t.rate_bps - discount_bps)) for t in terms.tiers)
    return replace(terms, rate_bps=max(0, terms.rate_bps - discount_bps), tiers=tiers)


def incentive_applies(
    incentive: IncentiveCandidate, facts: SellerFacts, categories: Sequence[uuid.UUID]
) -> bool:
    """Whether the line qualifies (the validity window is checked when loading)."""
    if incentive.currency is not None and incentive.currency != facts.currency:
        return False
    if incentive.kind == "new_seller":
        if facts.admitted_at is None or incentive.new_seller_days is None:
            return False
        return facts.paid_at < facts.admitted_at + timedelta(days=incentive.new_seller_days)
    if incentive.kind == "volume":
        cap = incentive.volume_cap_minor
        return cap is not None and facts.lifetime_volume_minor < cap
    in_category = incentive.category_id is None or incentive.category_id in categories
    for_seller = not incentive.seller_ids or facts.seller_id in incentive.seller_ids
    return in_category and for_seller


def _best_rule(
    rules: Sequence[RuleCandidate], categories: Sequence[uuid.UUID], currency: str
) -> RuleCandidate | None:
    """``categories`` runs from the root to the listing's own category."""
    usable = [r for r in rules if r.currency in (None, currency)]
    depth = {category: index for index, category in enumerate(categories)}
    by_category = [r for r in usable if r.scope == "category" and r.category_id in depth]
    if by_category:
        return max(by_category, key=lambda r: (depth[r.category_id], r.effective_from))  # type: ignore[index]
    defaults = [r for r in usable if r.scope == "default"]
    return max(defaults, key=lambda r: r.effective_from) if defaults else None


def resolve(
    rules: Sequence[RuleCandidate],
    plan: PlanTerms | None,
    incentives: Sequence[IncentiveCandidate],
    facts: SellerFacts,
    categories: Sequence[uuid.UUID],
) -> Resolved:
    """The terms for one line, by the order written at the top of this module."""
    if plan is not None and plan.rate_bps is not None:
        return Resolved("plan", plan.plan_id, None, f"{plan.name} plan", FeeTerms(plan.rate_bps))
    qualifying = [i for i in incentives if incentive_applies(i, facts, categories)]
    if qualifying:
        best = min(qualifying, key=lambda i: (i.rate_bps, i.created_at))
        return Resolved("incentive", best.incentive_id, None, best.name, FeeTerms(best.rate_bps))
    rule = _best_rule(rules, categories, facts.currency)
    if rule is None:
        found = Resolved("standard", None, None, STANDARD_RULE_NAME, FeeTerms(STANDARD_RATE_BPS))
    else:
        found = Resolved(rule.scope, rule.rule_id, rule.version_id, rule.name, rule.terms)
    if plan is not None and plan.discount_bps:
        name = f"{found.name} - {plan.name} discount"
        return Resolved(
            found.source,
            found.source_id,
            found.version_id,
            name,
            discounted(found.terms, plan.discount_bps),
        )
    return found


# --- validation ----------------------------------------------------------------------------------


def check_rate(errors: list[FieldError], field_name: str, rate_bps: int | None) -> None:
    if rate_bps is None:
        return
    if rate_bps < 0:
        errors.append(FieldError(field_name, "A rate cannot be negative."))
    elif rate_bps > BPS_DENOMINATOR:
        errors.append(FieldError(field_name, "A rate cannot exceed 100% (10000 bps)."))


def check_amount(errors: list[FieldError], field_name: str, amount: int | None) -> None:
    if amount is not None and amount < 0:
        errors.append(FieldError(field_name, "An amount cannot be negative."))


def check_currency(errors: list[FieldError], field_name: str, currency: str | None) -> None:
    if currency is None:
        return
    try:
        exponent(currency)
    except UnknownCurrency:
        errors.append(FieldError(field_name, f"Unknown currency {currency!r}."))


def check_window(
    errors: list[FieldError], field_name: str, start: datetime, end: datetime | None
) -> None:
    if end is not None and end <= start:
        errors.append(FieldError(field_name, "The end must come after the start."))


def check_tiers(errors: list[FieldError], tiers: Sequence[TierBand]) -> None:
    """Tiers start at 0 and rise strictly; each rate within 0-100%."""
    if not tiers:
        return
    if tiers[0].from_minor != 0:
        errors.append(FieldError("tiers.0.from_minor", "The first tier must start at 0."))
    for index, tier in enumerate(tiers):
        check_rate(errors, f"tiers.{index}.rate_bps", tier.rate_bps)
        if index and tier.from_minor <= tiers[index - 1].from_minor:
            errors.append(
                FieldError(
                    f"tiers.{index}.from_minor",
                    "Tiers must be in increasing order without overlap.",
                )
            )


def check_terms(errors: list[FieldError], terms: FeeTerms, currency: str | None) -> None:
    """Every problem with a rule's terms, appended to ``errors``."""
    check_rate(errors, "rate_bps", terms.rate_bps)
    check_tiers(errors, terms.tiers)
    for name in ("fixed_per_item_minor", "fixed_per_order_minor", "min_fee_minor", "max_fee_minor"):
        check_amount(errors, name, getattr(terms, name))
    low, high = terms.min_fee_minor, terms.max_fee_minor
    if low is not None and high is not None and low > high:
        errors.append(FieldError("min_fee_minor", "The minimum fee cannot exceed the maximum."))
    has_amounts = (
        terms.tiers
        or terms.fixed_per_item_minor
        or terms.fixed_per_order_minor
        or low is not None
        or high is not None
    )
    if has_amounts and currency is None:
        errors.append(
            FieldError("currency", "A rule with amounts (fees, bounds, tiers) needs a currency.")
        )
