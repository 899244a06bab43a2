"""A model-checked state machine over the whole money path of two sellers: checkout and card
capture, shipping and delivery, cancellation (by the buyer or the SLA), refunds (partial and
full, before and after release), the release sweep, a paid plan's monthly fee, seller payouts
and payouts that fail at the bank. After every step the ledger passes every check and each
seller's money adds up:

    available + in transit + paid out - debt == released net - refunds after release - plan fees

Runs on SQLite and PostgreSQL. Each example starts from the same market (a savepoint rolled
back at its end, the clock set back); hypothesis replays and shrinks examples, so what a rule
may do depends on the example's own steps alone. Every example starts with a released order
for each seller; time passing runs the SLA sweep, which cancels (and refunds) what is left
unshipped too long. Hypothesis drives the machine from a worker thread; each step runs its
coroutine on the test's event loop, where the database connection lives."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, AsyncTransaction

import mercato.payouts.tasks  # noqa: F401  (registers the payout send job)
from mercato.catalog.models import Variant
from mercato.commission.schemas import PlanIn, RuleIn
from mercato.commission.service import charge_plan_fees, choose_plan, create_rule, save_plan
from mercato.governance import sla_terms
from mercato.governance.tasks import sweep_sla_clocks
from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Conflict
from mercato.kit.money import BPS_DENOMINATOR, round_half_up
from mercato.kit.runtime import Runtime
from mercato.orders.tasks import advance_due_orders
from mercato.payments import PLATFORM_COMMISSION, PLATFORM_SUBSCRIPTIONS
from mercato.payments.providers.sandbox.provider import FAILING_PAYOUT_IBAN
from mercato.payments.service import balance, check_ledger, seller_balances
from mercato.payouts import service as payouts
from mercato.payouts.models import Payout
from mercato.payouts.schemas import Interval, PayoutRequestIn, ScheduleIn
from mercato.payouts.service import PayoutRefused
from mercato.sellers.schemas import PayoutAccountIn
from mercato.sellers.service import save_payout_account
from mercato.settlement import service
from mercato.settlement.schemas import EscrowOut, EscrowStatus, RefundIn
from tests.settlement.conftest import (
    Market,
    act,
    admin_of,
    deliver,
    paid_orders,
    release,
    seller_of,
)

T = TypeVar("T")
RATE_BPS = 1250
PLAN_FEE = 290
GOOD_IBAN = "DE89370400440532013000"
SELLERS = ("seller", "other_seller")


MAX_PLAN_MONTHS = 2


@dataclass
class Books:
    """What the model says one seller has earned and lost, in EUR minor units."""

    released_net: int = 0
    refunded_after_release: int = 0  # the seller's share of refunds after release
    plan_fees: int = 0
    paid_out: int = 0

    @property
    def net(self) -> int:
        """What the seller should have: its available balance, or minus its debt."""
        return self.released_net - self.refunded_after_release - self.plan_fees - self.paid_out


@dataclass
class World:
    """The model of the market: every order's money, and each seller's books."""

    orders: list[dict[str, Any]] = field(default_factory=list)
    books: dict[str, Books] = field(default_factory=lambda: {w: Books() for w in SELLERS})
    months_charged: set[str] = field(default_factory=set)
    fees_kept: int = 0  # the platform's commission: released fees - fee shares refunded after
    seen: Counter[str] = field(default_factory=Counter)  # which paths the examples took

    def start_over(self) -> None:
        """Back to the empty market; what the examples saw is kept."""
        self.orders, self.months_charged, self.fees_kept = [], set(), 0
        self.books = {who: Books() for who in SELLERS}


def expected_fee(escrow: EscrowOut) -> int:
    """The rule's rate on each line, rounded half up per line (shipping carries no fee)."""
    return sum(
        round_half_up(line.line_total_minor * RATE_BPS, BPS_DENOMINATOR) for line in escrow.lines
    )


def fee_given_up(model: dict[str, Any], amount: int) -> int:
    """The fee share a refund of ``amount`` takes: proportional to what is left, all of it when
    the refund takes everything left."""
    gross_left: int = model["captured"] - model["refunded"]
    fee_left: int = model["fee"] - model["refunded_fee"]
    if amount == gross_left:
        return fee_left
    return round_half_up(fee_left * amount, gross_left)


async def prepare(runtime: Runtime, market: Market) -> None:
    """Plenty of stock, a 12.5 % commission rule, a paid plan for the first seller, payout
    accounts and manual schedules (no minimum beyond one cent) for both."""
    admin = admin_of(market)
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Variant)
            .where(Variant.id.in_([market.mug_small, market.lamp]))
            .values(stock=100_000)
        )
        await create_rule(session, admin, RuleIn(name="Standard", rate_bps=RATE_BPS))
        plan = PlanIn(code="pro", name="Pro", monthly_fee_minor=PLAN_FEE, currency="EUR")
        await save_plan(session, admin, plan)
        await choose_plan(session, seller_of(market), "pro")
        manual = ScheduleIn(interval=Interval.MANUAL, minimums={"EUR": 1})
        for who in SELLERS:
            await set_iban(session, market, who, GOOD_IBAN)
            await payouts.save_my_schedule(session, seller_of(market, who), manual)


async def set_iban(session: AsyncSession, market: Market, who: str, iban: str) -> None:
    account = PayoutAccountIn(account_holder="Test Holder", iban=iban)
    await save_payout_account(session, seller_of(market, who), account)


def machine_for(
    loop: asyncio.AbstractEventLoop,
    runtime: Runtime,
    client: httpx.AsyncClient,
    market: Market,
    clock: FrozenClock,
    world: World,
) -> type[RuleBasedStateMachine]:
    seller_ids = {"seller": market.seller_id, "other_seller": market.other_seller_id}

    def run(coroutine: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()  # type: ignore[arg-type]

    async def escrow_of(order_id: str) -> EscrowOut:
        async with runtime.database.reading() as session:
            return await service.get_escrow(session, admin_of(market), uuid.UUID(order_id))

    async def refund(order_id: str, body: dict[str, Any]) -> None:
        data = RefundIn.model_validate({"reason": "Random refund", **body})
        async with runtime.database.transaction() as session:
            await service.refund_order(
                session, admin_of(market), uuid.UUID(order_id), data, uuid.uuid4().hex
            )

    async def pay_out(who: str, amount: int, fails: bool) -> str:
        """Ask for ``amount`` as the seller, the send job runs; to the closed account when
        ``fails``, put back afterwards. The payout's final status."""
        if fails:
            async with runtime.database.transaction() as session:
                await set_iban(session, market, who, FAILING_PAYOUT_IBAN)
        try:
            async with runtime.database.transaction() as session:
                data = PayoutRequestIn(amount_minor=amount, currency="EUR")
                result = await payouts.request_payout(
                    session, seller_of(market, who), data, uuid.uuid4().hex
                )
            async with runtime.database.transaction() as session:
                sent = await payouts.send_pending_payout(session, result.payout.id)
                assert sent is not None
                return sent.status
        finally:
            if fails:
                async with runtime.database.transaction() as session:
                    await set_iban(session, market, who, GOOD_IBAN)

    async def money_of(who: str) -> tuple[int, int, int, int]:
        """(available, in transit, paid out, debt) of the seller, from the ledger and payouts."""
        seller_id = seller_ids[who]
        async with runtime.database.reading() as session:
            balances = await seller_balances(session, seller_id, "EUR")
            paid = await session.execute(
                select(func.coalesce(func.sum(Payout.amount_minor), 0)).where(
                    Payout.seller_id == seller_id, Payout.status == "paid"
                )
            )
            return (
                balances.available_minor,
                balances.in_transit_minor,
                int(paid.scalar_one()),
                balances.debt_minor,
            )

    async def platform() -> tuple[list[Any], int, int]:
        async with runtime.database.reading() as session:
            report = await check_ledger(session)
            fees = await balance(session, PLATFORM_COMMISSION, "EUR")
            plans = await balance(session, PLATFORM_SUBSCRIPTIONS, "EUR")
            return report.violations, fees.amount_minor, plans.amount_minor

    connection = runtime.database.bind
    assert connection is not None, "the machine needs the test database's own connection"

    async def unshipped_limit() -> timedelta:
        async with runtime.database.reading() as session:
            return (await sla_terms(session, None)).auto_cancel_unshipped

    async def savepoint() -> AsyncTransaction:
        return await connection.begin_nested()

    class MoneyPath(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            # Every example starts from the same market at the same time: hypothesis replays
            # and shrinks examples, so which rules may run must depend on the example alone.
            self.savepoint = run(savepoint())
            self.started_at = clock.now()
            world.start_over()

        def teardown(self) -> None:
            run(self.savepoint.rollback())
            clock.advance(self.started_at - clock.now())

        @initialize()
        def both_sellers_have_earned(self) -> None:
            """A released order for each seller, so payouts and refunds after release are
            within a few steps of every example."""
            self.checkout_and_pay(mugs=1, lamps=1)
            self.ship_and_deliver(0)
            self.ship_and_deliver(0)
            self.buyer_window_passes()
            self.release_sweep()

        def pick(self, index: int, *stages: str) -> dict[str, Any]:
            found = [o for o in world.orders if o["stage"] in stages]
            return found[index % len(found)]

        def has(self, *stages: str) -> bool:
            return any(o["stage"] in stages for o in world.orders)

        @rule(mugs=st.integers(0, 2), lamps=st.integers(0, 1))
        def checkout_and_pay(self, mugs: int, lamps: int) -> None:
            items = [(v, n) for v, n in ((market.mug_small, mugs), (market.lamp, lamps)) if n]
            if not items:
                return
            for who, order in run(paid_orders(runtime, client, market, *items)).items():
                escrow = run(escrow_of(order["id"]))
                assert escrow.status == EscrowStatus.HELD
                assert escrow.captured_minor == order["total_minor"]
                assert sum(line.line_total_minor for line in escrow.lines) == order["items_minor"]
                assert escrow.fee_minor == expected_fee(escrow)
                world.orders.append(
                    {
                        "id": order["id"],
                        "who": who,
                        "stage": "paid",
                        "captured": order["total_minor"],
                        "fee": escrow.fee_minor,
                        "refunded": 0,
                        "refunded_fee": 0,
                        "released": False,
                        "paid_at": clock.now(),
                    }
                )

        @precondition(lambda self: self.has("paid"))
        @rule(index=st.integers(0, 50))
        def ship_and_deliver(self, index: int) -> None:
            chosen = self.pick(index, "paid")
            run(deliver(client, market, chosen["who"], {"id": chosen["id"]}))
            chosen["stage"] = "delivered"

        @rule()
        def buyer_window_passes(self) -> None:
            clock.advance(timedelta(days=3, seconds=1))
            world.seen["completed"] += run(advance_due_orders())
            run(sweep_sla_clocks())
            unshipped = run(unshipped_limit())
            for order in world.orders:
                if order["stage"] == "delivered":
                    order["stage"] = "completed"
                elif order["stage"] == "paid" and clock.now() >= order["paid_at"] + unshipped:
                    # The SLA cancels an order still unshipped; settlement refunds it in full.
                    self.canceled(order)
                    world.seen["canceled by the SLA"] += 1

        @rule()
        def release_sweep(self) -> None:
            run(release())
            for order in world.orders:
                if order["stage"] != "completed":
                    continue
                order["stage"] = "settled"
                if order["refunded"] < order["captured"]:
                    books = world.books[order["who"]]
                    gross, fee = (
                        order["captured"] - order["refunded"],
                        order["fee"] - order["refunded_fee"],
                    )
                    books.released_net += gross - fee
                    world.fees_kept += fee
                    order["released"] = True
                    world.seen["release"] += 1
                escrow = run(escrow_of(order["id"]))
                wanted = EscrowStatus.RELEASED if order["released"] else EscrowStatus.REFUNDED
                assert escrow.status == wanted

        @precondition(lambda self: self.has("paid"))
        @rule(index=st.integers(0, 50))
        def cancel(self, index: int) -> None:
            chosen = self.pick(index, "paid")
            response = run(act(client, market, "buyer", {"id": chosen["id"]}, "cancel"))
            assert response.status_code == 200, response.text
            self.canceled(chosen)
            world.seen["cancel"] += 1

        def canceled(self, order: dict[str, Any]) -> None:
            order["stage"] = "canceled"
            order["refunded"], order["refunded_fee"] = order["captured"], order["fee"]
            escrow = run(escrow_of(order["id"]))
            assert (escrow.held_minor, escrow.refunded_minor) == (0, order["captured"])
            assert escrow.status == EscrowStatus.REFUNDED

        @precondition(lambda self: bool(world.orders))
        @rule(index=st.integers(0, 500), share=st.integers(1, 100), full=st.booleans())
        def refund(self, index: int, share: int, full: bool) -> None:
            chosen = world.orders[index % len(world.orders)]
            left = chosen["captured"] - chosen["refunded"]
            amount = left if full else max(1, left * share // 100)
            body: dict[str, Any] = {"full": True} if full else {"amount_minor": amount}
            if left == 0:
                try:
                    run(refund(chosen["id"], body))
                except Conflict:
                    return
                raise AssertionError("a refund of a fully refunded order was accepted")
            run(refund(chosen["id"], body))
            share_of_fee = fee_given_up(chosen, amount)
            chosen["refunded"] += amount
            chosen["refunded_fee"] += share_of_fee
            world.seen["refund " + ("after" if chosen["released"] else "before") + " release"] += 1
            if chosen["released"]:
                world.books[chosen["who"]].refunded_after_release += amount - share_of_fee
                world.fees_kept -= share_of_fee
            escrow = run(escrow_of(chosen["id"]))
            assert (escrow.refunded_minor, escrow.refunded_fee_minor) == (
                chosen["refunded"],
                chosen["refunded_fee"],
            )
            assert escrow.refunded_minor <= escrow.captured_minor

        # Without a bound, plan fees pile up into a debt no release repays, and every later
        # payout of the example is refused.
        @precondition(lambda self: len(world.months_charged) < MAX_PLAN_MONTHS)
        @rule()
        def month_passes(self) -> None:
            # The fee is charged for a later month rather than by moving the clock a month
            # on: the test's access tokens would expire.
            at = clock.now() + timedelta(days=31 * (len(world.months_charged) + 1))

            async def charge() -> None:
                async with runtime.database.transaction() as session:
                    assert await charge_plan_fees(session, at) == 1

            run(charge())
            run(charge())  # a rerun for the same month charges nothing more
            world.months_charged.add(at.strftime("%Y-%m"))
            world.books["seller"].plan_fees = PLAN_FEE * len(world.months_charged)

        def sellers_where(self, test: Any) -> list[str]:
            return [who for who in SELLERS if test(world.books[who].net)]

        @precondition(lambda self: bool(self.sellers_where(lambda net: net > 0)))
        @rule(index=st.integers(0, 1), share=st.integers(1, 100), fails=st.booleans())
        def payout(self, index: int, share: int, fails: bool) -> None:
            found = self.sellers_where(lambda net: net > 0)
            who = found[index % len(found)]
            available, _, _, debt = run(money_of(who))
            assert (available, debt) == (world.books[who].net, 0)
            amount = max(1, available * share // 100)
            status = run(pay_out(who, amount, fails))
            assert status == ("failed" if fails else "paid")
            world.seen[f"payout {status}"] += 1
            if not fails:
                world.books[who].paid_out += amount
            assert run(money_of(who))[0] == available - (0 if fails else amount)

        @precondition(lambda self: bool(self.sellers_where(lambda net: net <= 0)))
        @rule(index=st.integers(0, 1), fails=st.booleans())
        def payout_refused(self, index: int, fails: bool) -> None:
            found = self.sellers_where(lambda net: net <= 0)
            who = found[index % len(found)]
            before = run(money_of(who))
            try:
                run(pay_out(who, 1, fails))
            except PayoutRefused:
                world.seen["payout refused"] += 1
                assert run(money_of(who)) == before
                return
            raise AssertionError("a payout without available money or with debt was made")

        @invariant()
        def ledger_is_sound_and_money_adds_up(self) -> None:
            violations, fees, plans = run(platform())
            assert violations == []
            assert fees == world.fees_kept
            assert plans == PLAN_FEE * len(world.months_charged)
            for who in SELLERS:
                available, in_transit, paid_out, debt = run(money_of(who))
                books = world.books[who]
                assert in_transit == 0  # the sandbox answers every payout at once
                world.seen["seller in debt"] += debt > 0
                assert paid_out == books.paid_out
                assert available + in_transit + paid_out - debt == (
                    books.released_net - books.refunded_after_release - books.plan_fees
                )
            for order in world.orders:
                assert 0 <= order["refunded"] <= order["captured"]
                assert 0 <= order["refunded_fee"] <= order["fee"]

    return MoneyPath


async def test_money_path_keeps_the_ledger_and_the_books_right(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
) -> None:
    await prepare(runtime, market)
    world = World()
    machine = machine_for(asyncio.get_running_loop(), runtime, client, market, clock, world)
    machine.TestCase.settings = settings(
        max_examples=20,
        stateful_step_count=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=machine.TestCase.settings)
    assert set(world.seen) >= {
        "completed",
        "release",
        "cancel",
        "refund before release",
        "refund after release",
        "payout paid",
        "payout failed",
        "payout refused",
        "seller in debt",
        "canceled by the SLA",
    }, world.seen
