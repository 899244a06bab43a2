"""The evaluation: each seller's 30-day metrics against the thresholds in force move its
standing one level up or down the ladder (warning → listings suppressed → payouts held →
suspended), each change recorded with its reason, announced and emailed. Derived from the
database and paced by the level's last change, so a second run at the same time does nothing."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock, events
from mercato.kit.auth import Principal, Role
from mercato.orders.service import order_timelines
from mercato.performance import repository
from mercato.performance.calculations import (
    LEVEL_LABELS,
    Level,
    Metrics,
    Thresholds,
    breaches,
    describe_breaches,
    next_level,
)
from mercato.performance.events import SellerStandingChanged
from mercato.performance.models import Standing, StandingChange
from mercato.performance.schemas import EvaluationReport
from mercato.performance.service._notices import mail_seller
from mercato.performance.service.metrics import metrics_out, seller_metrics
from mercato.performance.service.thresholds import thresholds_at
from mercato.sellers.service import get_seller, reinstate_by_system, suspend_by_system

EVALUATED_DAYS = 30
ACTIVE_DAYS = 90
# Who suspends and reinstates in the sellers' audit trail: performance lifts only the
# suspensions it made itself, never one an admin decided by hand.
ORIGIN = "Seller performance"
KEPT_SUSPENDED = (
    "The shop stays suspended: the marketplace team suspended it, and only they can lift it."
)

CONSEQUENCES = {
    Level.GOOD: "Your shop is back in good standing.",
    Level.WARNING: "This is a warning: if the metrics do not improve, your listings will be "
    "suppressed from search.",
    Level.SUPPRESSED: "Your listings no longer appear in search results (they stay reachable "
    "by direct link).",
    Level.PAYOUTS_HELD: "Your payouts are on hold and your listings stay out of search.",
    Level.SUSPENDED: "Your shop is suspended.",
}


async def sellers_to_evaluate(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Sellers with orders paid in the last 90 days, and every seller with a standing."""
    timelines = await order_timelines(session, now - timedelta(days=ACTIVE_DAYS), now)
    found = {t.seller_id for t in timelines} | set(await repository.sellers_with_standing(session))
    return sorted(found, key=str)


async def _standing(session: AsyncSession, seller_id: uuid.UUID, name: str | None) -> Standing:
    standing = await repository.get_standing(session, seller_id, for_update=True)
    if standing is None:
        if name is None:
            seller = await get_seller(session, seller_id)
            name = seller.business_name if seller else "Unknown seller"
        standing = Standing(seller_id=seller_id, seller_name=name, level=0, metrics={})
        session.add(standing)
        await session.flush()
    return standing


def _reason(
    target: Level, current: Level, metrics: Metrics, found: tuple[str, ...], thresholds: Thresholds
) -> str:
    if target > current:
        return f"Over the last 30 days: {describe_breaches(metrics, found, thresholds)}."
    return "The last 30 days' metrics are within every threshold."


async def evaluate_seller(
    session: AsyncSession, seller_id: uuid.UUID, now: datetime | None = None
) -> int:
    """Evaluate one seller: +1 escalated, -1 stepped down, 0 unchanged (for the system)."""
    now = now or clock.now()
    thresholds = await thresholds_at(session, now)
    metrics, facts = await seller_metrics(session, seller_id, now, EVALUATED_DAYS)
    found = breaches(metrics, thresholds)
    standing = await _standing(session, seller_id, facts.seller_name)
    current = Level(standing.level)
    target = next_level(
        current, bool(found), now, standing.changed_at, standing.protected_until, thresholds
    )
    standing.evaluated_at, standing.breaching = now, bool(found)
    standing.metrics = metrics_out(metrics, thresholds).model_dump(mode="json")
    if target == current:
        await session.flush()
        return 0
    reason = _reason(target, current, metrics, found, thresholds)
    await change_level(session, standing, target, "evaluation", reason, now)
    return 1 if target > current else -1


async def change_level(
    session: AsyncSession,
    standing: Standing,
    target: Level,
    cause: str,
    reason: str,
    now: datetime,
) -> StandingChange:
    """Move the standing to ``target``: apply the suspension (or lift it, when performance
    made it: a suspension an admin decided stays, and the reason says so), record the change,
    announce it (search follows the event) and email the seller."""
    current = Level(standing.level)
    if target is Level.SUSPENDED:
        await suspend_by_system(
            session, standing.seller_id, f"Seller performance: {reason}", origin=ORIGIN
        )
    elif current is Level.SUSPENDED and not await reinstate_by_system(
        session, standing.seller_id, origin=ORIGIN
    ):
        reason = f"{reason} {KEPT_SUSPENDED}"
    change = StandingChange(
        seller_id=standing.seller_id,
        from_level=current,
        to_level=target,
        cause=cause,
        reason=reason,
        metrics=dict(standing.metrics),
        created_at=now,
    )
    session.add(change)
    standing.level, standing.changed_at = int(target), now
    await session.flush()
    events.record(
        session,
        SellerStandingChanged(
            change.id, standing.seller_id, int(current), int(target), cause, reason, now
        ),
    )
    subject = f"Your seller standing: {LEVEL_LABELS[target]}"
    await mail_seller(session, standing.seller_id, subject, f"{reason} {CONSEQUENCES[target]}")
    return change


async def evaluate_all(session: AsyncSession, principal: Principal) -> EvaluationReport:
    """Evaluate every active seller in one unit of work (the admin's "run now")."""
    principal.require_role(Role.ADMIN)
    now = clock.now()
    report = EvaluationReport()
    for seller_id in await sellers_to_evaluate(session, now):
        moved = await evaluate_seller(session, seller_id, now)
        report.evaluated += 1
        report.escalated += moved > 0
        report.deescalated += moved < 0
    return report


# --- what other domains read ------------------------------------------------------------------


async def seller_level(session: AsyncSession, seller_id: uuid.UUID) -> Level:
    standing = await repository.get_standing(session, seller_id)
    return Level(standing.level) if standing else Level.GOOD


async def listings_suppressed(session: AsyncSession, seller_id: uuid.UUID) -> bool:
    """Whether the seller's listings stay out of search (for the system)."""
    return await seller_level(session, seller_id) >= Level.SUPPRESSED


async def payouts_held(session: AsyncSession, seller_id: uuid.UUID) -> bool:
    """Whether the seller's payouts are held for poor performance (for the system)."""
    return await seller_level(session, seller_id) >= Level.PAYOUTS_HELD
