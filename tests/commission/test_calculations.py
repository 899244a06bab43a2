"""The pure fee math: exact splits in every currency, tiers, fixed fees and bounds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mercato.commission.calculations import (
    LineInput,
    explain,
    format_rate,
    line_fees,
    percentage_fee,
    running_volumes,
)
from mercato.commission.policy import discounted
from mercato.commission.schemas import FeeTerms, TierBand

amounts = st.integers(min_value=0, max_value=10**12)
rates = st.integers(min_value=0, max_value=10_000)
maybe_amount = st.none() | st.integers(min_value=0, max_value=10**6)


@st.composite
def terms(draw: st.DrawFn) -> FeeTerms:
    low, high = draw(maybe_amount), draw(maybe_amount)
    if low is not None and high is not None and low > high:
        low, high = high, low
    starts = sorted(draw(st.sets(st.integers(1, 10**7), max_size=3)))
    tiers = tuple(TierBand(s, draw(rates)) for s in [0, *starts]) if draw(st.booleans()) else ()
    return FeeTerms(
        rate_bps=draw(rates),
        tiers=tiers,
        tier_mode=draw(st.sampled_from(["marginal", "whole_volume"])),
        fixed_per_item_minor=draw(st.integers(0, 1000)),
        fixed_per_order_minor=draw(st.integers(0, 1000)),
        min_fee_minor=low,
        max_fee_minor=high,
    )


@given(st.lists(st.tuples(amounts, st.integers(1, 50), terms()), min_size=1, max_size=6), amounts)
def test_every_line_splits_exactly(lines: list[tuple[int, int, FeeTerms]], trailing: int) -> None:
    volumes = running_volumes(trailing, [gross for gross, _, _ in lines])
    inputs = [
        LineInput(gross, qty, t, group=str(i % 2), volume_before_minor=v)
        for i, ((gross, qty, t), v) in enumerate(zip(lines, volumes, strict=True))
    ]
    for line, fee in zip(inputs, line_fees(inputs), strict=True):
        assert 0 <= fee.fee_minor <= line.gross_minor
        assert fee.fee_minor + fee.net_minor == line.gross_minor


@given(amounts, rates)
def test_flat_rate_is_rounded_half_up_once(gross: int, rate: int) -> None:
    fee, tier = percentage_fee(gross, 0, FeeTerms(rate_bps=rate))
    assert tier is None
    assert fee == (2 * gross * rate + 10_000) // 20_000


def test_zero_and_hundred_percent_and_one_minor_unit() -> None:
    for currency_amount in (1, 100, 1000):  # one yen, one cent-ish, one fils-ish
        assert line_fees([LineInput(currency_amount, 1, FeeTerms(0), "g")])[0].fee_minor == 0
        full = line_fees([LineInput(currency_amount, 1, FeeTerms(10_000), "g")])[0]
        assert (full.fee_minor, full.net_minor) == (currency_amount, 0)
    # 10% of one minor unit rounds to 0; 50% of one rounds half up to 1.
    assert line_fees([LineInput(1, 1, FeeTerms(1000), "g")])[0].fee_minor == 0
    assert line_fees([LineInput(1, 1, FeeTerms(5000), "g")])[0].fee_minor == 1


def test_currencies_with_0_2_and_3_decimals() -> None:
    seven = FeeTerms(700, min_fee_minor=50)
    jpy = line_fees([LineInput(1999, 1, seven, "g")])[0]  # ¥1999 → ¥139.93 → 140
    eur = line_fees([LineInput(1999, 1, seven, "g")])[0]
    kwd = line_fees([LineInput(12_345, 1, FeeTerms(700), "g")])[0]  # 12.345 KWD → 0.864 KWD
    assert (jpy.fee_minor, eur.fee_minor, kwd.fee_minor) == (140, 140, 864)
    assert explain("Electronics", seven, eur, "EUR") == "Electronics 7%, min €0.50"
    assert explain("Electronics", seven, jpy, "JPY") == "Electronics 7%, min ¥50"
    assert explain("X", FeeTerms(700, min_fee_minor=500), kwd, "KWD") == "X 7%, min KWD 0.500"


def test_marginal_and_whole_volume_tiers() -> None:
    tiers = (TierBand(0, 1000), TierBand(100_000, 800), TierBand(500_000, 500))
    marginal = FeeTerms(tiers=tiers, tier_mode="marginal")
    whole = FeeTerms(tiers=tiers, tier_mode="whole_volume")
    # 90_000 before: 10_000 at 10% + 40_000 at 8% = 1000 + 3200
    assert percentage_fee(50_000, 90_000, marginal) == (4200, 2)
    # whole volume: the tier reached before the line (tier 1) applies to all of it
    assert percentage_fee(50_000, 90_000, whole) == (5000, 1)
    assert percentage_fee(50_000, 100_000, whole) == (4000, 2)
    assert percentage_fee(10_000, 600_000, marginal) == (500, 3)


def test_fixed_fees_min_max_and_per_order_spread() -> None:
    terms = FeeTerms(500, fixed_per_item_minor=30, fixed_per_order_minor=100, max_fee_minor=400)
    fees = line_fees(
        [
            LineInput(1000, 2, terms, "a"),
            LineInput(3000, 1, terms, "a"),
            LineInput(5, 1, terms, "a"),
        ]
    )
    # per order 100 split by gross 1000:3000:5 → 25, 75, 0
    assert [f.fixed_minor for f in fees] == [60 + 25, 30 + 75, 30 + 0]
    assert [f.fee_minor for f in fees] == [50 + 85, 150 + 105, 5]  # the last capped at gross
    assert fees[2].bound == "gross"
    capped = line_fees([LineInput(100_000, 1, terms, "a")])[0]
    assert (capped.fee_minor, capped.bound) == (400, "max")


def test_discount_and_rate_labels() -> None:
    tiered = FeeTerms(1000, tiers=(TierBand(0, 1000), TierBand(10, 150)))
    assert discounted(tiered, 200) == FeeTerms(800, tiers=(TierBand(0, 800), TierBand(10, 0)))
    assert [format_rate(r) for r in (700, 750, 1225, 5)] == ["7%", "7.5%", "12.25%", "0.05%"]
