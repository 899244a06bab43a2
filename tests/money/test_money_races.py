"""The release sweep, a full refund and a payout of the same seller's money at the same time, on
PostgreSQL with real separate transactions: whichever runs first, the escrow is taken once (by
the refund or by the release), a payout never leaves with more than was available, and the
ledger holds.

The ledger is append-only (its rows cannot be deleted), so these tests run in a schema of their
own, created and dropped around each test, instead of the rolled-back outer transaction."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from mercato.catalog.models import Variant
from mercato.commission.schemas import RuleIn
from mercato.commission.service import create_rule
from mercato.kit.clock import FrozenClock
from mercato.kit.db import Database
from mercato.kit.runtime import Runtime
from mercato.payments import PLATFORM_COMMISSION
from mercato.payments.service import balance, check_ledger, seller_balances
from mercato.payouts import service as payouts
from mercato.payouts.models import Payout
from mercato.payouts.schemas import PayoutRequestIn
from mercato.payouts.service import PayoutRefused
from mercato.settlement import service
from mercato.settlement.schemas import EscrowOut, RefundIn
from tests.conftest import POSTGRES_URL
from tests.fixtures.postgres import migrated_schema
from tests.money.conftest import Market, new_key, ready_for_payouts
from tests.settlement.conftest import admin_of, complete, paid_orders, release, seller_of

pytestmark = pytest.mark.postgres
MUG_ORDER = 2290  # one €18.00 mug and €4.90 shipping
MUG_FEE = 180  # 10 % of the mug; shipping carries no fee


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    async with migrated_schema("money_race") as engine:
        yield Database(POSTGRES_URL, engine=engine)


async def seller_money(runtime: Runtime, market: Market) -> dict[str, int]:
    """The seller's balances, what its paid payouts took, and the platform's commission."""
    async with runtime.database.reading() as session:
        balances = await seller_balances(session, market.seller_id, "EUR")
        paid = await session.execute(
            select(func.coalesce(func.sum(Payout.amount_minor), 0)).where(
                Payout.seller_id == market.seller_id, Payout.status == "paid"
            )
        )
        commission = await balance(session, PLATFORM_COMMISSION, "EUR")
        return {
            "available": balances.available_minor,
            "in_transit": balances.in_transit_minor,
            "debt": balances.debt_minor,
            "paid_out": int(paid.scalar_one()),
            "commission": commission.amount_minor,
        }


async def escrow_of(runtime: Runtime, market: Market, order_id: str) -> EscrowOut:
    async with runtime.database.reading() as session:
        return await service.get_escrow(session, admin_of(market), uuid.UUID(order_id))


async def refund_everything(runtime: Runtime, market: Market, order_id: str) -> str:
    data = RefundIn(reason="Race", full=True)
    async with runtime.database.transaction() as session:
        done = await service.refund_order(
            session, admin_of(market), uuid.UUID(order_id), data, new_key()
        )
    return done.refund.phase


async def pay_out(runtime: Runtime, market: Market, amount: int) -> str:
    """The seller asks for ``amount``; the send job runs after commit. Its final status."""
    try:
        async with runtime.database.transaction() as session:
            data = PayoutRequestIn(amount_minor=amount, currency="EUR")
            asked = await payouts.request_payout(session, seller_of(market), data, new_key())
    except PayoutRefused:
        return "refused"
    async with runtime.database.reading() as session:
        return (await payouts.get_payout(session, seller_of(market), asked.payout.id)).status


async def release_sweep() -> str:
    return f"released {await release()}"


async def released_order(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
) -> None:
    """One more mug order completed and released at once: money on the seller's balance."""
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await complete(client, market, clock, ("seller", order))
    async with runtime.database.transaction() as session:
        await service.release_now(session, admin_of(market), uuid.UUID(order["id"]))


async def at_once(*operations: Callable[[], Awaitable[str]], stagger: float = 0.0) -> list[str]:
    """Run the operations concurrently, let go together by a barrier; with ``stagger`` the
    n-th starts n * stagger seconds later (a head start in that order, not a guarantee: the
    checks hold whichever order the transactions end up in)."""
    barrier = asyncio.Barrier(len(operations))

    async def go(position: int, operation: Callable[[], Awaitable[str]]) -> str:
        await barrier.wait()
        if stagger:
            await asyncio.sleep(position * stagger)
        return await operation()

    return list(await asyncio.gather(*(go(n, op) for n, op in enumerate(operations))))


async def race_round(
    runtime: Runtime,
    client: httpx.AsyncClient,
    market: Market,
    clock: FrozenClock,
    order: tuple[str, ...],
    stagger: float,
    counting_release: bool = True,
) -> dict[str, Any]:
    """A released order funds the seller; a second one completes, due for release. Then, in
    ``order``: the release sweep, its full refund, and a payout of everything available (with
    ``counting_release``: everything the seller would have if the release came first)."""
    await released_order(runtime, client, market, clock)
    due = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await complete(client, market, clock, ("seller", due))
    before = await seller_money(runtime, market)
    wanted = before["available"] + (MUG_ORDER - MUG_FEE if counting_release else 0)
    operations: dict[str, Callable[[], Awaitable[str]]] = {
        "release": release_sweep,
        "refund": partial(refund_everything, runtime, market, due["id"]),
        "payout": partial(pay_out, runtime, market, wanted),
    }
    outcomes = dict(
        zip(order, await at_once(*(operations[n] for n in order), stagger=stagger), strict=True)
    )
    return {
        "outcomes": outcomes,
        "before": before,
        "after": await seller_money(runtime, market),
        "escrow": await escrow_of(runtime, market, due["id"]),
        "wanted": wanted,
    }


def check_round(found: dict[str, Any]) -> None:
    outcomes, before, after, escrow = (found[k] for k in ("outcomes", "before", "after", "escrow"))
    assert outcomes["payout"] in {"paid", "refused"}
    assert outcomes["refund"] in {"before_release", "after_release"}
    # The escrow went once: to the buyer before release, or to the seller and back after.
    assert (escrow.refunded_minor, escrow.held_minor) == (MUG_ORDER, 0)
    if outcomes["refund"] == "before_release":
        assert outcomes["release"] == "released 0"
        assert (escrow.status, escrow.released_minor) == ("refunded", 0)
    else:
        assert outcomes["release"] == "released 1"
        assert (escrow.status, escrow.released_minor) == ("released", MUG_ORDER)
    # The refunded order leaves nothing to the seller nor the platform, whatever the order.
    assert after["commission"] == before["commission"]
    assert after["in_transit"] == 0
    paid_now = after["paid_out"] - before["paid_out"]
    assert paid_now == (found["wanted"] if outcomes["payout"] == "paid" else 0)
    assert after["available"] - after["debt"] + paid_now == before["available"] - before["debt"]
    if outcomes["payout"] == "paid" and found["wanted"] > before["available"]:
        # It could only leave with the released money, which the refund then took back.
        assert outcomes["refund"] == "after_release"
        assert (after["available"], after["debt"]) == (0, MUG_ORDER - MUG_FEE)
    if found["wanted"] <= before["available"]:
        # The money was there, and the refund only ever takes back what the release brought.
        assert outcomes["payout"] == "paid"
    assert after["available"] >= 0


async def test_release_refund_and_payout_at_once_spend_the_money_once(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, frozen_clock: FrozenClock
) -> None:
    await ready_for_payouts(runtime, market, {"EUR": 1})
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Variant).where(Variant.id == market.mug_small).values(stock=1000)
        )
        await create_rule(session, admin_of(market), RuleIn(name="Standard", rate_bps=1000))
    # First a payout of just what is available (there is some: a release just funded it),
    # then every start order with a head start, and all at the very same moment.
    rounds: list[tuple[tuple[str, ...], float, bool]] = [
        (("payout", "refund", "release"), 0.0, False)
    ]
    everything = itertools.permutations(("release", "refund", "payout"))
    rounds += [(order, 0.15, True) for order in everything]
    rounds += [(("release", "refund", "payout"), 0.0, True)]
    for order, stagger, counting_release in rounds:
        found = await race_round(
            runtime, client, market, frozen_clock, order, stagger, counting_release
        )
        check_round(found)
        async with runtime.database.reading() as session:
            report = await check_ledger(session)
        assert report.violations == []
