"""Pure payout rules: due dates, month-end fallback, statement arithmetic, blocking reasons."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.kit.errors import ValidationFailed
from mercato.payouts.calculations import (
    PayoutFacts,
    Schedule,
    blocked_reason,
    latest_due_date,
    monthly_due_day,
    running_balance,
    statement_totals,
    validate_schedule,
)
from mercato.payouts.schemas import Interval

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(days, st.integers(0, 6))
def test_weekly_due_date_is_the_last_anchor_weekday(today, anchor):
    due = latest_due_date(Schedule(Interval.WEEKLY, weekly_anchor=anchor), today)
    assert due is not None
    assert due.weekday() == anchor
    assert 0 <= (today - due).days < 7


@given(days, st.integers(1, 31))
def test_monthly_due_date_falls_back_to_the_last_day(today, anchor):
    due = latest_due_date(Schedule(Interval.MONTHLY, monthly_anchor=anchor), today)
    assert due is not None and due <= today
    last = calendar.monthrange(due.year, due.month)[1]
    assert due.day == min(anchor, last)
    assert (today - due).days < 31


def test_monthly_examples():
    assert monthly_due_day(2026, 2, 31) == date(2026, 2, 28)
    assert monthly_due_day(2028, 2, 30) == date(2028, 2, 29)
    assert monthly_due_day(2026, 4, 31) == date(2026, 4, 30)
    schedule = Schedule(Interval.MONTHLY, monthly_anchor=31)
    assert latest_due_date(schedule, date(2026, 3, 15)) == date(2026, 2, 28)
    assert latest_due_date(schedule, date(2026, 1, 10)) == date(2025, 12, 31)


@given(days)
def test_daily_is_due_today_and_manual_never(today):
    assert latest_due_date(Schedule(Interval.DAILY), today) == today
    assert latest_due_date(Schedule(Interval.MANUAL), today) is None


@given(days)
def test_one_key_per_period(today):
    schedule = Schedule(Interval.WEEKLY, weekly_anchor=2)
    first = latest_due_date(schedule, today)
    for offset in range(1, 7):
        later = today + timedelta(days=offset)
        same_period = latest_due_date(schedule, later) == first
        assert same_period == ((later - first).days < 7)  # type: ignore[operator]


@given(st.integers(-(10**9), 10**9), st.lists(st.integers(-(10**9), 10**9), max_size=30))
def test_statement_totals_agree_to_the_cent(opening, lines):
    closing, carried = statement_totals(opening, lines, max(opening + sum(lines), 0))
    assert closing == opening + sum(lines)
    assert carried == closing - max(closing, 0)
    assert running_balance(lines, opening)[-1:] == ([closing] if lines else [])


def test_schedule_validation_names_every_problem():
    with pytest.raises(ValidationFailed) as refused:
        validate_schedule(Interval.WEEKLY, None, None, {"EUR": -1, "XXQ": 5})
    assert [e.field for e in refused.value.errors] == [
        "weekly_anchor",
        "minimums.EUR",
        "minimums.XXQ",
    ]
    schedule, minimums = validate_schedule(Interval.MONTHLY, 3, 31, {"eur": 2500})
    assert (schedule.weekly_anchor, schedule.monthly_anchor, minimums) == (None, 31, {"EUR": 2500})


def facts(**changes):
    base = {
        "suspended": False,
        "has_payout_account": True,
        "available_minor": 100,
        "debt_minor": 0,
        "frozen_minor": 0,
    }
    return PayoutFacts(**{**base, **changes})


def test_blocked_reasons():
    assert blocked_reason(facts(), "EUR") is None
    assert blocked_reason(facts(frozen_minor=100), "EUR") is None
    assert blocked_reason(facts(frozen_minor=101), "EUR") == (
        "EUR 1.01 is frozen by open disputes, more than the available balance."
    )
    assert blocked_reason(facts(suspended=True, debt_minor=5), "EUR") == (
        "Payouts are on hold while the seller account is suspended."
    )
    assert blocked_reason(facts(has_payout_account=False), "EUR") == (
        "Add a payout account (IBAN) before asking for a payout."
    )
