"""Listing rules: prices in a currency's minor units, SKUs, variant options, text fields and the
draft / published / archived life cycle."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from mercato.catalog.policy.attributes import has_control_characters
from mercato.kit.errors import FieldError
from mercato.kit.money import Money, UnknownCurrency, exponent

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#+-]{0,63}$")
MAX_PRICE_MINOR = 10**13  # ten trillion minor units: far above any real price, fits BIGINT
OPTION_VALUE_MAX = 80


class RuleBroken(ValueError):
    """A value breaks a catalog rule; the message is meant for the seller."""


def check_currency(code: str) -> str:
    try:
        exponent(code)
    except UnknownCurrency:
        hint = " (codes are upper case)" if code.upper() != code else ""
        raise RuleBroken(f"“{code[:8]}” is not an ISO 4217 currency code{hint}.") from None
    return code


def parse_price(text: str, currency: str) -> int:
    """A positive price in ``currency`` given in major units (``"12.50"``) → minor units.

    Refuses anything that is not a plain decimal number and amounts with more decimal places
    than the currency has (``"1.999"`` EUR, ``"5.5"`` JPY).
    """
    cleaned = text.strip()
    if not re.fullmatch(r"-?\d+(\.\d*)?|-?\.\d+", cleaned):
        raise RuleBroken(f"“{cleaned[:32]}” is not a price; write it like 12.50.")
    try:
        minor = Money.from_decimal(cleaned, currency).amount_minor
    except UnknownCurrency:
        raise RuleBroken(f"“{currency[:8]}” is not an ISO 4217 currency code.") from None
    except ValueError:
        digits = exponent(currency)
        places = "no decimal places" if digits == 0 else f"at most {digits} decimal places"
        raise RuleBroken(f"{currency} prices have {places}; “{cleaned}” has more.") from None
    if minor <= 0:
        raise RuleBroken("The price must be more than zero.")
    if minor >= MAX_PRICE_MINOR:
        raise RuleBroken("The price is too high.")
    return minor


def format_price(amount_minor: int, currency: str) -> str:
    """Major units with the currency's decimals: ``1250, "EUR"`` → ``"12.50"``."""
    return f"{Money(amount_minor, currency).to_decimal():f}"


def display_price_range(low: int, high: int, currency: str) -> str:
    if low == high:
        return f"{currency} {format_price(low, currency)}"
    return f"{currency} {format_price(low, currency)} to {format_price(high, currency)}"


def check_sku(sku: str) -> str:
    if not SKU_PATTERN.fullmatch(sku):
        raise RuleBroken(
            "Use 1 to 64 letters, digits and . _ / # + - for a SKU, starting with a letter "
            "or digit."
        )
    return sku


def clean_title(title: str) -> str:
    text = " ".join(title.split())
    if not text:
        raise RuleBroken("A title is required.")
    if has_control_characters(text):
        raise RuleBroken("The title contains control characters.")
    return text


def clean_description(description: str) -> str:
    text = description.replace("\r\n", "\n").replace("\r", "\n").strip()
    if has_control_characters(text, allow_newlines=True):
        raise RuleBroken("The description contains control characters.")
    return text


def clean_option_names(names: Sequence[str]) -> list[str]:
    cleaned = [" ".join(name.split()) for name in names]
    if any(not name or has_control_characters(name) for name in cleaned):
        raise RuleBroken("Option names must be plain text, like Size or Colour.")
    if len({name.casefold() for name in cleaned}) != len(cleaned):
        raise RuleBroken("Each option name must be different.")
    return cleaned


def check_options(option_names: Sequence[str], options: dict[str, str]) -> dict[str, str]:
    """A variant names a value for exactly the listing's options, in their order."""
    if set(options) != set(option_names):
        expected = ", ".join(option_names) or "no options"
        raise RuleBroken(f"Give a value for each option of the listing ({expected}).")
    result = {}
    for name in option_names:
        value = " ".join(options[name].split())
        if not value or len(value) > OPTION_VALUE_MAX or has_control_characters(value):
            raise RuleBroken(f"Give {name} a value of 1 to {OPTION_VALUE_MAX} characters.")
        result[name] = value
    return result


def duplicate_combinations(variant_options: Sequence[dict[str, str]]) -> list[int]:
    """Indexes of variants whose option values repeat an earlier variant's."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    duplicates = []
    for index, options in enumerate(variant_options):
        key = tuple(sorted((k, v.casefold()) for k, v in options.items()))
        if key in seen:
            duplicates.append(index)
        seen.add(key)
    return duplicates


def service_problems(kind: str, duration_minutes: int | None) -> list[FieldError]:
    if kind == "service" and duration_minutes is None:
        return [FieldError("duration_minutes", "Give the duration of the service in minutes.")]
    return []


def slugify(name: str) -> str:
    """``"Home & Living"`` → ``"home-living"``; accents are folded to ASCII."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80]


# --- life cycle ----------------------------------------------------------------------------

TRANSITIONS = {
    "publish": {"draft", "archived"},
    "archive": {"draft", "published"},
}


def check_transition(status: str, action: str) -> None:
    if status not in TRANSITIONS[action]:
        raise RuleBroken(f"A {status} listing cannot be {action}ed.")
