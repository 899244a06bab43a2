"""The platform's money at a glance, per currency, read from the ledger alone: what buyers paid
(GMV, the gross captured), what the platform earned (commission, plan fees), what it holds for
others (escrow, seller balances) and what sellers owe it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.money import round_half_up
from mercato.payments import repository
from mercato.payments.calculations import PLATFORM_COMMISSION, PLATFORM_SUBSCRIPTIONS

CHART_DAYS = 30
# Days that ended more than this long ago are closed: no journal can still be dated on them.
CLOSED = timedelta(days=1)

# LIKE patterns over the account codes (see the account helpers in calculations).
ESCROW_ACCOUNTS = "escrow:%"
SELLER_PENDING = "seller:%:pending"
SELLER_AVAILABLE = "seller:%:available"
SELLER_IN_TRANSIT = "seller:%:payout_in_transit"
SELLER_DEBT = "seller:%:debt"


class CurrencyFinance(BaseModel):
    """One currency's figures, in minor units."""

    currency: str
    gmv_minor: int  # everything captured from buyers, before refunds
    commission_minor: int  # the platform:commission balance (net of refunded commission)
    take_rate_bps: int | None  # commission / GMV in basis points; None without GMV
    take_rate: str  # "12.50 %", or "—" without GMV
    escrow_minor: int  # buyer money held for orders not released yet
    seller_pending_minor: int  # released, inside its hold period
    seller_available_minor: int  # what payouts are due from
    seller_in_transit_minor: int  # sent by payouts the provider has not confirmed yet
    seller_debt_minor: int  # what sellers owe the platform (positive)
    plan_revenue_minor: int  # the platform:subscriptions balance


class DailyFigures(BaseModel):
    day: date
    currency: str
    gmv_minor: int
    commission_minor: int


class FinanceOverview(BaseModel):
    as_of: datetime
    since: date  # first day of the chart
    until: date  # last day of the chart (today)
    currencies: list[CurrencyFinance]
    daily: list[DailyFigures]  # one row per day and currency, the chart's days in order


def take_rate_bps(commission_minor: int, gmv_minor: int) -> int | None:
    """Commission as a share of GMV in basis points, rounded half up; None when nothing was
    captured (a rate of nothing is not zero)."""
    if gmv_minor == 0:
        return None
    return round_half_up(commission_minor * 10_000, gmv_minor)


def format_rate(rate_bps: int | None) -> str:
    if rate_bps is None:
        return "—"
    sign = "-" if rate_bps < 0 else ""
    whole, hundredths = divmod(abs(rate_bps), 100)
    return f"{sign}{whole}.{hundredths:02d} %"


async def finance_overview(
    session: AsyncSession, principal: Principal, *, days: int = CHART_DAYS
) -> FinanceOverview:
    """GMV, commission, take rate, escrow, seller balances, debt and plan revenue per currency,
    with daily GMV and commission over the last ``days`` days. Staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    now = clock.now()
    since = now.date() - timedelta(days=days - 1)
    totals = {
        "gmv": await captured_totals(session),
        "commission": await repository.balance_totals(session, PLATFORM_COMMISSION),
        "plans": await repository.balance_totals(session, PLATFORM_SUBSCRIPTIONS),
        "escrow": await repository.balance_totals(session, ESCROW_ACCOUNTS),
        "pending": await repository.balance_totals(session, SELLER_PENDING),
        "available": await repository.balance_totals(session, SELLER_AVAILABLE),
        "in_transit": await repository.balance_totals(session, SELLER_IN_TRANSIT),
        "debt": await repository.balance_totals(session, SELLER_DEBT),
    }
    currencies = sorted({currency for figures in totals.values() for currency in figures})
    return FinanceOverview(
        as_of=now,
        since=since,
        until=now.date(),
        currencies=[_currency_figures(currency, totals) for currency in currencies],
        daily=await _daily(session, since, now.date(), currencies),
    )


def _currency_figures(currency: str, totals: dict[str, dict[str, int]]) -> CurrencyFinance:
    def of(name: str) -> int:
        return totals[name].get(currency, 0)

    rate = take_rate_bps(of("commission"), of("gmv"))
    return CurrencyFinance(
        currency=currency,
        gmv_minor=of("gmv"),
        commission_minor=of("commission"),
        take_rate_bps=rate,
        take_rate=format_rate(rate),
        escrow_minor=of("escrow"),
        seller_pending_minor=of("pending"),
        seller_available_minor=of("available"),
        seller_in_transit_minor=of("in_transit"),
        seller_debt_minor=-of("debt"),
        plan_revenue_minor=of("plans"),
    )


# --- captures rolled up per closed day -------------------------------------------------------


async def roll_up_closed_days(session: AsyncSession) -> int:
    """Sum the captures of every day not rolled up yet that ended more than a day ago (no
    journal can still be written with such a date); the number of (day, currency) rows added.
    Two runs at once add nothing twice: the second one's rows collide and it adds none."""
    last = await repository.last_rolled_up_day(session)
    start = _midnight(last + timedelta(days=1)) if last else None
    rows = await repository.daily_captured(session, start, _midnight(clock.now().date() - CLOSED))
    try:
        async with session.begin_nested():
            repository.add_daily_captures(session, rows)
            await session.flush()
    except IntegrityError:
        return 0
    return len(rows)


async def captured_totals(session: AsyncSession) -> dict[str, int]:
    """Per currency, everything ever captured: the rolled-up days plus a live sum of the days
    after them, so the cost follows the recent days, not the whole history."""
    last = await repository.last_rolled_up_day(session)
    if last is None:
        return await repository.captured_totals(session)
    totals = await repository.rolled_up_totals(session)
    live = await repository.captured_totals(session, _midnight(last + timedelta(days=1)))
    return {
        currency: totals.get(currency, 0) + live.get(currency, 0)
        for currency in totals.keys() | live.keys()
    }


async def _daily_captured(
    session: AsyncSession, since: date, until: date
) -> dict[tuple[str, str], int]:
    last = await repository.last_rolled_up_day(session)
    rows = await repository.rolled_up_days(session, since, last) if last else []
    live_since = max(since, last + timedelta(days=1)) if last else since
    rows += await repository.daily_captured(
        session, _midnight(live_since), _midnight(until + timedelta(days=1))
    )
    return {(day, currency): amount for day, currency, amount in rows}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


async def _daily(
    session: AsyncSession, since: date, until: date, currencies: list[str]
) -> list[DailyFigures]:
    start = _midnight(since)
    end = _midnight(until + timedelta(days=1))
    gmv = await _daily_captured(session, since, until)
    commission = {
        (day, currency): amount
        for day, currency, amount in await repository.daily_account_movements(
            session, PLATFORM_COMMISSION, start, end
        )
    }
    days = [since + timedelta(days=offset) for offset in range((until - since).days + 1)]
    return [
        DailyFigures(
            day=day,
            currency=currency,
            gmv_minor=gmv.get((day.isoformat(), currency), 0),
            commission_minor=commission.get((day.isoformat(), currency), 0),
        )
        for currency in currencies
        for day in days
    ]
