"""The platform's money at a glance, per currency, read from the ledger alone: what buyers paid
(GMV, the gross captured), what the platform earned (commission, plan fees), what it holds for
others (escrow, seller balances) and what sellers owe it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.money import round_half_up
from mercato.payments import repository
from mercato.payments.calculations import PLATFORM_COMMISSION, PLATFORM_SUBSCRIPTIONS

CHART_DAYS = 30

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
        "gmv": await repository.captured_totals(session),
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


async def _daily(
    session: AsyncSession, since: date, until: date, currencies: list[str]
) -> list[DailyFigures]:
    start = datetime.combine(since, time(0), tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=UTC)
    gmv = {
        (day, currency): amount
        for day, currency, amount in await repository.daily_captured(session, start, end)
    }
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
