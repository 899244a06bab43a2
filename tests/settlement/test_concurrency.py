"""Release and refunds of the same order at the same time, on PostgreSQL with real separate
transactions: whatever the interleaving, no money is spent twice and the ledger stays sound.

The ledger is append-only (its rows cannot be deleted), so these tests run in a schema of their
own, created and dropped around each test, instead of the rolled-back outer transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mercato.kit.clock import FrozenClock
from mercato.kit.db import Database
from mercato.kit.errors import Conflict
from mercato.kit.runtime import Runtime
from mercato.payments.service import check_ledger, seller_balances
from mercato.settlement import service
from mercato.settlement.schemas import RefundIn
from tests.conftest import POSTGRES_URL
from tests.fixtures.postgres import migrated_schema
from tests.settlement.conftest import Market, admin_of, complete, money, paid_orders, release

pytestmark = pytest.mark.postgres


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    async with migrated_schema("settlement_race") as engine:
        yield Database(POSTGRES_URL, engine=engine)


async def refund_alone(runtime: Runtime, market: Market, order_id: str, **body: Any) -> str:
    data = RefundIn.model_validate({"reason": "Race", **body})
    try:
        async with runtime.database.transaction() as session:
            done = await service.refund_order(
                session, admin_of(market), uuid.UUID(order_id), data, uuid.uuid4().hex
            )
    except Conflict:
        return "refused"
    return done.refund.phase


async def test_release_and_full_refund_at_once_spend_the_money_once(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, frozen_clock: FrozenClock
):
    orders = []
    for _ in range(3):
        orders.append((await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"])
    await complete(client, market, frozen_clock, *(("seller", o) for o in orders))
    before = await money(runtime, market.seller_id, orders[0]["id"])
    outcomes = await asyncio.gather(
        release(), *(refund_alone(runtime, market, o["id"], full=True) for o in orders)
    )
    assert set(outcomes[1:]) <= {"before_release", "after_release"}
    after = await money(runtime, market.seller_id, orders[0]["id"])
    # Every order was refunded in full exactly once: the seller and the platform keep nothing.
    assert after["clearing"] - before["clearing"] == 3 * 2290
    assert after["commission"] == before["commission"]
    async with runtime.database.reading() as session:
        balances = await seller_balances(session, market.seller_id, "EUR")
        assert (balances.available_minor, balances.debt_minor) == (0, 0)
        for order in orders:
            escrow = await service.get_escrow(session, admin_of(market), uuid.UUID(order["id"]))
            assert escrow.refunded_minor == 2290
        assert (await check_ledger(session)).violations == []


async def test_two_full_refunds_at_once_refund_once(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    outcomes = await asyncio.gather(
        *(refund_alone(runtime, market, order["id"], full=True) for _ in range(4))
    )
    assert sorted(outcomes) == ["before_release"] + ["refused"] * 3
    after = await money(runtime, market.seller_id, order["id"])
    assert after["escrow"] == 0
    async with runtime.database.reading() as session:
        assert (await check_ledger(session)).violations == []
