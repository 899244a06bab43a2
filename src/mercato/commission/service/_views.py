"""ORM rows to response models and to the pure policy's inputs."""

from __future__ import annotations

import uuid
from datetime import datetime

from mercato.commission.models import (
    CommissionFeeLine,
    CommissionIncentive,
    CommissionPlan,
    CommissionRule,
    CommissionRuleVersion,
)
from mercato.commission.policy import IncentiveCandidate, PlanTerms, RuleCandidate
from mercato.commission.schemas import (
    FeeLineOut,
    FeeTerms,
    IncentiveOut,
    OrderFees,
    PlanOut,
    RuleOut,
    RuleScope,
    RuleVersionOut,
    Tier,
    TierBand,
)


def terms_of(version: CommissionRuleVersion) -> FeeTerms:
    return FeeTerms(
        rate_bps=version.rate_bps,
        tiers=tuple(TierBand(int(t["from_minor"]), int(t["rate_bps"])) for t in version.tiers),
        tier_mode="whole_volume" if version.tier_mode == "whole_volume" else "marginal",
        fixed_per_item_minor=version.fixed_per_item_minor,
        fixed_per_order_minor=version.fixed_per_order_minor,
        min_fee_minor=version.min_fee_minor,
        max_fee_minor=version.max_fee_minor,
    )


def rule_candidate(rule: CommissionRule, version: CommissionRuleVersion) -> RuleCandidate:
    return RuleCandidate(
        rule_id=rule.id,
        version_id=version.id,
        version=version.version,
        name=rule.name,
        scope=rule.scope,
        category_id=rule.category_id,
        currency=version.currency,
        effective_from=version.effective_from,
        terms=terms_of(version),
    )


def plan_terms(plan: CommissionPlan) -> PlanTerms:
    return PlanTerms(plan.id, plan.code, plan.name, plan.rate_bps, plan.discount_bps)


def incentive_candidate(incentive: CommissionIncentive) -> IncentiveCandidate:
    return IncentiveCandidate(
        incentive_id=incentive.id,
        name=incentive.name,
        kind=incentive.kind,
        rate_bps=incentive.rate_bps,
        created_at=incentive.created_at,
        new_seller_days=incentive.new_seller_days,
        volume_cap_minor=incentive.volume_cap_minor,
        currency=incentive.currency,
        category_id=incentive.category_id,
        seller_ids=frozenset(uuid.UUID(s) for s in incentive.seller_ids),
    )


def fee_line_out(line: CommissionFeeLine) -> FeeLineOut:
    return FeeLineOut(
        line_id=line.line_id,
        gross_minor=line.gross_minor,
        fee_minor=line.fee_minor,
        net_minor=line.net_minor,
        rule_id=line.rule_id,
        rule_name=line.rule_name,
        explanation=line.explanation,
    )


def order_fees_out(lines: list[CommissionFeeLine]) -> OrderFees:
    first = lines[0]
    return OrderFees(
        order_id=first.order_id,
        seller_id=first.seller_id,
        currency=first.currency,
        gross_minor=sum(line.gross_minor for line in lines),
        fee_minor=sum(line.fee_minor for line in lines),
        net_minor=sum(line.net_minor for line in lines),
        lines=[fee_line_out(line) for line in lines],
    )


def version_out(version: CommissionRuleVersion) -> RuleVersionOut:
    return RuleVersionOut(
        id=version.id,
        version=version.version,
        rate_bps=version.rate_bps,
        tiers=[Tier(from_minor=t["from_minor"], rate_bps=t["rate_bps"]) for t in version.tiers],
        tier_mode=version.tier_mode,  # type: ignore[arg-type]
        fixed_per_item_minor=version.fixed_per_item_minor,
        fixed_per_order_minor=version.fixed_per_order_minor,
        min_fee_minor=version.min_fee_minor,
        max_fee_minor=version.max_fee_minor,
        currency=version.currency,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        created_at=version.created_at,
    )


def in_force(version: CommissionRuleVersion, at: datetime) -> bool:
    return version.effective_from <= at and (
        version.effective_to is None or version.effective_to > at
    )


def rule_out(rule: CommissionRule, now: datetime) -> RuleOut:
    current = next((v for v in rule.versions if in_force(v, now)), None)
    return RuleOut(
        id=rule.id,
        name=rule.name,
        scope=RuleScope(rule.scope),
        category_id=rule.category_id,
        current=None if current is None else version_out(current),
        versions=[version_out(v) for v in rule.versions],
    )


def plan_out(plan: CommissionPlan) -> PlanOut:
    return PlanOut.model_validate(plan)


def incentive_out(incentive: CommissionIncentive) -> IncentiveOut:
    return IncentiveOut(
        id=incentive.id,
        name=incentive.name,
        kind=incentive.kind,  # type: ignore[arg-type]
        rate_bps=incentive.rate_bps,
        valid_from=incentive.valid_from,
        valid_to=incentive.valid_to,
        new_seller_days=incentive.new_seller_days,
        volume_cap_minor=incentive.volume_cap_minor,
        currency=incentive.currency,
        category_id=incentive.category_id,
        seller_ids=[uuid.UUID(s) for s in incentive.seller_ids],
        active=incentive.active,
        created_at=incentive.created_at,
    )
