"""The average in tenths of a star: exact, rounded half up, from integer sums."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from mercato.reviews.calculations import average_tenths


def test_examples():
    assert average_tenths(0, 0) == 0
    assert average_tenths(13, 3) == 43  # 4.333…
    assert average_tenths(9, 2) == 45  # 4.5 exactly
    assert average_tenths(29, 8) == 36  # 3.625 -> 3.6
    assert average_tenths(7, 4) == 18  # 1.75 -> 1.8 (half up)


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=500))
def test_matches_decimal_half_up(ratings: list[int]):
    exact = Decimal(sum(ratings)) / Decimal(len(ratings))
    expected = int((exact * 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert average_tenths(sum(ratings), len(ratings)) == expected
    assert 10 <= average_tenths(sum(ratings), len(ratings)) <= 50
