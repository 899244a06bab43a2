"""The fee of every order line: computed once, at payment, from the rules in force, stored with
what produced it, and never recomputed. The seller's calculator prices through the same code."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.commission import repository
from mercato.commission.calculations import LineFee, LineInput, explain, line_fees, running_volumes
from mercato.commission.models import CommissionFeeLine
from mercato.commission.policy import (
    GMV_WINDOW,
    PlanTerms,
    Resolved,
    SellerFacts,
    resolve,
)
from mercato.commission.schemas import FeeRequest, FeeRequestLine, OrderFees
from mercato.commission.service._views import (
    incentive_candidate,
    order_fees_out,
    plan_terms,
    rule_candidate,
)
from mercato.kit.errors import Conflict, FieldError, ValidationFailed
from mercato.kit.ids import new_id
from mercato.kit.money import UnknownCurrency, exponent
from mercato.payments.service import Violation, ledger_check
from mercato.sellers import service as sellers_service


@dataclass(frozen=True)
class PricedLine:
    request: FeeRequestLine
    resolved: Resolved
    fee: LineFee
    explanation: str
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class Pricing:
    lines: list[PricedLine]
    plan: PlanTerms | None
    trailing_gmv_minor: int


async def plan_at(session: AsyncSession, seller_id: uuid.UUID, at: datetime) -> PlanTerms | None:
    """The plan the seller was on at ``at``; the default plan when it never chose one."""
    subscription = await repository.subscription_at(session, seller_id, at)
    if subscription is not None:
        plan = await repository.get_plan(session, subscription.plan_id)
        return None if plan is None else plan_terms(plan)
    defaults = await repository.default_plans(session)
    return plan_terms(defaults[0]) if defaults else None


async def _seller_facts(
    session: AsyncSession,
    seller_id: uuid.UUID,
    currency: str,
    paid_at: datetime,
    kinds: set[str],
) -> SellerFacts:
    # Only look up what a valid incentive could need.
    admitted = (
        await sellers_service.seller_admitted_at(session, seller_id)
        if "new_seller" in kinds
        else None
    )
    lifetime = (
        await repository.seller_volume(session, seller_id, currency, before=paid_at)
        if "volume" in kinds
        else 0
    )
    return SellerFacts(seller_id, paid_at, currency, admitted, lifetime)


def _snapshot(
    line: FeeRequestLine,
    resolved: Resolved,
    fee: LineFee,
    volume_before: int,
    categories: list[uuid.UUID],
    plan: PlanTerms | None,
) -> dict[str, Any]:
    terms = asdict(resolved.terms)
    return {
        "source": resolved.source,
        "source_id": str(resolved.source_id) if resolved.source_id else None,
        "version_id": str(resolved.version_id) if resolved.version_id else None,
        "name": resolved.name,
        "terms": terms,
        "plan": plan.code if plan else None,
        "inputs": {
            "listing_id": str(line.listing_id),
            "quantity": line.quantity,
            "unit_price_minor": line.unit_price_minor,
            "gross_minor": line.line_total_minor,
            "volume_before_minor": volume_before,
            "category_ids": [str(c) for c in categories],
        },
        "result": {
            "percentage_minor": fee.percentage_minor,
            "fixed_minor": fee.fixed_minor,
            "tier": fee.tier,
            "bound": fee.bound,
        },
    }


async def price_lines(
    session: AsyncSession,
    seller_id: uuid.UUID,
    currency: str,
    paid_at: datetime,
    lines: Sequence[FeeRequestLine],
) -> Pricing:
    """Price lines as if paid at ``paid_at``, storing nothing: resolve each line's terms (see
    :mod:`mercato.commission.policy`), then compute every fee at once."""
    listings = await catalog_service.listing_facts(session, [line.listing_id for line in lines])
    rules = [rule_candidate(r, v) for r, v in await repository.rules_in_force(session, paid_at)]
    incentives = [
        incentive_candidate(i) for i in await repository.incentives_valid_at(session, paid_at)
    ]
    plan = await plan_at(session, seller_id, paid_at)
    facts = await _seller_facts(session, seller_id, currency, paid_at, {i.kind for i in incentives})
    trailing = await repository.seller_volume(
        session, seller_id, currency, before=paid_at, since=paid_at - GMV_WINDOW
    )
    volumes = running_volumes(trailing, [line.line_total_minor for line in lines])
    chains = [
        listings[line.listing_id].category_ids if line.listing_id in listings else []
        for line in lines
    ]
    resolved = [resolve(rules, plan, incentives, facts, chain) for chain in chains]
    inputs = [
        LineInput(line.line_total_minor, line.quantity, r.terms, r.group, volume)
        for line, r, volume in zip(lines, resolved, volumes, strict=True)
    ]
    fees = line_fees(inputs)
    priced = [
        PricedLine(
            line,
            r,
            fee,
            explain(r.name, r.terms, fee, currency),
            _snapshot(line, r, fee, volume, chain, plan),
        )
        for line, r, fee, volume, chain in zip(lines, resolved, fees, volumes, chains, strict=True)
    ]
    return Pricing(priced, plan, trailing)


def check_request(request: FeeRequest) -> None:
    errors: list[FieldError] = []
    try:
        exponent(request.currency)
    except UnknownCurrency:
        errors.append(FieldError("currency", f"Unknown currency {request.currency!r}."))
    if request.paid_at.tzinfo is None:
        errors.append(FieldError("paid_at", "The payment time must carry a time zone."))
    if not request.lines:
        errors.append(FieldError("lines", "An order has at least one line."))
    for index, line in enumerate(request.lines):
        if line.quantity < 1:
            errors.append(FieldError(f"lines.{index}.quantity", "At least 1."))
        if line.line_total_minor < 0 or line.unit_price_minor < 0:
            errors.append(FieldError(f"lines.{index}.line_total_minor", "Cannot be negative."))
    if len({line.line_id for line in request.lines}) != len(request.lines):
        errors.append(FieldError("lines", "Each line appears once."))
    if errors:
        raise ValidationFailed("The fee request is not valid.", errors=errors)


def _row(request: FeeRequest, position: int, priced: PricedLine) -> CommissionFeeLine:
    fee = priced.fee
    return CommissionFeeLine(
        id=new_id(),
        line_id=priced.request.line_id,
        order_id=request.order_id,
        seller_id=request.seller_id,
        position=position,
        currency=request.currency,
        paid_at=request.paid_at,
        listing_id=priced.request.listing_id,
        quantity=priced.request.quantity,
        unit_price_minor=priced.request.unit_price_minor,
        gross_minor=fee.gross_minor,
        fee_minor=fee.fee_minor,
        net_minor=fee.net_minor,
        rule_id=priced.resolved.source_id,
        rule_version_id=priced.resolved.version_id,
        rule_name=priced.resolved.name[:120],
        explanation=priced.explanation[:300],
        snapshot=priced.snapshot,
    )


async def assess_order_fees(session: AsyncSession, request: FeeRequest) -> OrderFees:
    """The commission of every line of one seller's order, computed once from the rules in
    force at ``paid_at`` and stored; called again for the same order it returns the stored fees
    unchanged, whatever the rules say now. Safe under concurrency: the unique line id decides,
    the loser reads the winner's fees. ``fee + net == gross`` and ``0 <= fee <= gross`` per
    line; shipping is not commissioned."""
    stored = await repository.fee_lines_of_order(session, request.order_id)
    if stored:
        return order_fees_out(stored)
    check_request(request)
    pricing = await price_lines(
        session, request.seller_id, request.currency, request.paid_at, request.lines
    )
    rows = [_row(request, index, priced) for index, priced in enumerate(pricing.lines)]
    try:
        async with session.begin_nested():
            session.add_all(rows)
            await session.flush()
    except IntegrityError:
        stored = await repository.fee_lines_of_order(session, request.order_id)
        if not stored:
            raise Conflict("These order lines already carry fees of another order.") from None
        return order_fees_out(stored)
    return order_fees_out(rows)


async def order_fees(session: AsyncSession, order_id: uuid.UUID) -> OrderFees | None:
    """The stored fees of an order (None when it was never assessed)."""
    stored = await repository.fee_lines_of_order(session, order_id)
    return order_fees_out(stored) if stored else None


@ledger_check("fee-line-split", "seller net + commission = gross for every order line")
async def check_fee_lines(session: AsyncSession) -> list[Violation]:
    return [
        Violation(
            "fee-line-split",
            f"order {line.order_id} line {line.line_id}",
            f"gross {line.gross_minor}, fee {line.fee_minor}, net {line.net_minor}",
        )
        for line in await repository.split_violations(session)
    ]
