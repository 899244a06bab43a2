"""Previewing a draft policy on the last 90 days of real orders, next to the policy in force:
an SLA replayed on the orders paid, an escrow hold on the orders completed (the arithmetic is
in :mod:`mercato.governance.calculations`)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.commission.service import order_fees
from mercato.governance import repository
from mercato.governance.calculations import (
    LATE_SHIPMENT_THRESHOLD_BP,
    PREVIEW_DAYS,
    SELLER_DEADLINES,
    OrderFacts,
    SlaTerms,
    preview,
    preview_holds,
)
from mercato.governance.models import PolicyVersion
from mercato.governance.schemas import (
    BreachCount,
    FeeImpactOut,
    HeldLongerOut,
    HoldBucketOut,
    HoldPreviewOut,
    HoldSellerOut,
    PolicyKind,
    PreviewOut,
    SellerRateOut,
)
from mercato.governance.service.escrow_hold import hold_of_version, replay_holds
from mercato.governance.service.policies import listing_chain, terms_of_version, version_out
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.orders.service import OrderTimeline, order_timelines
from mercato.sellers.service import get_storefronts


async def preview_policy(
    session: AsyncSession, principal: Principal, version_id: uuid.UUID
) -> PreviewOut | HoldPreviewOut:
    """How the version ``version_id`` would have treated the last 90 days of orders, next to
    the policy in force (admins). An SLA: breaches per deadline, sellers crossing the late
    shipment threshold, and the commission on the orders each would have cancelled. An
    escrow hold: the release dates it moves, the average hold, the money held longer."""
    principal.require_role(Role.ADMIN)
    draft = await repository.get_version(session, version_id)
    if draft is None:
        raise NotFound("No such policy version.")
    if draft.kind == PolicyKind.ESCROW_HOLD.value:
        return await _preview_escrow_hold(session, draft)
    if draft.kind != PolicyKind.SLA.value:
        raise ValidationFailed.on(
            "kind", "Only an SLA or an escrow hold policy can be previewed on past orders."
        )
    now = clock.now()
    since = now - timedelta(days=PREVIEW_DAYS)
    current = await repository.version_in_force(session, PolicyKind.SLA.value, now)
    timelines = await order_timelines(session, since, now)
    facts = await _facts(session, timelines, draft, current)
    result = preview(
        facts,
        lambda order: terms_of_version(current, order.category_chain),
        lambda order: terms_of_version(draft, order.category_chain),
        now,
    )
    names = {timeline.seller_id: timeline.seller_name for timeline in timelines}
    return PreviewOut(
        policy=await version_out(session, draft),
        window_from=since,
        window_to=now,
        orders=result.orders,
        breaches=[
            BreachCount(kind=kind, current=result.breaches[kind][0], draft=result.breaches[kind][1])
            for kind in SELLER_DEADLINES
        ],
        auto_canceled_current=result.auto_canceled[0],
        auto_canceled_draft=result.auto_canceled[1],
        threshold_bp=LATE_SHIPMENT_THRESHOLD_BP,
        sellers_crossing=[
            SellerRateOut(
                seller_id=shift.seller_id,
                seller_name=names.get(shift.seller_id, ""),
                goods_orders=shift.goods_orders,
                current_bp=shift.current_bp,
                draft_bp=shift.draft_bp,
            )
            for shift in result.sellers_crossing
        ],
        fee_impact=[FeeImpactOut(**vars(impact)) for impact in result.fee_impact],
    )


async def _facts(
    session: AsyncSession,
    timelines: list[OrderTimeline],
    draft: PolicyVersion,
    current: PolicyVersion | None,
) -> list[OrderFacts]:
    chains: dict[uuid.UUID, tuple[str, ...]] = {}
    facts = []
    for timeline in timelines:
        first = timeline.listing_ids[:1]
        key = first[0] if first else uuid.UUID(int=0)
        if key not in chains:
            chains[key] = tuple(await listing_chain(session, first))
        chain = chains[key]
        fee = 0
        if _may_be_auto_canceled(timeline, terms_of_version(draft, chain)) or _may_be_auto_canceled(
            timeline, terms_of_version(current, chain)
        ):
            fees = await order_fees(session, timeline.order_id)
            fee = fees.fee_minor if fees else 0
        facts.append(
            OrderFacts(
                order_id=timeline.order_id,
                seller_id=timeline.seller_id,
                kind=timeline.kind,
                category_chain=chain,
                paid_at=timeline.paid_at,
                accepted_at=timeline.accepted_at,
                shipped_at=timeline.shipped_at,
                performed_at=timeline.performed_at,
                canceled_at=timeline.canceled_at,
                currency=timeline.currency,
                fee_minor=fee,
            )
        )
    return facts


def _may_be_auto_canceled(timeline: OrderTimeline, terms: SlaTerms) -> bool:
    """Only these orders need their fees loaded (one query each)."""
    if timeline.kind != "goods":
        return False
    due = timeline.paid_at + terms.auto_cancel_unshipped
    return timeline.shipped_at is None or timeline.shipped_at > due


async def _preview_escrow_hold(session: AsyncSession, draft: PolicyVersion) -> HoldPreviewOut:
    now = clock.now()
    since = now - timedelta(days=PREVIEW_DAYS)
    current = await repository.version_in_force(session, PolicyKind.ESCROW_HOLD.value, now)
    replayed = await replay_holds(
        session, since, now, hold_of_version(current), hold_of_version(draft)
    )
    result = preview_holds(replayed)
    storefronts = await get_storefronts(session, [shift.seller_id for shift in result.sellers])
    return HoldPreviewOut(
        policy=await version_out(session, draft),
        window_from=since,
        window_to=now,
        orders=result.orders,
        earlier=result.earlier,
        later=result.later,
        unchanged=result.orders - result.earlier - result.later,
        current_average_days=_days(result.current_average_tenths),
        draft_average_days=_days(result.draft_average_tenths),
        held_longer=[HeldLongerOut(**vars(money)) for money in result.held_longer],
        buckets=[
            HoldBucketOut(label=label, current=now_count, draft=draft_count)
            for label, now_count, draft_count in result.buckets
        ],
        sellers=[
            HoldSellerOut(
                seller_id=shift.seller_id,
                seller_name=(
                    storefronts[shift.seller_id].display_name
                    if shift.seller_id in storefronts
                    else str(shift.seller_id)
                ),
                currency=shift.currency,
                orders=shift.orders,
                earlier=shift.earlier,
                later=shift.later,
                current_average_days=_days(shift.current_average_tenths),
                draft_average_days=_days(shift.draft_average_tenths),
                held_longer_minor=shift.held_longer_minor,
            )
            for shift in result.sellers
        ],
    )


def _days(tenths: int) -> Decimal:
    return Decimal(tenths).scaleb(-1)
