"""The pure performance math: exact basis points, no data on an empty denominator, breaches
with the minimum of orders, and the escalation ladder with its pacing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mercato.performance.calculations import (
    DEFAULT_THRESHOLDS,
    Level,
    OrderFacts,
    Rate,
    breaches,
    compute_metrics,
    format_bp,
    median_seconds,
    next_level,
    rounded_bp,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def order(**changes) -> OrderFacts:
    base = {"order_id": uuid.uuid4(), "kind": "goods", "paid_at": NOW - timedelta(days=5)}
    return OrderFacts(**(base | changes))


def test_rates_round_half_up_and_empty_is_no_data():
    assert Rate(1, 3).bp == 3333 and Rate(2, 3).bp == 6667 and Rate(1, 8).bp == 1250
    assert Rate(0, 0).bp is None and not Rate(0, 0).at_or_above(0) and not Rate(0, 0).below(1)
    assert format_bp(250) == "2.5%" and format_bp(400) == "4%" and format_bp(None) == "no data"


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_rounded_bp_is_within_half_a_point(numerator, denominator):
    bp = rounded_bp(numerator, denominator)
    assert abs(bp * denominator - numerator * 10_000) * 2 <= denominator


@given(st.lists(st.integers(0, 10**6), max_size=30))
def test_median_lies_between_the_extremes(values):
    found = median_seconds(values)
    assert found is None if not values else min(values) <= found <= max(values)


def test_metrics_count_each_rule():
    shipped = NOW - timedelta(days=4)
    orders = [
        order(shipped_at=shipped, tracking_number="JD0001", ship_breached=True),
        order(shipped_at=shipped, ship_due_at=shipped - timedelta(hours=1)),  # late, no tracking
        order(shipped_at=shipped, ship_due_at=shipped, tracking_number="JD0002"),
        order(canceled_at=shipped, canceled_by="seller"),
        order(canceled_at=shipped, canceled_by="buyer"),
        order(kind="service"),
    ]
    metrics = compute_metrics(orders, {orders[0].order_id, uuid.uuid4()}, [60, 180, 120], 30)
    assert (metrics.defect.numerator, metrics.defect.denominator) == (1, 6)
    assert (metrics.late_shipment.numerator, metrics.late_shipment.denominator) == (2, 3)
    assert (metrics.cancellation.numerator, metrics.cancellation.denominator) == (1, 6)
    assert (metrics.valid_tracking.numerator, metrics.valid_tracking.denominator) == (2, 3)
    assert metrics.median_response_seconds == 120
    assert breaches(metrics, DEFAULT_THRESHOLDS) == (
        "defect",
        "late_shipment",
        "cancellation",
        "valid_tracking",
    )
    few = compute_metrics(orders[:4], set(), [], 30)
    assert breaches(few, DEFAULT_THRESHOLDS) == ()  # fewer than 5 orders


def test_the_ladder_is_paced_and_reversible():
    t = DEFAULT_THRESHOLDS
    day = timedelta(days=1)
    assert next_level(Level.GOOD, True, NOW, None, None, t) is Level.WARNING
    assert next_level(Level.WARNING, True, NOW, NOW - 6 * day, None, t) is Level.WARNING
    assert next_level(Level.WARNING, True, NOW, NOW - 7 * day, None, t) is Level.SUPPRESSED
    assert next_level(Level.SUSPENDED, True, NOW, NOW - 30 * day, None, t) is Level.SUSPENDED
    assert next_level(Level.WARNING, True, NOW, NOW - 30 * day, NOW + day, t) is Level.WARNING
    assert next_level(Level.SUPPRESSED, False, NOW, NOW - day / 2, None, t) is Level.SUPPRESSED
    assert next_level(Level.SUPPRESSED, False, NOW, NOW - day, None, t) is Level.WARNING
    assert next_level(Level.GOOD, False, NOW, None, None, t) is Level.GOOD
