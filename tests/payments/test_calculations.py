"""Pure payments rules: escrow allocation, the status order, return URLs, signatures, cards."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.kit.errors import ValidationFailed
from mercato.payments.calculations import (
    STATUS_RANK,
    can_advance,
    capture_postings,
    escrow_parts,
    resolve_return_url,
    validate_split,
)
from mercato.payments.providers import signing
from mercato.payments.providers.sandbox.cards import (
    CardBehaviour,
    CardInvalid,
    brand_of,
    check_card,
    luhn_valid,
    parse_expiry,
)
from mercato.payments.schemas import PaymentStatus

TODAY = datetime(2026, 1, 15, tzinfo=UTC)


@given(
    amount=st.integers(1, 10**12),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(lambda w: sum(w) > 0),
)
def test_escrow_parts_sum_exactly_to_the_payment(amount: int, weights: list[int]):
    split = [(f"escrow:order:{i}", w) for i, w in enumerate(weights)]
    parts = escrow_parts(amount, split)
    assert sum(part for _, part in parts) == amount
    assert all(part > 0 for _, part in parts)
    exact = {f"escrow:order:{i}": amount * w / sum(weights) for i, w in enumerate(weights)}
    for account, part in parts:
        assert abs(part - exact[account]) < 1
    postings = capture_postings("sandbox", amount, "EUR", split)
    assert sum(p.amount_minor for p in postings) == 0
    assert postings[0].account == "provider:sandbox:clearing"


def test_escrow_parts_use_the_largest_remainder():
    split = [("escrow:order:a", 1), ("escrow:order:b", 1), ("escrow:order:c", 1)]
    assert escrow_parts(100, split) == [
        ("escrow:order:a", 34),
        ("escrow:order:b", 33),
        ("escrow:order:c", 33),
    ]
    assert escrow_parts(1, split) == [("escrow:order:a", 1)]
    assert escrow_parts(1999, [("escrow:order:a", 7000), ("escrow:order:b", 3000)]) == [
        ("escrow:order:a", 1399),
        ("escrow:order:b", 600),
    ]


@pytest.mark.parametrize(
    "split",
    [
        [],
        [("seller:1:available", 1)],
        [("escrow:order:1", 1), ("escrow:order:1", 2)],
        [("escrow:order:1", -1), ("escrow:order:2", 2)],
        [("escrow:order:1", 0)],
        [("escrow:order 1", 1)],
    ],
)
def test_invalid_splits_are_refused(split):
    with pytest.raises(ValidationFailed):
        validate_split(split)


@given(st.lists(st.sampled_from(list(PaymentStatus)), max_size=12))
def test_statuses_converge_whatever_the_order(reports: list[PaymentStatus]):
    def final(order: list[PaymentStatus]) -> PaymentStatus:
        status = PaymentStatus.CREATED
        for reported in order:
            if can_advance(status, reported):
                status = reported
        return status

    expected = max([PaymentStatus.CREATED, *reports], key=STATUS_RANK.__getitem__)
    for order in itertools.islice(itertools.permutations(reports), 50):
        assert final(list(order)) == expected


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        (None, "http://testserver/payments/return"),
        ("/checkout/done?x=1", "http://testserver/checkout/done?x=1"),
        ("http://testserver/orders", "http://testserver/orders"),
    ],
)
def test_return_urls_stay_on_this_site(given_url, expected):
    assert resolve_return_url(given_url, "http://testserver", "/payments/return") == expected


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "http://testserver.evil/", "/\\evil"]
)
def test_foreign_return_urls_are_refused(url):
    with pytest.raises(ValidationFailed):
        resolve_return_url(url, "http://testserver", "/payments/return")


def test_signatures_are_verified_on_the_raw_body_with_a_tolerance():
    body = b'{"id":"evt_1"}'
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    ts = int(now.timestamp())
    header = signing.signature_header("secret", ts, body)
    assert signing.verify(header, body, ["secret"], now=now, tolerance_seconds=300) == ts
    # Rotation: one good v1 among several is enough; any of several secrets may match.
    both = f"t={ts},v1={'0' * 64},v1={signing.sign('secret', ts, body)}"
    assert signing.verify(both, body, ["old", "secret"], now=now, tolerance_seconds=300) == ts
    failures = [
        (None, body),
        ("", body),
        (f"t={ts},v0={signing.sign('secret', ts, body)}", body),
        (header, body + b" "),
        (header, b'{"id": "evt_1"}'),
        (signing.signature_header("other", ts, body), body),
        (signing.signature_header("secret", ts - 301, body), body),
        (signing.signature_header("secret", ts + 301, body), body),
        ("garbage", body),
    ]
    for bad_header, bad_body in failures:
        with pytest.raises(signing.SignatureError):
            signing.verify(bad_header, bad_body, ["secret"], now=now, tolerance_seconds=300)


def test_test_cards_pass_luhn_and_carry_their_behaviour():
    expected = {
        "4242 4242 4242 4242": CardBehaviour.SUCCEED,
        "4000 0000 0000 0002": CardBehaviour.DECLINE,
        "4000-0000-0000-3220": CardBehaviour.CHALLENGE,
        "4000000000000341": CardBehaviour.FAIL_LATER,
        "5555 5555 5555 4444": CardBehaviour.SUCCEED,
    }
    for number, behaviour in expected.items():
        card = check_card(number, "12/34", "123", today=TODAY)
        assert card.behaviour is behaviour
        assert card.last4 == number[-4:]
        assert (card.exp_month, card.exp_year) == (12, 2034)
    assert brand_of("5555555555554444") == "mastercard"
    assert brand_of("378282246310005") == "amex"
    assert luhn_valid("378282246310005")
    assert not luhn_valid("4242424242424241")
    assert not luhn_valid("42424242")


def test_card_form_errors_name_each_field_and_never_the_number():
    with pytest.raises(CardInvalid) as invalid:
        check_card("4242 4242 4242 4241", "13/30", "12", today=TODAY)
    assert set(invalid.value.errors) == {"number", "expiry", "cvc"}
    assert "4242" not in str(invalid.value)
    with pytest.raises(CardInvalid) as expired:
        check_card("4242424242424242", "12/25", "123", today=TODAY)
    assert expired.value.errors == {"expiry": "This card has expired."}
    assert check_card("4242424242424242", "01/26", "123", today=TODAY).exp_year == 2026
    with pytest.raises(CardInvalid):
        check_card("378282246310005", "01/30", "123", today=TODAY)  # amex wants 4 digits
    assert parse_expiry("7/2031") == (7, 2031)
    assert parse_expiry("00/31") is None
    assert parse_expiry("1231") is None
