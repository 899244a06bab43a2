"""The sandbox's test cards and the checks a real card form makes: Luhn, expiry, CVC.

| number                | behaviour                                           |
|-----------------------|-----------------------------------------------------|
| 4242 4242 4242 4242   | succeeds                                            |
| 4000 0000 0000 0002   | declined                                            |
| 4000 0000 0000 3220   | needs a challenge (3-D Secure style approve/deny)   |
| 4000 0000 0000 0341   | processing, then fails a moment later (webhook)     |
| any other valid number| succeeds                                            |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CardBehaviour(StrEnum):
    SUCCEED = "succeed"
    DECLINE = "decline"
    CHALLENGE = "challenge"
    FAIL_LATER = "fail_later"


TEST_CARDS = {
    "4242424242424242": CardBehaviour.SUCCEED,
    "4000000000000002": CardBehaviour.DECLINE,
    "4000000000003220": CardBehaviour.CHALLENGE,
    "4000000000000341": CardBehaviour.FAIL_LATER,
}


@dataclass(frozen=True)
class CheckedCard:
    """A card that passed the form's checks. Only the derived facts are kept: the caller drops
    the number and CVC right after this."""

    brand: str
    last4: str
    exp_month: int
    exp_year: int
    behaviour: CardBehaviour


class CardInvalid(ValueError):
    """One message per field: ``errors`` maps the form field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def digits_only(number: str) -> str:
    return "".join(ch for ch in number if ch not in " -")


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    if number.startswith(("6011", "65")):
        return "discover"
    return "unknown"


def parse_expiry(value: str) -> tuple[int, int] | None:
    """``MM/YY`` or ``MM/YYYY`` → (month, four-digit year)."""
    month_text, sep, year_text = value.strip().replace(" ", "").partition("/")
    if not sep or not month_text.isdigit() or not year_text.isdigit():
        return None
    month, year = int(month_text), int(year_text)
    if len(year_text) == 2:
        year += 2000
    elif len(year_text) != 4:
        return None
    if not 1 <= month <= 12:
        return None
    return month, year


def check_card(number: str, expiry: str, cvc: str, *, today: datetime) -> CheckedCard:
    """Validate the card form; :class:`CardInvalid` lists every problem (never the number)."""
    errors: dict[str, str] = {}
    digits = digits_only(number)
    if not luhn_valid(digits):
        errors["number"] = "This card number is not valid."
    parsed = parse_expiry(expiry)
    if parsed is None:
        errors["expiry"] = "Enter the expiry as MM/YY."
    elif parsed[1] > today.year + 20:
        errors["expiry"] = "This expiry date is too far in the future."
    elif (parsed[1], parsed[0]) < (today.year, today.month):
        errors["expiry"] = "This card has expired."
    brand = brand_of(digits)
    cvc_length = 4 if brand == "amex" else 3
    if not (cvc.isdigit() and len(cvc) == cvc_length):
        errors["cvc"] = f"Enter the {cvc_length}-digit security code."
    if errors or parsed is None:
        raise CardInvalid(errors)
    return CheckedCard(
        brand=brand,
        last4=digits[-4:],
        exp_month=parsed[0],
        exp_year=parsed[1],
        behaviour=TEST_CARDS.get(digits, CardBehaviour.SUCCEED),
    )
