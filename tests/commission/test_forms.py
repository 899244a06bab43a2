"""The admin forms' units: percent ↔ basis points, major ↔ minor units, tier lines; exact, and
every bad value refused with a message for its own field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.commission.forms import (
    PERCENT_MESSAGE,
    FormReader,
    bps_to_percent,
    form_field,
    major_to_minor,
    minor_to_major,
    percent_to_bps,
    read_incentive,
    read_plan,
    read_rule_terms,
    tiers_text,
)
from mercato.commission.schemas import Tier
from mercato.kit.errors import FieldError


@pytest.mark.parametrize(
    ("typed", "bps"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("0.75", 75),
        ("0", 0),
        ("100", 10000),
        ("100.00", 10000),
        (" 7 ", 700),
        ("9%", 900),
        ("12.50", 1250),
        ("0.01", 1),
    ],
)
def test_percent_to_bps(typed: str, bps: int) -> None:
    assert percent_to_bps(typed) == bps


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "-5",
        "-0.01",
        "100.01",
        "12.345",
        "12.50000000000000000000000000001",
        "abc",
        "12,5",
        "NaN",
        "Infinity",
        "1e999999999",
        "1" * 50,
    ],
)
def test_percent_refused(typed: str) -> None:
    with pytest.raises(ValueError, match=r"^Use a percentage between 0 and 100 with at most two"):
        percent_to_bps(typed)


@given(st.integers(min_value=0, max_value=10_000))
def test_percent_round_trips_every_rate(rate_bps: int) -> None:
    shown = bps_to_percent(rate_bps)
    assert percent_to_bps(shown) == rate_bps
    assert Decimal(shown) * 100 == rate_bps


@given(st.integers(min_value=0, max_value=99_999).filter(lambda n: n % 10))
def test_percent_with_three_decimals_refused(thousandths: int) -> None:
    with pytest.raises(ValueError):
        percent_to_bps(str(Decimal(thousandths) / 1000))


def test_bps_to_percent_examples() -> None:
    assert [bps_to_percent(b) for b in (1250, 1000, 75, 0, 10000, 5, None)] == [
        "12.5",
        "10",
        "0.75",
        "0",
        "100",
        "0.05",
        "",
    ]


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("0.50", "EUR", 50),
        ("19", "EUR", 1900),
        ("1000.00", "EUR", 100000),
        ("0.01", "EUR", 1),
        ("1000", "JPY", 1000),
        ("1.5", "KWD", 1500),
        ("0.001", "KWD", 1),
        ("0", "EUR", 0),
    ],
)
def test_major_to_minor(typed: str, currency: str, minor: int) -> None:
    assert major_to_minor(typed, currency) == minor


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        (
            "0.505",
            "EUR",
            "Use an amount in EUR of 0 or more with at most 2 decimals, such as 0.50.",
        ),
        ("-1", "EUR", "Use an amount in EUR of 0 or more with at most 2 decimals, such as 0.50."),
        ("abc", "EUR", "Use an amount in EUR of 0 or more with at most 2 decimals, such as 0.50."),
        ("1,50", "EUR", "Use an amount in EUR of 0 or more with at most 2 decimals, such as 0.50."),
        ("0.5", "JPY", "Use an amount in JPY of 0 or more with no decimals, such as 50."),
        (
            "0.0001",
            "KWD",
            "Use an amount in KWD of 0 or more with at most 3 decimals, such as 0.500.",
        ),
        ("1e40", "EUR", "Use an amount in EUR of 0 or more with at most 2 decimals, such as 0.50."),
    ],
)
def test_major_to_minor_refused(typed: str, currency: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        major_to_minor(typed, currency)
    assert str(refused.value) == message


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["JPY", "EUR", "KWD"]))
def test_amount_round_trips(amount_minor: int, currency: str) -> None:
    assert major_to_minor(minor_to_major(amount_minor, currency), currency) == amount_minor


def test_minor_to_major_examples() -> None:
    assert minor_to_major(50, "EUR") == "0.50"
    assert minor_to_major(1000, "JPY") == "1000"
    assert minor_to_major(1500, "KWD") == "1.500"
    assert minor_to_major(None, "EUR") == ""
    assert minor_to_major(0, None) == "0"


def test_tiers_text_and_back() -> None:
    tiers = [Tier(from_minor=0, rate_bps=1200), Tier(from_minor=100_000, rate_bps=950)]
    text = tiers_text(tiers, "EUR")
    assert text == "0.00 12\n1000.00 9.5\n"
    reader = FormReader({"currency": "EUR", "tiers": text})
    reader.read_tiers()
    assert (reader.tiers, reader.errors) == (tiers, [])


def test_rule_terms_read_in_service_units() -> None:
    form = {
        "rate": "12.5",
        "currency": "eur",
        "fixed_per_item": "0.50",
        "fixed_per_order": "",
        "min_fee": "0.30",
        "max_fee": "",
        "tiers": "0 12\n\n1000.00 9\n",
    }
    reader = read_rule_terms(form)
    assert reader.errors == []
    assert reader.values == {
        "currency": "EUR",
        "rate_bps": "1250",
        "fixed_per_item_minor": "50",
        "fixed_per_order_minor": "0",
        "min_fee_minor": "30",
        "max_fee_minor": "",
    }
    assert reader.tiers == [
        Tier(from_minor=0, rate_bps=1200),
        Tier(from_minor=100000, rate_bps=900),
    ]


def test_every_bad_field_named_once() -> None:
    form = {"rate": "12.345", "currency": "EUR", "fixed_per_item": "0.505", "min_fee": "x"}
    reader = read_rule_terms({**form, "tiers": "0 12\n1000.00"})
    amount = "Use an amount in EUR of 0 or more with at most 2 decimals, such as 0.50."
    assert reader.errors == [
        FieldError("rate", PERCENT_MESSAGE),
        FieldError("fixed_per_item", amount),
        FieldError("min_fee", amount),
        FieldError(
            "tiers",
            "Line 2: write the sales it starts from and its percentage, such as 1000.00 9.",
        ),
    ]


def test_amount_without_currency_is_refused_beside_both_fields() -> None:
    reader = read_rule_terms({"rate": "10", "currency": "", "fixed_per_item": "0.50"})
    assert reader.errors == [
        FieldError("fixed_per_item", "An amount needs a currency: fill in the currency."),
        FieldError("currency", "Give the currency of the amounts, such as EUR."),
    ]
    # Zero is zero in any currency: a percentage-only rule needs none.
    zero = read_rule_terms({"rate": "10", "currency": "", "fixed_per_item": "0.00"})
    assert zero.errors == []
    assert zero.values["fixed_per_item_minor"] == "0"


def test_unknown_currency_said_once_on_its_field() -> None:
    reader = read_rule_terms({"rate": "10", "currency": "XYZ", "fixed_per_item": "0.50"})
    assert reader.errors == [FieldError("currency", "Unknown currency 'XYZ'.")]


def test_tier_lines_name_the_line() -> None:
    bad_rate = read_rule_terms({"currency": "EUR", "tiers": "0 12\n1000.00 101"})
    assert bad_rate.errors == [FieldError("tiers", f"Line 2: {PERCENT_MESSAGE}")]
    bad_start = read_rule_terms({"currency": "JPY", "tiers": "0 12\n\n1000.5 9"})
    assert bad_start.errors == [
        FieldError(
            "tiers", "Line 3: Use an amount in JPY of 0 or more with no decimals, such as 50."
        )
    ]
    assert bad_start.tiers == []


def test_plan_and_incentive_forms() -> None:
    plan = read_plan({"currency": "EUR", "monthly_fee": "19.00", "rate": "", "discount": "2"})
    assert plan.values == {
        "currency": "EUR",
        "monthly_fee_minor": "1900",
        "rate_bps": "",
        "discount_bps": "200",
    }
    incentive = read_incentive({"rate": "", "currency": "", "volume_cap": "1000.00"})
    assert incentive.errors == [
        FieldError("rate", PERCENT_MESSAGE),
        FieldError("volume_cap", "An amount needs a currency: fill in the currency."),
        FieldError("currency", "Give the currency of the amounts, such as EUR."),
    ]


def test_service_fields_map_to_form_fields() -> None:
    assert [
        form_field(name)
        for name in ("rate_bps", "tiers.1.from_minor", "min_fee_minor", "currency", "seller_ids")
    ] == ["rate", "tiers", "min_fee", "currency", "seller_ids"]
