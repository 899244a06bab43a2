"""Pure payout rules: when a schedule is due, the period key that makes a scheduled payout
happen at most once, why a payout is blocked, and a statement's arithmetic. No I/O."""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from mercato.kit.errors import FieldError, ValidationFailed
from mercato.kit.money import Money, UnknownCurrency, exponent
from mercato.payouts.schemas import Interval

MAX_PAYOUT_MINOR = 10**15  # the ledger's own bound on one amount


@dataclass(frozen=True)
class Schedule:
    interval: Interval
    weekly_anchor: int | None = None
    monthly_anchor: int | None = None


DEFAULT_SCHEDULE = Schedule(Interval.DAILY)


def monthly_due_day(year: int, month: int, anchor: int) -> date:
    """The payout day of a month: the anchor, or the month's last day when the month is
    shorter (an anchor of 31 pays on 30 April and 28 or 29 February)."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(anchor, last))


def latest_due_date(schedule: Schedule, today: date) -> date | None:
    """The most recent payout day on or before ``today``; None for a manual schedule.

    The sweep pays once per due date: a sweep that missed a day (downtime) still pays the
    period on its next run, and later runs in the same period change nothing."""
    if schedule.interval is Interval.DAILY:
        return today
    if schedule.interval is Interval.WEEKLY:
        anchor = schedule.weekly_anchor or 0
        return today - timedelta(days=(today.weekday() - anchor) % 7)
    if schedule.interval is Interval.MONTHLY:
        anchor = schedule.monthly_anchor or 1
        this_month = monthly_due_day(today.year, today.month, anchor)
        if this_month <= today:
            return this_month
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return monthly_due_day(year, month, anchor)
    return None


def scheduled_key(seller_id: object, currency: str, due: date) -> str:
    """The idempotency key of a scheduled payout: one per seller, currency and due date."""
    return f"payout:{seller_id}:{currency}:{due.isoformat()}"


def request_key(seller_id: object, client_key: str) -> str:
    """The idempotency key of a payout asked for on demand (the client's Idempotency-Key)."""
    return f"request:{seller_id}:{client_key}"


def validate_schedule(
    interval: Interval,
    weekly_anchor: int | None,
    monthly_anchor: int | None,
    minimums: Mapping[str, int],
) -> tuple[Schedule, dict[str, int]]:
    """A schedule and its minimums, or :class:`ValidationFailed` naming every problem."""
    problems: list[FieldError] = []
    if interval is Interval.WEEKLY and weekly_anchor is None:
        problems.append(FieldError("weekly_anchor", "Choose the weekday of weekly payouts."))
    if interval is Interval.MONTHLY and monthly_anchor is None:
        problems.append(FieldError("monthly_anchor", "Choose the day of monthly payouts."))
    if weekly_anchor is not None and not 0 <= weekly_anchor <= 6:
        problems.append(FieldError("weekly_anchor", "The weekday is 0 (Monday) to 6 (Sunday)."))
    if monthly_anchor is not None and not 1 <= monthly_anchor <= 31:
        problems.append(FieldError("monthly_anchor", "The day of the month is 1 to 31."))
    cleaned: dict[str, int] = {}
    for currency, amount in minimums.items():
        code = currency.strip().upper()
        try:
            exponent(code)
        except UnknownCurrency:
            problems.append(FieldError(f"minimums.{currency}", f"{currency!r} is not a currency."))
            continue
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            problems.append(FieldError(f"minimums.{code}", "A minimum is zero or more."))
        elif amount > MAX_PAYOUT_MINOR:
            problems.append(FieldError(f"minimums.{code}", "The minimum is out of range."))
        else:
            cleaned[code] = amount
    if problems:
        raise ValidationFailed(problems[0].message, errors=problems)
    schedule = Schedule(
        interval,
        weekly_anchor if interval is Interval.WEEKLY else None,
        monthly_anchor if interval is Interval.MONTHLY else None,
    )
    return schedule, cleaned


def describe_schedule(schedule: Schedule) -> str:
    weekdays = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    if schedule.interval is Interval.DAILY:
        return "Every day"
    if schedule.interval is Interval.WEEKLY:
        return f"Every {weekdays[schedule.weekly_anchor or 0]}"
    if schedule.interval is Interval.MONTHLY:
        day = schedule.monthly_anchor or 1
        tail = " (or the month's last day)" if day > 28 else ""
        return f"Monthly on day {day}{tail}"
    return "Only when you ask"


def validate_amount(amount_minor: int, currency: str) -> Money:
    """A payout amount: positive, whole minor units, in a known currency."""
    try:
        exponent(currency)
    except UnknownCurrency as error:
        raise ValidationFailed.on("currency", str(error)) from None
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise ValidationFailed.on("amount_minor", "Amounts are whole minor units.")
    if amount_minor <= 0:
        raise ValidationFailed.on("amount_minor", "A payout must be more than zero.")
    if amount_minor > MAX_PAYOUT_MINOR:
        raise ValidationFailed.on("amount_minor", "The amount is out of range.")
    return Money(amount_minor, currency)


@dataclass(frozen=True)
class PayoutFacts:
    """What decides whether a seller may be paid out now."""

    suspended: bool
    has_payout_account: bool
    available_minor: int
    debt_minor: int
    frozen_minor: int
    # Held by seller performance (the standing reached "payouts held").
    performance_hold: bool = False


def blocked_reason(facts: PayoutFacts, currency: str) -> str | None:
    """Why no payout may leave now, or None. Frozen (disputed) money only blocks payouts when
    it is more than the available balance could cover."""
    if facts.suspended:
        return "Payouts are on hold while the seller account is suspended."
    if facts.performance_hold:
        return (
            "Payouts are on hold: the seller's performance metrics breach the marketplace "
            "thresholds (see Performance in the seller portal; the seller may appeal)."
        )
    if not facts.has_payout_account:
        return "Add a payout account (IBAN) before asking for a payout."
    if facts.debt_minor > 0:
        owed = Money(facts.debt_minor, currency).format()
        return f"The seller owes {owed} to the platform; it is repaid from new sales first."
    if facts.frozen_minor > facts.available_minor:
        frozen = Money(facts.frozen_minor, currency).format()
        return f"{frozen} is frozen by open disputes, more than the available balance."
    return None


def statement_totals(opening_minor: int, lines: list[int], amount_minor: int) -> tuple[int, int]:
    """(closing, carried forward): the closing balance is the opening plus every movement; the
    payout takes ``amount_minor`` of it and the rest stays available."""
    closing = opening_minor + sum(lines)
    return closing, closing - amount_minor


def running_balance(changes: list[int], start: int = 0) -> list[int]:
    """The balance after each change."""
    points, current = [], start
    for change in changes:
        current += change
        points.append(current)
    return points


def request_fingerprint(seller_id: object, amount_minor: int, currency: str) -> str:
    """What a repeated Idempotency-Key must match: the same seller, amount and currency."""
    canonical = json.dumps(
        {"seller": str(seller_id), "amount_minor": amount_minor, "currency": currency},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
