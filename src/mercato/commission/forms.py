"""How the admin's commission forms read what operators type, and show stored values back.

Operators think in percent and in their currency, the API in basis points and minor units:
``"12.5"`` % is 1250 bps and ``"0.50"`` EUR is 50 cents. Amounts need their currency's exponent,
so an amount typed without a currency is refused beside the field. Pure; ``Decimal``, never
``float``, so no value is ever rounded on the way in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Final

from mercato.commission.policy import check_currency
from mercato.commission.schemas import Tier
from mercato.kit.errors import FieldError
from mercato.kit.money import BPS_DENOMINATOR, Money, exponent

PERCENT_MESSAGE: Final = (
    "Use a percentage between 0 and 100 with at most two decimals, such as 12.5."
)
MAX_INPUT_LENGTH: Final = 40  # longer than any sensible number; bounds the parsing work
_HUNDREDTH: Final = Decimal("0.01")
_BPS_PER_PERCENT: Final = BPS_DENOMINATOR // 100

# What the service names a field → what the form calls it (rates and amounts change unit).
_UNIT_SUFFIXES: Final = ("_bps", "_minor")


def _decimal(text: str) -> Decimal | None:
    """A finite decimal, or None for anything else (words, NaN, infinity, overlong input)."""
    if len(text) > MAX_INPUT_LENGTH:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def percent_to_bps(text: str) -> int:
    """``"12"`` → 1200, ``"12.5"`` → 1250, ``"0.75"`` → 75 (a trailing ``%`` is allowed).

    Raises ``ValueError`` with :data:`PERCENT_MESSAGE` unless the value is 0-100 with at most
    two decimals: ``"12.345"`` would need a rounding no operator asked for."""
    value = _decimal(text.strip().removesuffix("%").strip())
    if value is None or not 0 <= value <= 100 or value != value.quantize(_HUNDREDTH):
        raise ValueError(PERCENT_MESSAGE)
    return int(value.quantize(_HUNDREDTH) * _BPS_PER_PERCENT)


def bps_to_percent(rate_bps: int | None) -> str:
    """What a form shows for a stored rate: 1250 → ``"12.5"``, 1000 → ``"10"``, 75 →
    ``"0.75"``; nothing for no rate."""
    if rate_bps is None:
        return ""
    percent = Decimal(rate_bps) / _BPS_PER_PERCENT
    return f"{percent.normalize():f}" if percent else "0"


def amount_message(currency: str) -> str:
    """How to write an amount in ``currency``, with an example in its own decimals."""
    places = exponent(currency)
    example = Money(50 * 10 ** max(places - 2, 0), currency).to_decimal() if places else 50
    decimals = f"at most {places} decimals" if places else "no decimals"
    return f"Use an amount in {currency} of 0 or more with {decimals}, such as {example}."


def major_to_minor(text: str, currency: str) -> int:
    """``"0.50"`` EUR → 50, ``"1000"`` JPY → 1000, ``"1.5"`` KWD → 1500. Raises ``ValueError``
    (with :func:`amount_message`) for words, negatives or more decimals than the currency has."""
    value = _decimal(text.strip())
    if value is None or value < 0:
        raise ValueError(amount_message(currency))
    try:
        return Money.from_decimal(value, currency).amount_minor
    except ValueError:
        raise ValueError(amount_message(currency)) from None


def minor_to_major(amount_minor: int | None, currency: str | None) -> str:
    """What a form shows for a stored amount: 50 EUR → ``"0.50"``; nothing for no amount.
    Without a currency only zero can be stored (amounts need one), shown as ``"0"``."""
    if amount_minor is None:
        return ""
    if not currency:
        return str(amount_minor)
    return f"{Money(amount_minor, currency).to_decimal():f}"


def tiers_text(tiers: list[Tier], currency: str | None) -> str:
    """The tiers as the form's lines: ``"0.00 12\\n1000.00 9"``."""
    return "".join(
        f"{minor_to_major(t.from_minor, currency)} {bps_to_percent(t.rate_bps)}\n" for t in tiers
    )


def form_field(service_field: str) -> str:
    """The form field a service error is about: ``rate_bps`` → ``rate``,
    ``tiers.1.from_minor`` → ``tiers``."""
    name = service_field.split(".", 1)[0]
    for suffix in _UNIT_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


@dataclass
class FormReader:
    """Reads percent and amount fields of one submitted form into the service's units,
    collecting one error per bad field instead of stopping at the first."""

    form: Mapping[str, str]
    currency_field: str = "currency"
    values: dict[str, str] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    tiers: list[Tier] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.currency = self.form.get(self.currency_field, "").strip().upper() or None
        known: list[FieldError] = []
        check_currency(known, self.currency_field, self.currency)
        self.errors.extend(known)
        self._currency_usable = not known
        self._told_currency_missing = False
        if self.currency is not None:
            self.values[self.currency_field] = self.currency

    def _text(self, name: str) -> str:
        return self.form.get(name, "").strip()

    def percent(self, name: str, target: str, *, blank: str | None = "0") -> None:
        """A percentage in ``name`` → basis points in ``target``. ``blank`` is what an empty
        field means ("" for an optional field, None when one is required)."""
        text = self._text(name)
        if not text and blank is not None:
            self.values[target] = blank
            return
        try:
            self.values[target] = str(percent_to_bps(text))
        except ValueError as error:
            self.errors.append(FieldError(name, str(error)))

    def amount(self, name: str, target: str, *, blank: str = "0") -> None:
        """An amount in major units in ``name`` → minor units in ``target``; the currency comes
        from the form's currency field. ``blank``: "0", or "" for an optional field."""
        text = self._text(name)
        if not text:
            self.values[target] = blank
            return
        minor = self._minor(name, text)
        if minor is not None:
            self.values[target] = str(minor)

    def _minor(self, name: str, text: str, prefix: str = "") -> int | None:
        if self.currency is None:
            zero = _decimal(text)
            if zero is not None and zero == 0:
                return 0  # nothing is nothing in every currency
            self._missing_currency(name)
            return None
        if not self._currency_usable:
            return None  # the currency field already says what is wrong
        try:
            return major_to_minor(text, self.currency)
        except ValueError as error:
            self.errors.append(FieldError(name, f"{prefix}{error}"))
            return None

    def _missing_currency(self, name: str) -> None:
        self.errors.append(FieldError(name, "An amount needs a currency: fill in the currency."))
        if not self._told_currency_missing:
            self._told_currency_missing = True
            self.errors.append(
                FieldError(self.currency_field, "Give the currency of the amounts, such as EUR.")
            )

    def read_tiers(self, name: str = "tiers") -> None:
        """One tier a line: the 30-day sales it starts from (major units) and its percentage,
        ``"1000.00 9"``, into :attr:`tiers`. Blank lines are skipped."""
        tiers: list[Tier] = []
        for number, line in enumerate(self._text(name).splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            tier = self._tier(name, number, parts)
            if tier is None:
                return  # one message about the first bad line is enough
            tiers.append(tier)
        self.tiers = tiers

    def _tier(self, name: str, number: int, parts: list[str]) -> Tier | None:
        prefix = f"Line {number}: "
        if len(parts) != 2:
            shape = "write the sales it starts from and its percentage, such as"
            self.errors.append(FieldError(name, f"{prefix}{shape} {self._example_sales()} 9."))
            return None
        try:
            rate_bps = percent_to_bps(parts[1])
        except ValueError as error:
            self.errors.append(FieldError(name, f"{prefix}{error}"))
            return None
        start = self._minor(name, parts[0], prefix)
        return None if start is None else Tier(from_minor=start, rate_bps=rate_bps)

    def _example_sales(self) -> str:
        currency = self.currency if self.currency and self._currency_usable else "EUR"
        return minor_to_major(1000 * 10 ** exponent(currency), currency)


def read_rule_terms(form: Mapping[str, str]) -> FormReader:
    """A rule's rate, fixed fees, fee bounds and tiers, from percent and major units."""
    reader = FormReader(form)
    reader.percent("rate", "rate_bps")
    reader.amount("fixed_per_item", "fixed_per_item_minor")
    reader.amount("fixed_per_order", "fixed_per_order_minor")
    reader.amount("min_fee", "min_fee_minor", blank="")
    reader.amount("max_fee", "max_fee_minor", blank="")
    reader.read_tiers()
    return reader


def read_plan(form: Mapping[str, str]) -> FormReader:
    """A plan's monthly fee (in its currency), own rate and discount (in percent)."""
    reader = FormReader(form)
    reader.amount("monthly_fee", "monthly_fee_minor")
    reader.percent("rate", "rate_bps", blank="")
    reader.percent("discount", "discount_bps")
    return reader


def read_incentive(form: Mapping[str, str]) -> FormReader:
    """An incentive's rate (in percent) and volume cap (in its currency)."""
    reader = FormReader(form)
    reader.percent("rate", "rate_bps", blank=None)
    reader.amount("volume_cap", "volume_cap_minor", blank="")
    return reader
