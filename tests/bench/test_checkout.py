"""The checkout scenario's driver against the app itself: real checkouts and card payments,
counted exactly (no server, no timing asserted)."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from bench import checkout
from mercato.kit.runtime import Runtime
from mercato.orders.models import OrderGroup
from tests.conftest import POSTGRES_URL, require_service
from tests.fixtures.accounts import PASSWORD
from tests.orders.conftest import Market, stock_of
from tests.orders.conftest import market as market  # the fixture, shared


async def test_the_driver_buys_and_pays(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    transport = client._transport  # the app, in process
    buyers = await checkout.sign_in(
        "http://testserver", [market.people["buyer"].email], PASSWORD, transport
    )
    try:
        run = await checkout.drive(buyers, [market.tune_up], seconds=0.5)
    finally:
        await checkout.close(buyers)
    assert run.errors == 0, run.error_samples
    assert run.orders >= 1 and len(run.flow_ms) == run.orders
    assert len(run.add_to_cart_ms) == run.orders  # one add per order, each timed
    async with runtime.database.reading() as session:
        groups = await session.execute(
            select(func.count()).select_from(OrderGroup).where(OrderGroup.status == "paid")
        )
        assert groups.scalar_one() == run.orders
    assert await stock_of(runtime, market.tune_up) == 10 - run.orders
    summary = run.summary()
    assert summary["orders"] == run.orders and summary["target_met"] is False  # no audit yet
    assert summary["add_to_cart_p50_ms"] > 0
    assert summary["add_to_cart_per_second"] == round(run.orders / run.seconds, 1)
    report = "\n".join(checkout.markdown(summary))
    assert "Checkout + sandbox card payment" in report and "Add to cart, within" in report


async def test_the_database_counters_are_read_from_postgresql() -> None:
    require_service("PostgreSQL", POSTGRES_URL)
    dsn = POSTGRES_URL.replace("+asyncpg", "")
    first = await checkout.database_work(dsn)
    second = await checkout.database_work(dsn)
    assert first.transactions > 0 and first.rows_written >= 0
    assert second.transactions >= first.transactions  # counters only grow
    assert checkout.DatabaseWork(10, 4).per_order(checkout.DatabaseWork(4, 1), 0) == {
        "transactions_per_order": 0.0,
        "rows_written_per_order": 0.0,
    }
