"""The pure SLA rules: validation, overrides, deadlines and the preview arithmetic."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mercato.governance.calculations import (
    DEFAULT_SLA,
    OrderFacts,
    evaluate_order,
    merged_parameters,
    order_deadlines,
    parameter_errors,
    preview,
    rate_bp,
    terms_from_parameters,
)

PAID = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SELLER = uuid.UUID(int=1)


def fields(parameters: dict[str, int]) -> list[str]:
    return [error.field for error in parameter_errors(parameters)]


def test_defaults_are_valid():
    assert parameter_errors(DEFAULT_SLA) == []


def test_zero_and_negative_durations_name_their_field():
    assert fields({**DEFAULT_SLA, "ship_within_days": 0, "return_window_days": -3}) == [
        "parameters.ship_within_days",
        "parameters.return_window_days",
    ]


def test_reminder_longer_than_the_shortest_deadline_is_refused():
    assert fields({**DEFAULT_SLA, "accept_within_hours": 10, "reminder_before_hours": 10}) == [
        "parameters.reminder_before_hours"
    ]


def test_auto_cancel_before_the_ship_deadline_is_refused():
    assert fields({**DEFAULT_SLA, "ship_within_days": 5, "auto_cancel_unshipped_days": 5}) == [
        "parameters.auto_cancel_unshipped_days"
    ]


def test_the_most_specific_category_override_wins():
    overrides = [
        {"category_id": "root", "parameters": {"ship_within_days": 5}},
        {"category_id": "leaf", "parameters": {"ship_within_days": 2}},
    ]
    assert merged_parameters(DEFAULT_SLA, overrides, ["root", "leaf"])["ship_within_days"] == 2
    assert merged_parameters(DEFAULT_SLA, overrides, ["root"])["ship_within_days"] == 5
    assert merged_parameters(DEFAULT_SLA, overrides, ["other"])["ship_within_days"] == 3


def test_goods_and_service_deadlines():
    terms = terms_from_parameters(DEFAULT_SLA)
    goods = order_deadlines("goods", PAID, terms)
    assert [(d.kind, d.due_at, d.remind_at) for d in goods] == [
        ("accept", PAID + timedelta(hours=48), PAID + timedelta(hours=36)),
        ("ship", PAID + timedelta(days=3), PAID + timedelta(days=3, hours=-12)),
        ("auto_cancel", PAID + timedelta(days=7), None),
    ]
    service = order_deadlines("service", PAID, terms)
    assert [(d.kind, d.due_at) for d in service] == [
        ("accept", PAID + timedelta(hours=48)),
        ("confirm", PAID + timedelta(days=14)),
    ]


def facts(shipped_after: timedelta | None, *, seller=SELLER, fee=100, canceled=None) -> OrderFacts:
    return OrderFacts(
        order_id=uuid.uuid4(),
        seller_id=seller,
        kind="goods",
        category_chain=(),
        paid_at=PAID,
        accepted_at=PAID + timedelta(hours=1),
        shipped_at=None if shipped_after is None else PAID + shipped_after,
        performed_at=None,
        canceled_at=canceled,
        fee_minor=fee,
    )


def test_an_order_shipped_late_breaches_and_an_unshipped_one_is_auto_cancelled():
    terms = terms_from_parameters(DEFAULT_SLA)
    now = PAID + timedelta(days=30)
    late = evaluate_order(facts(timedelta(days=4)), terms, now)
    assert late.breached == frozenset({"ship"}) and not late.auto_canceled
    never = evaluate_order(facts(None), terms, now)
    assert never.breached == frozenset({"ship"}) and never.auto_canceled
    cancelled_early = evaluate_order(facts(None, canceled=PAID + timedelta(days=1)), terms, now)
    assert cancelled_early.breached == frozenset() and not cancelled_early.auto_canceled


def test_preview_counts_breaches_sellers_crossing_and_fees():
    current = terms_from_parameters(DEFAULT_SLA)
    draft = terms_from_parameters(
        {**DEFAULT_SLA, "ship_within_days": 1, "auto_cancel_unshipped_days": 2}
    )
    other = uuid.UUID(int=2)
    orders = [facts(timedelta(hours=12)) for _ in range(10)] + [facts(timedelta(days=2))]
    orders.append(facts(timedelta(days=5), seller=other, fee=250))
    result = preview(orders, lambda _: current, lambda _: draft, PAID + timedelta(days=30))
    assert result.orders == 12
    assert result.breaches == {"accept": (0, 0), "ship": (1, 2), "confirm": (0, 0)}
    assert [(s.seller_id, s.current_bp, s.draft_bp) for s in result.sellers_crossing] == [
        (SELLER, 0, 909)
    ]
    assert [
        (f.current_orders, f.current_fee_minor, f.draft_orders, f.draft_fee_minor)
        for f in result.fee_impact
    ] == [(0, 0, 1, 250)]


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_rate_is_within_bounds(part: int, extra: int):
    whole = part + extra - 1 if part else extra
    whole = max(whole, part, 1)
    rate = rate_bp(part, whole)
    assert 0 <= rate <= 10_000
    assert abs(rate * whole - part * 10_000) <= whole  # rounded to the nearest basis point


@given(
    st.lists(st.one_of(st.none(), st.integers(0, 20 * 24)), min_size=0, max_size=30),
    st.integers(1, 10),
)
def test_a_stricter_ship_deadline_never_breaches_fewer_orders(hours: list[int | None], ship: int):
    lenient = terms_from_parameters(
        {**DEFAULT_SLA, "ship_within_days": ship + 1, "auto_cancel_unshipped_days": ship + 5}
    )
    strict = terms_from_parameters(
        {**DEFAULT_SLA, "ship_within_days": ship, "auto_cancel_unshipped_days": ship + 4}
    )
    orders = [facts(None if h is None else timedelta(hours=h)) for h in hours]
    result = preview(orders, lambda _: lenient, lambda _: strict, PAID + timedelta(days=60))
    current, draft = result.breaches["ship"]
    assert draft >= current
    assert result.auto_canceled[1] >= result.auto_canceled[0]
