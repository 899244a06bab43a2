"""Pure performance math: the seller metrics over a window (rates in basis points, exact
integer arithmetic), whether they breach the thresholds, and the escalation ladder. No I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

BASIS_POINTS = 10_000
WINDOWS = (30, 90)


class Level(IntEnum):
    """The escalation ladder, one step per evaluation at most."""

    GOOD = 0
    WARNING = 1
    SUPPRESSED = 2
    PAYOUTS_HELD = 3
    SUSPENDED = 4


LEVEL_LABELS = {
    Level.GOOD: "Good standing",
    Level.WARNING: "Warning",
    Level.SUPPRESSED: "Listings suppressed in search",
    Level.PAYOUTS_HELD: "Payouts held",
    Level.SUSPENDED: "Suspended",
}

METRIC_LABELS = {
    "defect": "Order defect rate",
    "late_shipment": "Late shipment rate",
    "cancellation": "Pre-fulfilment cancellation rate",
    "valid_tracking": "Valid tracking rate",
}


@dataclass(frozen=True)
class Thresholds:
    """The limits in basis points (a rate breaches at or above a maximum, below a minimum),
    the orders a seller needs in the window before it can breach, and the pacing."""

    defect_max_bp: int = 100
    cancellation_max_bp: int = 250
    late_shipment_max_bp: int = 400
    valid_tracking_min_bp: int = 9_500
    min_orders: int = 5
    cooldown_days: int = 7
    protection_days: int = 14


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class OrderFacts:
    """What the metrics read of one paid order."""

    order_id: uuid.UUID
    kind: str
    paid_at: datetime
    shipped_at: datetime | None = None
    ship_due_at: datetime | None = None
    ship_breached: bool = False
    tracking_number: str | None = None
    canceled_at: datetime | None = None
    canceled_by: str | None = None


@dataclass(frozen=True)
class Rate:
    """``numerator`` / ``denominator``; no data (``bp`` None) when the denominator is zero."""

    numerator: int
    denominator: int

    @property
    def bp(self) -> int | None:
        if self.denominator == 0:
            return None
        return rounded_bp(self.numerator, self.denominator)

    def at_or_above(self, limit_bp: int) -> bool:
        return self.denominator > 0 and self.numerator * BASIS_POINTS >= limit_bp * self.denominator

    def below(self, limit_bp: int) -> bool:
        return self.denominator > 0 and self.numerator * BASIS_POINTS < limit_bp * self.denominator


@dataclass(frozen=True)
class Metrics:
    days: int
    orders: int
    defect: Rate
    late_shipment: Rate
    cancellation: Rate
    valid_tracking: Rate
    median_response_seconds: int | None
    breaches: tuple[str, ...] = field(default=())


def rounded_bp(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` in basis points, rounded half up, exactly."""
    return (2 * numerator * BASIS_POINTS + denominator) // (2 * denominator)


def median_seconds(durations: Iterable[int]) -> int | None:
    """The median (the lower-half mean floored for an even count); None without data."""
    ordered = sorted(durations)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) // 2


def _late(order: OrderFacts) -> bool:
    if order.ship_breached:
        return True
    return (
        order.shipped_at is not None
        and order.ship_due_at is not None
        and order.shipped_at > order.ship_due_at
    )


def compute_metrics(
    orders: Sequence[OrderFacts],
    defect_order_ids: set[uuid.UUID],
    response_seconds: Sequence[int],
    days: int,
) -> Metrics:
    """The metrics of the orders paid in the window. The order defect rate counts orders with a
    1-2 star review, a dispute or a chargeback (the platform has no chargebacks yet: they count
    as 0). Late shipment and valid tracking read the shipped goods orders; the cancellation
    rate counts orders the seller (or the SLA auto-cancel) cancelled before shipping."""
    shipped = [o for o in orders if o.kind == "goods" and o.shipped_at is not None]
    cancelled = [
        o
        for o in orders
        if o.canceled_at is not None and o.shipped_at is None and o.canceled_by in SELLER_SIDE
    ]
    return Metrics(
        days=days,
        orders=len(orders),
        defect=Rate(sum(1 for o in orders if o.order_id in defect_order_ids), len(orders)),
        late_shipment=Rate(sum(1 for o in shipped if _late(o)), len(shipped)),
        cancellation=Rate(len(cancelled), len(orders)),
        valid_tracking=Rate(
            sum(1 for o in shipped if (o.tracking_number or "").strip()), len(shipped)
        ),
        median_response_seconds=median_seconds(response_seconds),
    )


SELLER_SIDE = frozenset({"seller", "system"})


def breaches(metrics: Metrics, thresholds: Thresholds) -> tuple[str, ...]:
    """The metrics over their threshold; none while the seller has fewer orders than the
    minimum (one bad order of a tiny shop must not suspend it)."""
    if metrics.orders < thresholds.min_orders:
        return ()
    found = []
    if metrics.defect.at_or_above(thresholds.defect_max_bp):
        found.append("defect")
    if metrics.late_shipment.at_or_above(thresholds.late_shipment_max_bp):
        found.append("late_shipment")
    if metrics.cancellation.at_or_above(thresholds.cancellation_max_bp):
        found.append("cancellation")
    if metrics.valid_tracking.below(thresholds.valid_tracking_min_bp):
        found.append("valid_tracking")
    return tuple(found)


def next_level(
    current: Level,
    breaching: bool,
    now: datetime,
    changed_at: datetime | None,
    protected_until: datetime | None,
    thresholds: Thresholds,
) -> Level:
    """One step up when breaching (at most once per cooldown, never while an accepted appeal
    protects the seller), one step down when not (at most once a day: the evaluation's
    period, so running it twice changes nothing)."""
    since_change = None if changed_at is None else now - changed_at
    if breaching:
        if current is Level.SUSPENDED or (protected_until is not None and now < protected_until):
            return current
        if since_change is not None and since_change < timedelta(days=thresholds.cooldown_days):
            return current
        return Level(current + 1)
    if current is Level.GOOD:
        return current
    if since_change is not None and since_change < timedelta(days=1):
        return current
    return Level(current - 1)


def format_bp(bp: int | None) -> str:
    """``250`` → ``"2.5%"``; no data → ``"no data"``."""
    if bp is None:
        return "no data"
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def describe_breaches(metrics: Metrics, found: Sequence[str], thresholds: Thresholds) -> str:
    """A sentence the seller reads: each breached metric with its value and its limit."""
    limits = {
        "defect": ("below", thresholds.defect_max_bp),
        "late_shipment": ("below", thresholds.late_shipment_max_bp),
        "cancellation": ("below", thresholds.cancellation_max_bp),
        "valid_tracking": ("at least", thresholds.valid_tracking_min_bp),
    }
    parts = []
    for name in found:
        rate: Rate = getattr(metrics, name)
        word, limit = limits[name]
        parts.append(
            f"{METRIC_LABELS[name]} {format_bp(rate.bp)} ({rate.numerator}/{rate.denominator} "
            f"orders; must be {word} {format_bp(limit)})"
        )
    return "; ".join(parts)
