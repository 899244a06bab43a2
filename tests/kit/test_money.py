from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.kit.money import (
    BPS_DENOMINATOR,
    CURRENCY_EXPONENTS,
    CurrencyMismatch,
    Money,
    UnknownCurrency,
    allocate,
    apply_rate,
    exponent,
    round_half_up,
    split_evenly,
)

amounts = st.integers(min_value=-(10**15), max_value=10**15)
currencies = st.sampled_from(sorted(CURRENCY_EXPONENTS))
weight_lists = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12).filter(
    lambda weights: sum(weights) > 0
)


TWO_DECIMALS = [
    *("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN"),
    *("CAD", "AUD", "NZD", "BRL", "MXN", "INR", "CNY", "HKD", "SGD", "ZAR", "TRY", "ILS"),
    *("AED", "SAR"),
]


def money_in(currency: str) -> st.SearchStrategy[Money]:
    return amounts.map(lambda amount: Money(amount, currency))


# --- currencies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        *[(c, 2) for c in TWO_DECIMALS],
        *[(c, 0) for c in ["JPY", "KRW", "VND", "CLP", "ISK", "XOF", "XAF"]],
        *[(c, 3) for c in ["KWD", "BHD", "OMR", "JOD", "TND", "LYD", "IQD"]],
    ],
)
def test_exponent_of_known_currencies(currency: str, expected: int) -> None:
    assert exponent(currency) == expected
    assert CURRENCY_EXPONENTS[currency] == expected


@pytest.mark.parametrize("code", ["XYZ", "eur", "", "EURO", "XAU"])
def test_exponent_of_unknown_currency_raises(code: str) -> None:
    with pytest.raises(UnknownCurrency):
        exponent(code)


def test_unknown_currency_is_a_value_error_and_hints_at_case() -> None:
    with pytest.raises(ValueError, match="upper case"):
        exponent("eur")


# --- Money construction -----------------------------------------------------------------------


def test_money_holds_minor_units_and_currency() -> None:
    money = Money(1234, "EUR")
    assert money.amount_minor == 1234
    assert money.currency == "EUR"


@pytest.mark.parametrize("amount", [True, False, 1.0, Decimal(1), "1", None])
def test_money_rejects_non_int_amounts(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["eur", "Eur", "XXX", ""])
def test_money_rejects_unknown_or_lowercase_currency(currency: str) -> None:
    with pytest.raises(UnknownCurrency):
        Money(1, currency)


def test_money_rejects_non_str_currency() -> None:
    with pytest.raises(TypeError):
        Money(1, 978)  # type: ignore[arg-type]


def test_money_is_immutable_and_hashable() -> None:
    money = Money(100, "EUR")
    with pytest.raises(AttributeError):
        money.amount_minor = 5  # type: ignore[misc]
    assert {Money(100, "EUR"), Money(100, "EUR"), Money(100, "USD")} == {
        Money(100, "EUR"),
        Money(100, "USD"),
    }


def test_zero_and_is_zero() -> None:
    assert Money.zero("JPY") == Money(0, "JPY")
    assert Money.zero("JPY").is_zero
    assert not Money(-1, "JPY").is_zero


# --- arithmetic and comparisons ---------------------------------------------------------------


def test_add_sub_neg() -> None:
    assert Money(1050, "EUR") + Money(250, "EUR") == Money(1300, "EUR")
    assert Money(1050, "EUR") - Money(2000, "EUR") == Money(-950, "EUR")
    assert -Money(1050, "EUR") == Money(-1050, "EUR")


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_mixing_currencies_raises(operation: Callable[[Money, Money], object]) -> None:
    with pytest.raises(CurrencyMismatch):
        operation(Money(1, "EUR"), Money(1, "USD"))


def test_equality_across_currencies_is_false_not_an_error() -> None:
    assert Money(100, "EUR") != Money(100, "USD")


@pytest.mark.parametrize("other", [1, 1.0, Decimal(1), "1"])
def test_arithmetic_with_non_money_is_a_type_error(other: object) -> None:
    money = Money(1, "EUR")
    with pytest.raises(TypeError):
        _ = money + other  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = money - other  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = money < other  # type: ignore[operator]


def test_comparisons_within_one_currency() -> None:
    small, large = Money(99, "EUR"), Money(100, "EUR")
    assert small < large
    assert small <= large
    assert large > small
    assert large >= small
    assert small <= Money(99, "EUR")
    assert small >= Money(99, "EUR")
    assert sorted([large, small]) == [small, large]


def test_sum_of() -> None:
    assert Money.sum_of([Money(1, "EUR"), Money(2, "EUR")], "EUR") == Money(3, "EUR")
    assert Money.sum_of([], "KWD") == Money(0, "KWD")
    with pytest.raises(CurrencyMismatch):
        Money.sum_of([Money(1, "EUR")], "USD")


@given(currencies.flatmap(lambda c: st.tuples(money_in(c), money_in(c), money_in(c))))
def test_addition_is_associative_and_subtraction_inverts_it(
    triple: tuple[Money, Money, Money],
) -> None:
    a, b, c = triple
    assert (a + b) + c == a + (b + c)
    assert (a + b) - b == a
    assert a - a == Money.zero(a.currency)
    assert a + (-b) == a - b
    assert -a + a == Money.zero(a.currency)


@given(amounts, amounts)
def test_currency_mismatch_raises_for_any_amounts(x: int, y: int) -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money(x, "EUR") + Money(y, "JPY")


# --- decimal conversion and formatting --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.34", "EUR", 1234),
        ("12.3", "EUR", 1230),
        ("12", "EUR", 1200),
        ("12.340", "EUR", 1234),
        ("-0.01", "EUR", -1),
        (" 7.50 ", "USD", 750),
        ("1200", "JPY", 1200),
        ("1.2E+3", "JPY", 1200),
        ("1.234", "KWD", 1234),
        ("0", "KWD", 0),
        ("0E-9", "EUR", 0),
        ("12345678901234567890123456.78", "EUR", 1234567890123456789012345678),
    ],
)
def test_from_decimal(text: str, currency: str, minor: int) -> None:
    assert Money.from_decimal(text, currency) == Money(minor, currency)
    assert Money.from_decimal(Decimal(text.strip()), currency) == Money(minor, currency)


def test_from_decimal_accepts_int_major_units() -> None:
    assert Money.from_decimal(5, "KWD") == Money(5000, "KWD")


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("12.345", "EUR"),
        ("0.001", "USD"),
        ("1.5", "JPY"),
        ("1.2345", "KWD"),
        ("1E-999999999", "EUR"),
        ("NaN", "EUR"),
        ("Infinity", "EUR"),
        ("12,34", "EUR"),
        ("", "EUR"),
        ("abc", "EUR"),
        ("1E+999999999", "EUR"),
    ],
)
def test_from_decimal_refuses_precision_loss_and_garbage(text: str, currency: str) -> None:
    with pytest.raises(ValueError):
        Money.from_decimal(text, currency)


@pytest.mark.parametrize("value", [1.5, True, None])
def test_from_decimal_refuses_floats_and_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        Money.from_decimal(value, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("money", "decimal", "text"),
    [
        (Money(1234, "EUR"), Decimal("12.34"), "EUR 12.34"),
        (Money(1230, "EUR"), Decimal("12.30"), "EUR 12.30"),
        (Money(5, "EUR"), Decimal("0.05"), "EUR 0.05"),
        (Money(0, "EUR"), Decimal("0.00"), "EUR 0.00"),
        (Money(-1234, "EUR"), Decimal("-12.34"), "EUR -12.34"),
        (Money(1200, "JPY"), Decimal("1200"), "JPY 1200"),
        (Money(1234, "KWD"), Decimal("1.234"), "KWD 1.234"),
        (Money(-5, "KWD"), Decimal("-0.005"), "KWD -0.005"),
        (Money(10**30 + 1, "EUR"), Decimal("10000000000000000000000000000.01"), None),
    ],
)
def test_to_decimal_and_format(money: Money, decimal: Decimal, text: str | None) -> None:
    assert money.to_decimal() == decimal
    assert str(money.to_decimal()) == str(decimal)
    if text is not None:
        assert money.format() == text
        assert str(money) == text


@given(st.sampled_from(sorted(set(CURRENCY_EXPONENTS.values()))), amounts)
def test_decimal_round_trip_for_each_exponent(exp: int, amount: int) -> None:
    currency = next(c for c, e in CURRENCY_EXPONENTS.items() if e == exp)
    money = Money(amount, currency)
    assert Money.from_decimal(money.to_decimal(), currency) == money
    assert Money.from_decimal(str(money.to_decimal()), currency) == money
    assert money.to_decimal() == Decimal(amount) / (10**exp)


# --- rounding and rates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (0, 7, 0),
        (5, 2, 3),
        (-5, 2, -3),
        (5, -2, -3),
        (-5, -2, 3),
        (7, 3, 2),
        (8, 3, 3),
        (-7, 3, -2),
        (-8, 3, -3),
        (14_999, 10_000, 1),
        (15_000, 10_000, 2),
        (-15_000, 10_000, -2),
        (-14_999, 10_000, -1),
        (10**40 + 1, 2, 5 * 10**39 + 1),
    ],
)
def test_round_half_up(numerator: int, denominator: int, expected: int) -> None:
    assert round_half_up(numerator, denominator) == expected


def test_round_half_up_refuses_zero_denominator_and_non_ints() -> None:
    with pytest.raises(ZeroDivisionError):
        round_half_up(1, 0)
    with pytest.raises(TypeError):
        round_half_up(1.5, 1)  # type: ignore[arg-type]


@given(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=-(10**6), max_value=10**6).filter(bool),
)
def test_round_half_up_matches_decimal_round_half_up(numerator: int, denominator: int) -> None:
    exact = Decimal(numerator) / Decimal(denominator)
    # Decimal's default 28-digit context is enough for these magnitudes, so it is a fair oracle.
    expected = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert round_half_up(numerator, denominator) == int(expected)


@pytest.mark.parametrize(
    ("amount", "bps", "expected"),
    [
        (10_000, 1_250, 1_250),
        (1_999, 1_250, 250),  # 249.875 -> 250
        (1_000, 1_250, 125),
        (4, 1_250, 1),  # 0.5 -> 1
        (3, 1_250, 0),  # 0.375 -> 0
        (-4, 1_250, -1),  # half away from zero
        (1, 5_000, 1),
        (-1, 5_000, -1),
        (12_345, 10_000, 12_345),
        (12_345, 0, 0),
        (100, 1, 0),  # 0.01 -> 0
        (5_000, 1, 1),  # 0.5 -> 1
        (100, 20_000, 200),
        (100, -1_000, -10),
    ],
)
def test_apply_rate(amount: int, bps: int, expected: int) -> None:
    assert apply_rate(amount, bps) == expected


@given(amounts)
def test_full_and_zero_rate(amount: int) -> None:
    assert apply_rate(amount, BPS_DENOMINATOR) == amount
    assert apply_rate(amount, 0) == 0


@given(amounts, st.integers(min_value=-(10**6), max_value=10**6))
def test_apply_rate_is_the_one_rounding_rule(amount: int, bps: int) -> None:
    assert apply_rate(amount, bps) == round_half_up(amount * bps, BPS_DENOMINATOR)
    assert apply_rate(-amount, bps) == -apply_rate(amount, bps)


def test_money_percentage() -> None:
    assert Money(1999, "EUR").percentage(1250) == Money(250, "EUR")
    assert Money(1999, "JPY").percentage(1250) == Money(250, "JPY")
    with pytest.raises(TypeError):
        Money(1, "EUR").percentage(12.5)  # type: ignore[arg-type]


# --- allocation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (5, [1, 1], [3, 2]),
        (101, [50, 50], [51, 50]),
        (10, [3, 7], [3, 7]),
        (1, [1, 1, 1], [1, 0, 0]),
        (2, [1, 1, 1], [1, 1, 0]),
        (100, [1, 0, 1], [50, 0, 50]),
        (1, [0, 1, 0], [0, 1, 0]),
        (0, [3, 4], [0, 0]),
        (7, [10], [7]),
        (1000, [1, 2, 3], [167, 333, 500]),  # 166.67, 333.33, 500
        (10, [3, 3, 4], [3, 3, 4]),
        (11, [3, 3, 4], [3, 3, 5]),  # 3.3, 3.3, 4.4 -> remainder to the largest fraction
        (12, [3, 3, 4], [4, 3, 5]),  # 3.6, 3.6, 4.8 -> 4.8 first, then the earlier 3.6
        (12, [3, 4, 3], [4, 5, 3]),
        (13, [3, 3, 4], [4, 4, 5]),
    ],
)
def test_allocate(total: int, weights: list[int], expected: list[int]) -> None:
    assert allocate(total, weights) == expected


@pytest.mark.parametrize("weights", [[], [0], [0, 0], [1, -1], [-1, 2]])
def test_allocate_refuses_bad_weights(weights: list[int]) -> None:
    with pytest.raises(ValueError, match="weights"):
        allocate(100, weights)


def test_allocate_refuses_non_int_weights() -> None:
    with pytest.raises(TypeError):
        allocate(100, [0.5, 0.5])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        allocate(100, [True, False])


@given(amounts, weight_lists)
def test_allocation_parts_sum_to_total(total: int, weights: list[int]) -> None:
    assert sum(allocate(total, weights)) == total


@given(amounts, weight_lists)
def test_allocation_parts_are_within_one_of_exact_share(total: int, weights: list[int]) -> None:
    for part, weight in zip(allocate(total, weights), weights, strict=True):
        exact = Fraction(total * weight, sum(weights))
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0


@given(st.integers(min_value=0, max_value=10**15), weight_lists)
def test_allocation_follows_the_order_of_weights(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    for i, (part_i, weight_i) in enumerate(zip(parts, weights, strict=True)):
        for j, (part_j, weight_j) in enumerate(zip(parts, weights, strict=True)):
            if weight_i > weight_j:
                assert part_i >= part_j
            if weight_i == weight_j and i < j:
                # Equal weights differ by at most one unit, the earlier index taking it.
                assert part_j <= part_i <= part_j + 1


@given(amounts, weight_lists)
def test_allocation_of_negative_total_mirrors_positive(total: int, weights: list[int]) -> None:
    assert allocate(-total, weights) == [-part for part in allocate(total, weights)]


def test_money_allocate_keeps_currency() -> None:
    assert Money(1000, "KWD").allocate([1, 2, 3]) == [
        Money(167, "KWD"),
        Money(333, "KWD"),
        Money(500, "KWD"),
    ]


@pytest.mark.parametrize(
    ("total", "n", "expected"),
    [
        (100, 3, [34, 33, 33]),
        (-100, 3, [-34, -33, -33]),
        (2, 4, [1, 1, 0, 0]),
        (9, 3, [3, 3, 3]),
        (0, 2, [0, 0]),
        (7, 1, [7]),
    ],
)
def test_split_evenly(total: int, n: int, expected: list[int]) -> None:
    assert split_evenly(total, n) == expected


@pytest.mark.parametrize("n", [0, -1])
def test_split_evenly_refuses_no_parts(n: int) -> None:
    with pytest.raises(ValueError, match="parts"):
        split_evenly(100, n)


@given(amounts, st.integers(min_value=1, max_value=50))
def test_split_evenly_sums_and_differs_by_at_most_one(total: int, n: int) -> None:
    parts = split_evenly(total, n)
    assert len(parts) == n
    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1


def test_money_split_evenly() -> None:
    assert Money(100, "JPY").split_evenly(3) == [
        Money(34, "JPY"),
        Money(33, "JPY"),
        Money(33, "JPY"),
    ]


def test_format_money_for_people():
    from mercato.kit.money import format_money

    assert format_money(123456, "EUR") == "€1,234.56"
    assert format_money(1200, "JPY") == "¥1,200"
    assert format_money(1234, "KWD") == "KWD 1.234"
    assert format_money(-5, "USD") == "-$0.05"
