"""Money in integer minor units of an ISO 4217 currency; never floats.

The platform has exactly one rounding rule, :func:`round_half_up`, and one way to split an amount,
:func:`allocate` (largest remainder, so the parts always add up to the whole). Everything that
computes money — commission, tax, refunds, payouts — goes through these two functions so that
two code paths can never disagree by a cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

BPS_DENOMINATOR: Final = 10_000
"""Rates are integer basis points: 1 bp = 0.01 %, so 10 000 bp = 100 %."""


MAX_MAJOR_DIGITS: Final = 30
"""Parsed amounts must stay below 10**30 major units: far beyond any real price, small enough
that hostile input such as ``"1E+999999999"`` cannot make parsing expensive."""


def _codes(exponent: int, codes: str) -> dict[str, int]:
    return dict.fromkeys(codes.split(), exponent)


# Active ISO 4217 codes (list one, 2025) with their minor-unit exponents. Fund and precious-metal
# codes whose exponent ISO lists as "N.A." (XAU, XDR, XXX, …) are deliberately absent: they cannot
# be expressed in minor units.
CURRENCY_EXPONENTS: Final[dict[str, int]] = {
    **_codes(
        2,
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP
        BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD
        FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD
        KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD
        NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP
        SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED
        VES WST XCD XCG YER ZAR ZMW ZWG
        """,
    ),
    **_codes(0, "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"),
    **_codes(3, "BHD IQD JOD KWD LYD OMR TND"),
    **_codes(4, "CLF UYW"),
}


class UnknownCurrency(ValueError):
    """The code is not an ISO 4217 currency we can express in minor units."""


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined or compared."""


def exponent(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (EUR 2, JPY 0, KWD 3)."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except (KeyError, TypeError):
        hint = " (codes are upper case)" if isinstance(currency, str) and currency.islower() else ""
        raise UnknownCurrency(f"unknown currency {currency!r}{hint}") from None


def _require_int(value: object, what: str) -> int:
    # bool is an int subclass; True silently meaning 1 cent would hide a bug at the call site.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return value


def round_half_up(numerator: int, denominator: int) -> int:
    """Divide exactly and round half away from zero: the platform's one rounding rule.

    Equal to ``Decimal(numerator) / denominator`` quantized with ``ROUND_HALF_UP``, but computed in
    integers so the result is exact at any magnitude (a ``Decimal`` context would round first).
    ``round_half_up(5, 2) == 3``, ``round_half_up(-5, 2) == -3``, ``round_half_up(7, 3) == 2``.
    """
    _require_int(numerator, "numerator")
    _require_int(denominator, "denominator")
    if denominator == 0:
        raise ZeroDivisionError("round_half_up() denominator is zero")
    negative = (numerator < 0) != (denominator < 0)
    magnitude = (2 * abs(numerator) + abs(denominator)) // (2 * abs(denominator))
    return -magnitude if negative else magnitude


def apply_rate(amount_minor: int, rate_bps: int) -> int:
    """``amount_minor * rate_bps / 10_000``, rounded half up (e.g. a 12.5 % commission)."""
    _require_int(amount_minor, "amount_minor")
    _require_int(rate_bps, "rate_bps")
    return round_half_up(amount_minor * rate_bps, BPS_DENOMINATOR)


def allocate(total_minor: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_minor`` in proportion to ``weights`` by the largest-remainder method.

    Every part is the floor of its exact share, and the units left over go one each to the parts
    with the largest remainders (ties to the earlier index), so the parts always sum to the total
    and each is within one unit of its exact share. A zero weight always gets zero. A negative
    total is split like its absolute value and negated, so refunds mirror charges.
    """
    _require_int(total_minor, "total_minor")
    for weight in weights:
        if _require_int(weight, "weight") < 0:
            raise ValueError(f"weights must not be negative, got {weight}")
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must have a positive sum")
    if total_minor < 0:
        return [-part for part in allocate(-total_minor, weights)]

    shares = [divmod(total_minor * weight, weight_sum) for weight in weights]
    parts = [floor for floor, _ in shares]
    leftover = total_minor - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-shares[i][1], i))
    for index in by_remainder[:leftover]:
        parts[index] += 1
    return parts


def split_evenly(total_minor: int, n: int) -> list[int]:
    """Split ``total_minor`` into ``n`` parts differing by at most one unit, larger parts first."""
    if _require_int(n, "n") < 1:
        raise ValueError(f"cannot split into {n} parts")
    return allocate(total_minor, [1] * n)


def _to_minor(value: Decimal, currency: str) -> int:
    # Work on the digit tuple rather than scaleb()/quantize(): those round to the context
    # precision (28 digits), which would silently change very large amounts.
    sign, digits, exp = value.as_tuple()
    if not isinstance(exp, int):  # "n", "N" or "F": NaN, signalling NaN, infinity
        raise ValueError(f"{value} is not a finite amount")
    coefficient = int("".join(map(str, digits)) or "0")
    if coefficient == 0:
        return 0
    # Bound the work: "1E+999999999" would otherwise build a billion-digit integer.
    if value.adjusted() >= MAX_MAJOR_DIGITS:
        raise ValueError(f"{value} is too large an amount")
    shift = exp + exponent(currency)
    if shift < -len(digits):
        raise ValueError(
            f"{value} has more decimal places than {currency} allows ({exponent(currency)})"
        )
    scale: int = 10 ** abs(shift)
    if shift >= 0:
        minor = coefficient * scale
    else:
        minor, dropped = divmod(coefficient, scale)
        if dropped:
            raise ValueError(
                f"{value} has more decimal places than {currency} allows ({exponent(currency)})"
            )
    return -minor if sign else minor


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (cents, yen, fils) of one currency.

    Arithmetic and ordering are defined only within one currency; mixing raises
    :class:`CurrencyMismatch`. Equality across currencies is simply ``False``.
    """

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        _require_int(self.amount_minor, "amount_minor")
        if not isinstance(self.currency, str):
            raise TypeError(f"currency must be a str, not {type(self.currency).__name__}")
        exponent(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str) -> Money:
        """Parse a major-unit amount: ``Money.from_decimal("12.34", "EUR")`` is 1234 cents.

        Refuses (``ValueError``) any amount that would lose precision, such as ``"0.001"`` in EUR
        or ``"1.5"`` in JPY; trailing zeros (``"12.340"``) are fine. Floats are refused
        (``TypeError``) because they cannot represent most decimal amounts.
        """
        if isinstance(value, bool) or not isinstance(value, Decimal | str | int):
            raise TypeError(f"amount must be a Decimal, str or int, not {type(value).__name__}")
        if isinstance(value, str):
            try:
                value = Decimal(value.strip())
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a decimal amount") from None
        return cls(_to_minor(Decimal(value), currency), currency)

    @classmethod
    def sum_of(cls, amounts: Iterable[Money], currency: str) -> Money:
        """Total of ``amounts``, all in ``currency``; zero for none."""
        total = cls.zero(currency)
        for amount in amounts:
            total += amount
        return total

    def to_decimal(self) -> Decimal:
        """The amount in major units with exactly the currency's decimal places (``12.30``)."""
        digits = tuple(int(d) for d in str(abs(self.amount_minor)))
        return Decimal((int(self.amount_minor < 0), digits, -exponent(self.currency)))

    def format(self) -> str:
        """Code and amount, e.g. ``"EUR 12.34"``, ``"JPY 1200"``, ``"KWD -1.234"``."""
        return f"{self.currency} {self.to_decimal():f}"

    def __str__(self) -> str:
        return self.format()

    @property
    def is_zero(self) -> bool:
        # A property, not a method: ``if m.is_zero:`` on a method would always be true.
        return self.amount_minor == 0

    def percentage(self, rate_bps: int) -> Money:
        """``rate_bps`` basis points of this amount, rounded half up (1250 bp = 12.5 %)."""
        return Money(apply_rate(self.amount_minor, rate_bps), self.currency)

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split in proportion to ``weights``; the parts sum exactly to this amount."""
        return [Money(part, self.currency) for part in allocate(self.amount_minor, weights)]

    def split_evenly(self, n: int) -> list[Money]:
        """Split into ``n`` parts differing by at most one minor unit, larger parts first."""
        return [Money(part, self.currency) for part in split_evenly(self.amount_minor, n)]

    def _same_currency(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(
                f"cannot {operation} {self.currency} and {other.currency} amounts"
            )

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount_minor >= other.amount_minor


__all__ = [
    "BPS_DENOMINATOR",
    "CURRENCY_EXPONENTS",
    "MAX_MAJOR_DIGITS",
    "CurrencyMismatch",
    "Money",
    "UnknownCurrency",
    "allocate",
    "apply_rate",
    "exponent",
    "round_half_up",
    "split_evenly",
]


CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "INR": "₹"}


def format_money(amount_minor: int, currency: str) -> str:
    """For people: ``1250, "EUR"`` → ``"€12.50"``; unknown symbols fall back to the ISO code."""
    places = exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    major, minor = divmod(abs(amount_minor), 10**places) if places else (abs(amount_minor), 0)
    grouped = f"{major:,}"
    amount = f"{grouped}.{minor:0{places}d}" if places else grouped
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    return f"{sign}{symbol}{amount}"
