"""The metrics of one seller, read from the orders, SLA deadlines, reviews, disputes and the
seller's response times (to disputes and to buyers' messages); the weekly trend is computed
from one read of the last 120 days."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.disputes import disputed_order_ids
from mercato.governance import ship_deadlines
from mercato.orders.service import order_timelines, reply_seconds
from mercato.performance import repository
from mercato.performance.calculations import (
    Metrics,
    OrderFacts,
    Rate,
    Thresholds,
    compute_metrics,
)
from mercato.performance.schemas import MetricsOut, RateOut, TrendPoint
from mercato.reviews import low_rated_order_ids

TREND_WEEKS = 13


@dataclass(frozen=True)
class SellerFacts:
    """Everything the metrics read of one seller since ``since``."""

    orders: list[OrderFacts]
    defect_order_ids: set[uuid.UUID]
    seller_name: str | None


async def seller_facts(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime, until: datetime
) -> SellerFacts:
    timelines = await order_timelines(session, since, until, seller_id=seller_id)
    deadlines = await ship_deadlines(session, [t.order_id for t in timelines])
    orders = []
    for timeline in timelines:
        deadline = deadlines.get(timeline.order_id)
        orders.append(
            OrderFacts(
                order_id=timeline.order_id,
                kind=timeline.kind,
                paid_at=timeline.paid_at,
                shipped_at=timeline.shipped_at,
                ship_due_at=deadline.due_at if deadline else None,
                ship_breached=bool(deadline and deadline.breached),
                tracking_number=timeline.tracking_number,
                canceled_at=timeline.canceled_at,
                canceled_by=timeline.canceled_by,
            )
        )
    defects = await low_rated_order_ids(session, seller_id, since)
    defects |= await disputed_order_ids(session, seller_id, since)
    name = timelines[-1].seller_name if timelines else None
    return SellerFacts(orders, defects, name)


def metrics_at(facts: SellerFacts, at: datetime, days: int, responses: list[int]) -> Metrics:
    since = at - timedelta(days=days)
    window = [o for o in facts.orders if since <= o.paid_at < at]
    return compute_metrics(window, facts.defect_order_ids, responses, days)


async def seller_metrics(
    session: AsyncSession, seller_id: uuid.UUID, at: datetime, days: int
) -> tuple[Metrics, SellerFacts]:
    """The seller's metrics over the ``days`` before ``at``. The median response time counts
    its first answers to disputes and its replies to buyers' messages (from the first buyer
    message it had not answered), for what buyers asked in the window."""
    since = at - timedelta(days=days)
    facts = await seller_facts(session, seller_id, since, at)
    responses = await repository.response_seconds(session, seller_id, since, at)
    responses += await reply_seconds(session, seller_id, since, at)
    return metrics_at(facts, at, days, responses), facts


def _rate(rate: Rate, threshold_bp: int, bound: str) -> RateOut:
    breached = rate.at_or_above(threshold_bp) if bound == "max" else rate.below(threshold_bp)
    return RateOut(
        numerator=rate.numerator,
        denominator=rate.denominator,
        bp=rate.bp,
        threshold_bp=threshold_bp,
        bound=bound,
        breached=breached,
    )


def metrics_out(metrics: Metrics, thresholds: Thresholds) -> MetricsOut:
    return MetricsOut(
        days=metrics.days,
        orders=metrics.orders,
        defect=_rate(metrics.defect, thresholds.defect_max_bp, "max"),
        late_shipment=_rate(metrics.late_shipment, thresholds.late_shipment_max_bp, "max"),
        cancellation=_rate(metrics.cancellation, thresholds.cancellation_max_bp, "max"),
        valid_tracking=_rate(metrics.valid_tracking, thresholds.valid_tracking_min_bp, "min"),
        median_response_seconds=metrics.median_response_seconds,
    )


async def weekly_trend(
    session: AsyncSession, seller_id: uuid.UUID, now: datetime
) -> list[TrendPoint]:
    """The 30-day rates at the end of each of the last 13 weeks, oldest first."""
    start = now - timedelta(weeks=TREND_WEEKS - 1, days=30)
    facts = await seller_facts(session, seller_id, start, now)
    points = []
    for week in range(TREND_WEEKS - 1, -1, -1):
        at = now - timedelta(weeks=week)
        metrics = metrics_at(facts, at, 30, [])
        points.append(
            TrendPoint(
                at=at,
                defect_bp=metrics.defect.bp,
                late_shipment_bp=metrics.late_shipment.bp,
                cancellation_bp=metrics.cancellation.bp,
                valid_tracking_bp=metrics.valid_tracking.bp,
            )
        )
    return points
