"""The restocking fee arithmetic: whole minor units, rounded half up, and the refund plus the
fee kept always exactly the amount of the returned units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.disputes.calculations import FEE_REASONS, fee_percent_for, split_return
from mercato.disputes.schemas import ReturnReason

amounts = st.integers(min_value=0, max_value=10**12)
percents = st.integers(min_value=0, max_value=100)


@given(amounts, percents)
def test_refund_and_fee_kept_add_up_to_the_line_amount(amount: int, percent: int):
    split = split_return(amount, percent)
    assert split.refund_minor + split.fee_minor == amount
    assert 0 <= split.fee_minor <= amount
    assert isinstance(split.fee_minor, int) and isinstance(split.refund_minor, int)


@given(amounts, percents)
def test_the_fee_is_the_percentage_rounded_half_up(amount: int, percent: int):
    fee = split_return(amount, percent).fee_minor
    # Within half a minor unit of the exact fee, and a half always goes up.
    assert abs(fee * 100 - amount * percent) * 2 <= 100
    if (amount * percent) % 100 == 50:
        assert fee * 100 == amount * percent + 50


@given(amounts, percents, percents)
def test_a_higher_fee_never_refunds_more(amount: int, low: int, high: int):
    low, high = sorted((low, high))
    assert split_return(amount, high).refund_minor <= split_return(amount, low).refund_minor


@given(amounts)
def test_no_fee_refunds_everything_and_a_full_fee_nothing(amount: int):
    assert split_return(amount, 0).refund_minor == amount
    assert split_return(amount, 100).refund_minor == 0


@pytest.mark.parametrize(
    ("amount", "percent", "refund", "fee"),
    [
        (1800, 10, 1620, 180),
        (1850, 15, 1572, 278),  # 277.5 rounds up
        (5, 10, 4, 1),  # 0.5 rounds up
        (4, 10, 4, 0),  # 0.4 rounds down
        (1999, 33, 1339, 660),  # 659.67
    ],
)
def test_worked_examples(amount: int, percent: int, refund: int, fee: int):
    split = split_return(amount, percent)
    assert (split.refund_minor, split.fee_minor) == (refund, fee)


@pytest.mark.parametrize(("amount", "percent"), [(-1, 10), (100, -1), (100, 101)])
def test_impossible_inputs_are_refused(amount: int, percent: int):
    with pytest.raises(ValueError):
        split_return(amount, percent)


@given(st.sampled_from(list(ReturnReason)) | st.none(), percents)
def test_only_a_change_of_mind_pays_the_fee(reason: ReturnReason | None, percent: int):
    expected = percent if reason is ReturnReason.CHANGED_MIND else 0
    assert fee_percent_for(reason, percent) == expected
    assert {ReturnReason.CHANGED_MIND} == FEE_REASONS
