"""Previewing a draft SLA policy: the last 90 days of real orders replayed under the draft and
under the policy in force (the arithmetic is in :mod:`mercato.governance.calculations`)."""

from __future__ import annotations

import uuid
from datetime import timedelta

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
)
from mercato.governance.models import PolicyVersion
from mercato.governance.schemas import (
    BreachCount,
    FeeImpactOut,
    PolicyKind,
    PreviewOut,
    SellerRateOut,
)
from mercato.governance.service.policies import listing_chain, terms_of_version, version_out
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.orders.service import OrderTimeline, order_timelines


async def preview_policy(
    session: AsyncSession, principal: Principal, version_id: uuid.UUID
) -> PreviewOut:
    """How the SLA version ``version_id`` would have treated the last 90 days of orders, next
    to the policy in force: breaches per deadline, sellers crossing the late shipment
    threshold, and the commission on the orders each would have cancelled (admins)."""
    principal.require_role(Role.ADMIN)
    draft = await repository.get_version(session, version_id)
    if draft is None:
        raise NotFound("No such policy version.")
    if draft.kind != PolicyKind.SLA.value:
        raise ValidationFailed.on("kind", "Only an SLA policy can be previewed on past orders.")
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
