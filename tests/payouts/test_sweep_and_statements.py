"""The scheduled sweep (derived from the database: a rerun pays nothing twice), schedules, and
statements that agree with their payout to the cent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mercato.kit import clock
from mercato.kit.errors import ValidationFailed
from mercato.payments import PLATFORM_COMMISSION, Posting, clearing_account, post_journal
from mercato.payments.service import charge_seller, check_ledger, credit_seller
from mercato.payouts import service
from mercato.payouts.models import Payout
from mercato.payouts.schemas import Interval, PayoutRequestIn, ScheduleIn
from mercato.payouts.tasks import run_scheduled_payouts
from tests.payouts.conftest import balances_of, fund


@pytest.fixture
def wednesday():
    frozen = clock.FrozenClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # a Wednesday
    previous = clock.use_clock(frozen)
    yield frozen
    clock.use_clock(previous)


async def payouts_of(runtime, seller_id):
    async with runtime.database.reading() as session:
        rows = await session.execute(
            select(Payout.idempotency_key, Payout.amount_minor, Payout.status)
            .where(Payout.seller_id == seller_id)
            .order_by(Payout.id)
        )
        return [tuple(row) for row in rows]


async def save_schedule(runtime, principal, **fields):
    async with runtime.database.transaction() as session:
        return await service.save_my_schedule(session, principal, ScheduleIn(**fields))


async def test_daily_sweep_pays_once_per_day(runtime, sellers, wednesday):
    await fund(runtime, sellers.seller_id, 4200, "f1")
    await fund(runtime, sellers.other_seller_id, 900, "f2")  # below the default €10.00
    assert await run_scheduled_payouts() == 1
    assert await run_scheduled_payouts() == 0
    key = f"payout:{sellers.seller_id}:EUR:2026-11-25"
    assert await payouts_of(runtime, sellers.seller_id) == [(key, 4200, "paid")]
    assert await payouts_of(runtime, sellers.other_seller_id) == []
    await fund(runtime, sellers.seller_id, 1500, "f3")
    assert await run_scheduled_payouts() == 0  # today's period is paid
    wednesday.advance(timedelta(days=1))
    assert await run_scheduled_payouts() == 1
    assert (await balances_of(runtime, sellers.seller_id)).available_minor == 0
    async with runtime.database.reading() as session:
        assert (await check_ledger(session)).ok


async def test_weekly_manual_and_minimum_schedules(runtime, sellers, wednesday):
    await save_schedule(
        runtime,
        sellers.principal("seller"),
        interval=Interval.WEEKLY,
        weekly_anchor=4,
        minimums={"EUR": 100},
    )
    await save_schedule(runtime, sellers.principal("other_seller"), interval=Interval.MANUAL)
    await fund(runtime, sellers.seller_id, 500, "f1")
    await fund(runtime, sellers.other_seller_id, 50000, "f2")
    assert await run_scheduled_payouts() == 1  # last Friday's period was never paid
    assert await payouts_of(runtime, sellers.seller_id) == [
        (f"payout:{sellers.seller_id}:EUR:2026-11-20", 500, "paid")
    ]
    await fund(runtime, sellers.seller_id, 700, "f3")
    wednesday.advance(timedelta(days=1))  # Thursday: same period
    assert await run_scheduled_payouts() == 0
    wednesday.advance(timedelta(days=1))  # Friday: a new period
    assert await run_scheduled_payouts() == 1
    assert await payouts_of(runtime, sellers.other_seller_id) == []


async def test_schedule_defaults_and_validation(runtime, sellers):
    async with runtime.database.reading() as session:
        default = await service.get_my_schedule(session, sellers.principal("seller"))
    assert (default.interval, default.is_default, default.description) == (
        Interval.DAILY,
        True,
        "Every day",
    )
    assert default.minimums["EUR"] == 1000
    saved = await save_schedule(
        runtime,
        sellers.principal("seller"),
        interval=Interval.MONTHLY,
        monthly_anchor=31,
        minimums={"EUR": 2500},
    )
    assert saved.description == "Monthly on day 31 (or the month's last day)"
    assert (saved.monthly_anchor, saved.minimums["EUR"], saved.is_default) == (31, 2500, False)
    with pytest.raises(ValidationFailed) as refused:
        await save_schedule(runtime, sellers.principal("seller"), interval=Interval.WEEKLY)
    assert refused.value.detail == "Choose the weekday of weekly payouts."


async def test_statement_lists_what_moved_since_the_previous_payout(runtime, sellers):
    seller = sellers.principal("seller")

    async def ask(amount, key):
        async with runtime.database.transaction() as session:
            data = PayoutRequestIn(amount_minor=amount, currency="EUR")
            return (await service.request_payout(session, seller, data, key)).payout

    await fund(runtime, sellers.seller_id, 3000, "a")
    await fund(runtime, sellers.seller_id, 2000, "b")
    first = await ask(4000, "p1")
    await fund(runtime, sellers.seller_id, 1234, "c")
    await fund(runtime, sellers.seller_id, 1000, "d")
    second = await ask(3234, "p2")
    async with runtime.database.reading() as session:
        one = await service.get_statement(session, seller, first.id)
        two = await service.get_statement(session, seller, second.id)
        csv_text = service.statement_csv(two)
    assert (one.opening_minor, [x.amount_minor for x in one.lines]) == (0, [3000, 2000])
    assert (one.closing_minor, one.carried_forward_minor) == (5000, 1000)
    assert two.previous_payout_id == first.id
    assert [x.reference for x in two.lines] == ["test:c", "test:d"]
    assert [x.amount_minor for x in two.lines] == [1234, 1000]
    # The first payout's carried-forward balance opens the second statement.
    assert (two.opening_minor, two.closing_minor, two.carried_forward_minor) == (1000, 3234, 0)
    rows = csv_text.splitlines()
    assert rows[0] == "date,description,reference,sale,commission,amount,currency"
    assert rows[1] == ",Opening available balance,,,,10.00,EUR"
    assert rows[-3] == ",Closing available balance,,,,32.34,EUR"
    assert rows[-2].endswith(f",Payout,payout:{second.id},,,-32.34,EUR")
    assert rows[-1] == ",Carried forward,,,,0.00,EUR"
    assert len(rows) == 7


async def test_statement_itemises_the_sale_and_commission_of_releases_and_refunds(runtime, sellers):
    seller = sellers.principal("seller")
    escrow, clearing = "escrow:order:statement-1", clearing_account("sandbox")
    async with runtime.database.transaction() as session:
        capture = [Posting(clearing, -9500, "EUR"), Posting(escrow, 9500, "EUR")]
        await post_journal(session, "cap", "payment_capture", capture, "order:statement-1")
        release = [Posting(escrow, -9500, "EUR"), Posting(PLATFORM_COMMISSION, 950, "EUR")]
        await credit_seller(
            session,
            sellers.seller_id,
            release,
            key="rel",
            kind="escrow_release",
            reference="order:statement-1",
        )
        refund = [Posting(clearing, 500, "EUR"), Posting(PLATFORM_COMMISSION, -42, "EUR")]
        await charge_seller(
            session, sellers.seller_id, refund, key="ref", kind="refund", reference="order:s-1"
        )
    async with runtime.database.transaction() as session:
        data = PayoutRequestIn(amount_minor=8092, currency="EUR")
        payout = (await service.request_payout(session, seller, data, "all")).payout
    async with runtime.database.reading() as session:
        statement = await service.get_statement(session, seller, payout.id)
        rows = service.statement_csv(statement).splitlines()
    breakdown = [(x.gross_minor, x.commission_minor, x.amount_minor) for x in statement.lines]
    assert breakdown == [(9500, -950, 8550), (-500, 42, -458)]
    assert rows[2].split(",")[1:] == [
        "Order completed: released to you",
        "order:statement-1",
        "95.00",
        "-9.50",
        "85.50",
        "EUR",
    ]
