"""What sellers and staff read: one seller's metrics (30 and 90 days), trend, standing,
history and appeals; the staff table of every evaluated seller."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound
from mercato.performance import repository
from mercato.performance.calculations import LEVEL_LABELS, WINDOWS, Level
from mercato.performance.schemas import (
    AppealOut,
    ChangeOut,
    SellerPerformance,
    SellerRow,
    StandingOut,
)
from mercato.performance.service._access import own_seller_id
from mercato.performance.service.appeals import appealable_change
from mercato.performance.service.metrics import metrics_out, seller_metrics, weekly_trend
from mercato.performance.service.thresholds import thresholds_at
from mercato.sellers.service import get_seller

SORTS = ("level", "defect", "late_shipment", "cancellation", "valid_tracking", "orders")


async def _performance(session: AsyncSession, seller_id: uuid.UUID) -> SellerPerformance:
    now = clock.now()
    thresholds = await thresholds_at(session, now)
    standing = await repository.get_standing(session, seller_id)
    metrics = []
    name = standing.seller_name if standing else None
    for days in WINDOWS:
        found, facts = await seller_metrics(session, seller_id, now, days)
        metrics.append(metrics_out(found, thresholds))
        name = name or facts.seller_name
    if name is None:
        seller = await get_seller(session, seller_id)
        if seller is None:
            raise NotFound("No such seller.")
        name = seller.business_name
    latest = await repository.latest_change(session, seller_id)
    appealable = await appealable_change(session, seller_id)
    level = Level(standing.level) if standing else Level.GOOD
    return SellerPerformance(
        standing=StandingOut(
            seller_id=seller_id,
            seller_name=name,
            level=level,
            level_label=LEVEL_LABELS[level],
            changed_at=standing.changed_at if standing else None,
            protected_until=standing.protected_until if standing else None,
            evaluated_at=standing.evaluated_at if standing else None,
            reason=latest.reason if latest and level > Level.GOOD else None,
            appealable_change_id=appealable.id if appealable else None,
        ),
        metrics=metrics,
        trend=await weekly_trend(session, seller_id, now),
        history=[
            ChangeOut.model_validate(c) for c in await repository.list_changes(session, seller_id)
        ],
        appeals=[
            AppealOut.model_validate(a)
            for a in await repository.list_appeals(session, seller_id=seller_id)
        ],
    )


async def my_performance(session: AsyncSession, principal: Principal) -> SellerPerformance:
    """The signed-in seller's metrics, trend, standing, history and appeals."""
    return await _performance(session, await own_seller_id(session, principal))


async def seller_performance(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID
) -> SellerPerformance:
    """One seller's performance (staff)."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return await _performance(session, seller_id)


def _bp(metrics: dict[str, object], name: str) -> int | None:
    rate = metrics.get(name)
    return rate.get("bp") if isinstance(rate, dict) else None


def _sort_key(sort: str) -> Callable[[SellerRow], tuple[int, int, str]]:
    def key(row: SellerRow) -> tuple[int, int, str]:
        if sort == "orders":
            return (0, -row.orders, row.seller_name)
        if sort == "level":
            return (0, -row.level, row.seller_name)
        value = getattr(row, f"{sort}_bp")
        if value is None:  # no data sorts last
            return (1, 0, row.seller_name)
        # The worst first: the highest rate, or the lowest valid tracking.
        return (0, value if sort == "valid_tracking" else -value, row.seller_name)

    return key


async def seller_table(
    session: AsyncSession, principal: Principal, *, level: int | None = None, sort: str = "level"
) -> list[SellerRow]:
    """Every evaluated seller with its last 30-day metrics and level, the worst first by
    ``sort`` (staff)."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    rows = [
        SellerRow(
            seller_id=s.seller_id,
            seller_name=s.seller_name,
            level=s.level,
            level_label=LEVEL_LABELS[Level(s.level)],
            breaching=s.breaching,
            evaluated_at=s.evaluated_at,
            orders=int(s.metrics.get("orders", 0)),
            defect_bp=_bp(s.metrics, "defect"),
            late_shipment_bp=_bp(s.metrics, "late_shipment"),
            cancellation_bp=_bp(s.metrics, "cancellation"),
            valid_tracking_bp=_bp(s.metrics, "valid_tracking"),
        )
        for s in await repository.list_standings(session, level)
    ]
    return sorted(rows, key=_sort_key(sort if sort in SORTS else "level"))
