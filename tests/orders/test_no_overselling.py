"""200 buyers race for the last 10 units: exactly 10 orders, stock 0, never negative — on
SQLite and on PostgreSQL, each checkout in its own real transaction (no shared test
connection), as concurrent requests would be."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from mercato.accounts.service import create_user_with_role
from mercato.cart import service as cart_service
from mercato.cart.models import Cart
from mercato.cart.schemas import AddLineIn
from mercato.catalog.service import OutOfStock
from mercato.config import Settings
from mercato.kit import jobs as jobs_module
from mercato.kit.auth import Principal, Role
from mercato.kit.db import Database, create_engine
from mercato.kit.errors import Conflict
from mercato.kit.migrate import upgrade_on
from mercato.kit.runtime import Runtime, build_runtime, install_runtime
from mercato.orders.models import OrderGroup
from mercato.orders.schemas import CheckoutIn
from mercato.orders.service import checkout
from tests.conftest import POSTGRES_URL, require_service
from tests.orders.conftest import ADDRESS, Market, fill_cart, stock_of

BUYERS = 200
LAST_UNITS = 10
SCHEMA = f"orders_race_{os.getpid()}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def runtime(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> AsyncIterator[Runtime]:
    """A runtime on a database of its own, migrated, with real separate transactions."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'race.db'}"
        engine = create_engine(url)
    else:
        require_service("PostgreSQL", POSTGRES_URL)
        url = POSTGRES_URL
        await _reset_schema(create=True)
        engine = create_engine(
            url,
            pool_size=20,
            max_overflow=10,
            connect_args={"server_settings": {"search_path": f"{SCHEMA}, public"}},
        )
    schema = SCHEMA if request.param == "postgresql" else None
    async with engine.begin() as connection:
        await connection.run_sync(partial(upgrade_on, version_table_schema=schema))
    database = Database(url, engine=engine)
    previous = jobs_module.install_backend(jobs_module.InProcessBackend(eager=True))
    try:
        yield build_runtime(settings, database=database)
    finally:
        jobs_module.install_backend(previous)
        install_runtime(None)
        await engine.dispose()
        if request.param == "postgresql":
            await _reset_schema(create=False)


async def _reset_schema(*, create: bool) -> None:
    admin = create_engine(POSTGRES_URL, pool_size=1)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        if create:
            await connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    await admin.dispose()


async def _buyers(runtime: Runtime, count: int) -> list[Principal]:
    buyers = []
    async with runtime.database.transaction() as session:
        for index in range(count):
            email = f"racer-{index}-{uuid.uuid4().hex[:6]}@example.com"
            user = await create_user_with_role(
                session, email, "racer-password-1", "Racer", Role.BUYER
            )
            buyers.append(Principal(user_id=user.id, role=Role.BUYER, email=email))
    return buyers


async def _check_out(runtime: Runtime, buyer: Principal) -> str:
    data = CheckoutIn.model_validate({"address": ADDRESS, "payment_method": "bank_transfer"})
    try:
        async with runtime.database.transaction() as session:
            await checkout(session, buyer, data, f"race-{buyer.user_id}")
    except OutOfStock:
        return "out of stock"
    except Conflict as refused:  # the cart already showed "only 0 left"
        return f"refused: {refused.slug}"
    return "ordered"


async def test_two_hundred_buyers_for_ten_units(runtime: Runtime, client, market: Market):
    response = await client.patch(
        f"/api/v1/catalog/my/variants/{market.lamp}",
        json={"stock": LAST_UNITS},
        headers=market.headers("other_seller"),
    )
    assert response.status_code == 200, response.text
    buyers = await _buyers(runtime, BUYERS)
    for buyer in buyers:
        await fill_cart(runtime, buyer, (market.lamp, 1))

    outcomes = await asyncio.gather(*(_check_out(runtime, buyer) for buyer in buyers))

    assert outcomes.count("ordered") == LAST_UNITS, sorted(set(outcomes))
    assert await stock_of(runtime, market.lamp) == 0
    async with runtime.database.reading() as session:
        groups = (await session.execute(select(func.count()).select_from(OrderGroup))).scalar_one()
    assert groups == LAST_UNITS


async def test_two_first_adds_at_once_make_one_cart(runtime: Runtime, market: Market):
    """A double click on "Add to basket" before the buyer has a cart: one cart, and the second
    add either joins it or is refused with a 409, never a server error."""
    buyer = (await _buyers(runtime, 1))[0]

    async def add() -> str:
        try:
            async with runtime.database.transaction() as session:
                await cart_service.add_line(
                    session, buyer, AddLineIn(variant_id=market.mug_small, quantity=1)
                )
        except Conflict:
            return "refused"
        return "added"

    outcomes = await asyncio.gather(add(), add())
    assert "added" in outcomes
    async with runtime.database.reading() as session:
        carts = await session.execute(
            select(func.count()).select_from(Cart).where(Cart.buyer_id == buyer.user_id)
        )
        assert carts.scalar_one() == 1
        cart = await cart_service.cart_for_checkout(session, buyer.user_id)
    assert cart.item_count == outcomes.count("added")
