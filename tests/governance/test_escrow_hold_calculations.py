"""The escrow hold policy's pure rules: its parameters and their field errors, the hold of a
stored version, and the preview's aggregation of replayed orders (property-tested: every
order is counted once on each side, the money held longer is exactly that of the orders
released later)."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from mercato.governance.calculations import (
    HOLD_BUCKETS,
    NO_ESCROW_HOLD,
    ReplayedHold,
    average_tenths,
    escrow_hold_of,
    hold_parameter_errors,
    preview_holds,
)

SELLERS = [uuid.UUID(int=n) for n in range(1, 4)]


def fields(errors) -> list[str]:
    return [error.field for error in errors]


def test_hold_days_are_whole_days_from_0_to_60():
    assert hold_parameter_errors({"hold_days": 0}, "parameters", required=True) == []
    assert hold_parameter_errors({"hold_days": 60}, "parameters", required=True) == []
    assert hold_parameter_errors({}, "parameters", required=False) == []
    for value in (-1, 61, True, "3"):
        errors = hold_parameter_errors({"hold_days": value}, "parameters", required=False)
        assert fields(errors) == ["parameters.hold_days"], value
    missing = hold_parameter_errors({}, "overrides.2.parameters", required=True)
    assert fields(missing) == ["overrides.2.parameters.hold_days"]
    assert missing[0].message == "Enter the hold period in days."
    unknown = hold_parameter_errors({"days": 3, "hold_days": 99}, "parameters", required=False)
    assert fields(unknown) == ["parameters.days", "parameters.hold_days"]
    assert unknown[1].message == "Enter a hold period from 0 to 60 days."


def test_a_stored_version_gives_its_base_and_category_periods():
    lamps = uuid.uuid4()
    hold = escrow_hold_of(
        {"hold_days": 3},
        [{"category_id": str(lamps), "parameters": {"hold_days": 7}}],
        version_id=None,
        version=2,
    )
    assert (hold.version, hold.base_days, dict(hold.category_days)) == (2, 3, {str(lamps): 7})
    assert escrow_hold_of({}, []).base_days is None
    assert NO_ESCROW_HOLD.category_days == {}


def replayed(seller: uuid.UUID, now: int, draft: int, minor: int = 1000, currency: str = "EUR"):
    return ReplayedHold(uuid.uuid4(), seller, currency, minor, now, draft)


def test_preview_counts_moves_money_averages_and_the_most_affected_sellers():
    orders = [
        replayed(SELLERS[0], 3, 5, 2000),
        replayed(SELLERS[0], 7, 10, 3000),
        replayed(SELLERS[1], 9, 9, 5000),  # the seller's own hold: unchanged
        replayed(SELLERS[2], 3, 1, 700),
        replayed(SELLERS[2], 3, 5, 400, "GBP"),
    ]
    result = preview_holds(orders)
    assert (result.orders, result.earlier, result.later) == (5, 1, 3)
    assert (result.current_average_tenths, result.draft_average_tenths) == (50, 60)
    assert [(m.currency, m.orders, m.amount_minor) for m in result.held_longer] == [
        ("EUR", 2, 5000),
        ("GBP", 1, 400),
    ]
    assert result.buckets == [
        ("0 days", 0, 0),
        ("1\N{EN DASH}3 days", 3, 1),
        ("4\N{EN DASH}7 days", 1, 2),
        ("8\N{EN DASH}14 days", 1, 2),
        ("15\N{EN DASH}30 days", 0, 0),
        ("31\N{EN DASH}60 days", 0, 0),
    ]
    # Seller 0 moves five days in all, seller 2 two in euros and two in pounds; seller 1 none.
    assert [(s.seller_id, s.currency, s.moved_days) for s in result.sellers] == [
        (SELLERS[0], "EUR", 5),
        (SELLERS[2], "GBP", 2),
        (SELLERS[2], "EUR", 2),
    ]
    first = result.sellers[0]
    assert (first.orders, first.later, first.earlier, first.held_longer_minor) == (2, 2, 0, 5000)
    assert (first.current_average_tenths, first.draft_average_tenths) == (50, 75)
    assert preview_holds(orders, most_affected=1).sellers == result.sellers[:1]


def test_average_in_tenths_rounds_half_up():
    assert average_tenths(0, 0) == 0
    assert average_tenths(10, 3) == 33  # 3.333…
    assert average_tenths(1, 4) == 3  # 0.25 → 0.3
    assert average_tenths(5, 3) == 17  # 1.666…


holds = st.integers(min_value=0, max_value=60)
orders_strategy = st.lists(
    st.builds(
        replayed,
        st.sampled_from(SELLERS),
        holds,
        holds,
        st.integers(min_value=0, max_value=10**9),
        st.sampled_from(["EUR", "GBP", "JPY"]),
    ),
    max_size=40,
)


@given(orders_strategy)
def test_every_order_is_counted_once_on_each_side(orders: list[ReplayedHold]):
    result = preview_holds(orders, most_affected=len(SELLERS) * 3)
    unchanged = sum(1 for o in orders if o.draft_days == o.current_days)
    assert result.earlier + result.later + unchanged == result.orders == len(orders)
    assert sum(now for _, now, _ in result.buckets) == len(orders)
    assert sum(draft for _, _, draft in result.buckets) == len(orders)
    assert len(result.buckets) == len(HOLD_BUCKETS)
    longer = sum(o.held_minor for o in orders if o.draft_days > o.current_days)
    assert sum(m.amount_minor for m in result.held_longer) == longer
    assert sum(s.held_longer_minor for s in result.sellers) == longer
    assert sum(s.later for s in result.sellers) == result.later
    assert sum(s.earlier for s in result.sellers) == result.earlier
    moved = [s.moved_days for s in result.sellers]
    assert moved == sorted(moved, reverse=True) and all(moved)


@given(st.lists(holds, min_size=1, max_size=30))
def test_the_average_stays_between_the_shortest_and_the_longest_hold(days: list[int]):
    tenths = average_tenths(sum(days), len(days))
    assert min(days) * 10 <= tenths <= max(days) * 10
    assert abs(tenths * len(days) - sum(days) * 10) * 2 <= len(days)
