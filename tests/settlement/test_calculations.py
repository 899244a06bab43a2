"""Settlement money math: the fee a refund gives back is proportional (half up), the last refund
takes exactly what is left, the seller's net never goes negative and every sum stays exact; an
order's hold period is its seller's, lengthened by the deepest category hold of each line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.settlement.calculations import (
    Remaining,
    fee_share,
    line_refund_minor,
    order_hold_days,
    remaining,
)


@st.composite
def escrow_and_refunds(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    captured = draw(st.integers(1, 10**9))
    fee = draw(st.integers(0, captured))
    refunds = draw(st.lists(st.integers(1, captured), max_size=12))
    return captured, fee, refunds


@given(escrow_and_refunds())
def test_refunds_split_gross_and_fee_exactly(case: tuple[int, int, list[int]]) -> None:
    captured, fee, wanted = case
    refunded = refunded_fee = 0
    for amount in wanted:
        left = remaining(captured, fee, refunded, refunded_fee)
        amount = min(amount, left.gross_minor)
        if amount == 0:
            break
        share = fee_share(amount, left)
        assert 0 <= share <= amount  # the seller's part of a refund is never negative
        refunded, refunded_fee = refunded + amount, refunded_fee + share
        after = remaining(captured, fee, refunded, refunded_fee)
        assert 0 <= after.fee_minor <= after.gross_minor  # net + fee = gross, net >= 0
        assert after.net_minor + after.fee_minor == after.gross_minor
    left = remaining(captured, fee, refunded, refunded_fee)
    if left.gross_minor:
        last = fee_share(left.gross_minor, left)
        assert last == left.fee_minor  # the last refund takes exactly what is left
        refunded, refunded_fee = refunded + left.gross_minor, refunded_fee + last
    assert (refunded, refunded_fee) == (captured, fee)


def test_fee_share_rounds_half_up_and_refuses_too_much() -> None:
    assert fee_share(1, Remaining(gross_minor=2, fee_minor=1)) == 1  # 0.5 rounds up
    assert fee_share(1, Remaining(gross_minor=3, fee_minor=1)) == 0
    assert fee_share(3, Remaining(gross_minor=3, fee_minor=1)) == 1
    assert fee_share(5, Remaining(gross_minor=5, fee_minor=5)) == 5  # 100% commission
    with pytest.raises(ValueError):
        fee_share(4, Remaining(gross_minor=3, fee_minor=1))
    with pytest.raises(ValueError):
        fee_share(0, Remaining(gross_minor=3, fee_minor=1))


@given(
    quantity=st.integers(1, 50),
    total=st.integers(0, 10**7),
    steps=st.lists(st.integers(1, 50), max_size=20),
)
def test_line_refunds_never_exceed_the_line(quantity: int, total: int, steps: list[int]) -> None:
    units = amount = 0
    for step in steps:
        step = min(step, quantity - units)
        if step == 0:
            break
        part = line_refund_minor(step, quantity, total, units, amount)
        assert part >= 0
        units, amount = units + step, amount + part
        assert amount <= total
    if units < quantity:
        amount += line_refund_minor(quantity - units, quantity, total, units, amount)
    assert amount == total


def test_line_refund_of_one_yen_unit_and_of_the_last_units() -> None:
    assert line_refund_minor(1, 3, 10, 0, 0) == 3
    assert line_refund_minor(1, 3, 10, 1, 3) == 4  # round(20 / 3) = 7, minus 3 taken
    assert line_refund_minor(1, 3, 10, 2, 7) == 3
    with pytest.raises(ValueError):
        line_refund_minor(2, 3, 10, 2, 7)


def test_the_deepest_category_hold_of_a_line_applies_and_only_lengthens():
    home, ceramics, repairs = "home", "ceramics", "repairs"
    holds = {home: 10, ceramics: 5}
    assert order_hold_days(2, holds, [[home, ceramics]]) == 5
    assert order_hold_days(2, holds, [[home]]) == 10
    assert order_hold_days(7, holds, [[home, ceramics]]) == 7
    assert order_hold_days(2, holds, [[home, ceramics], [home]]) == 10
    assert order_hold_days(3, holds, [["services", repairs], []]) == 3
    assert order_hold_days(0, {}, []) == 0


@given(
    base=st.integers(0, 60),
    holds=st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 60)),
    chains=st.lists(st.lists(st.sampled_from("abcdef"), max_size=4), max_size=5),
)
def test_an_order_waits_at_least_its_base_and_at_most_its_longest_hold(base, holds, chains):
    days = order_hold_days(base, holds, chains)
    assert days >= base
    assert days <= max([base, *holds.values()])
    if not any(category in holds for chain in chains for category in chain):
        assert days == base
