"""Settlement test helpers: paid orders from the orders test market, moved through their
lifecycle by the orders API, and the ledger balances that matter to an order."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

import mercato.settlement.handlers
import mercato.settlement.tasks  # noqa: F401
from mercato.kit.auth import Principal, Role
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.orders.tasks import advance_due_orders
from mercato.payments import (
    PLATFORM_COMMISSION,
    clearing_account,
    seller_available_account,
    seller_debt_account,
)
from mercato.payments.service import balance, check_ledger
from mercato.settlement.tasks import release_due_escrow
from tests.orders.conftest import API, Market, checkout, fill_cart, market, pay_group_by_card

__all__ = ["API", "Market", "market"]


async def paid_orders(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, *items: tuple[uuid.UUID, int]
) -> dict[str, dict[str, Any]]:
    """Check out ``items`` and pay by card; the orders by seller ("seller", "other_seller")."""
    await fill_cart(runtime, market.buyer, *items)
    placed = await checkout(client, market.headers("buyer"), key=uuid.uuid4().hex)
    assert placed.status_code == 201, placed.text
    await pay_group_by_card(runtime, placed.json()["payment"]["id"])
    names = {str(market.seller_id): "seller", str(market.other_seller_id): "other_seller"}
    return {names[o["seller_id"]]: o for o in placed.json()["group"]["orders"]}


async def act(
    client: httpx.AsyncClient, market: Market, who: str, order: dict[str, Any], verb: str, **body
) -> httpx.Response:
    response = await client.post(
        f"{API}/orders/{order['id']}/{verb}", json=body or None, headers=market.headers(who)
    )
    return response


async def deliver(client: httpx.AsyncClient, market: Market, who: str, order: dict[str, Any]):
    """Accept, ship and confirm delivery of a goods order (``who`` is its seller)."""
    for verb, body in (("accept", {}), ("ship", {"carrier": "DHL", "tracking_number": "JD0001"})):
        response = await act(client, market, who, order, verb, **body)
        assert response.status_code == 200, response.text
    response = await act(client, market, "buyer", order, "deliver")
    assert response.status_code == 200, response.text


async def complete(
    client: httpx.AsyncClient, market: Market, clock: FrozenClock, *orders: tuple[str, dict]
) -> None:
    """Deliver the goods orders and let the buyer's window pass: they complete."""
    for who, order in orders:
        await deliver(client, market, who, order)
    clock.advance(timedelta(days=3, seconds=1))
    assert await advance_due_orders() == len(orders)


async def release() -> int:
    return await release_due_escrow()


def admin_of(market: Market) -> Principal:
    admin = market.people["admin"]
    return Principal(user_id=uuid.UUID(admin.user_id), role=Role.ADMIN, email=admin.email)


def seller_of(market: Market, who: str = "seller") -> Principal:
    seller = market.people[who]
    return Principal(user_id=uuid.UUID(seller.user_id), role=Role.SELLER, email=seller.email)


async def money(runtime: Runtime, seller_id: uuid.UUID, order_id: str) -> dict[str, int]:
    """The balances one order and its seller move: escrow, seller, debt, platform, provider."""
    async with runtime.database.reading() as session:
        accounts = {
            "escrow": f"escrow:order:{order_id}",
            "available": seller_available_account(seller_id),
            "debt": seller_debt_account(seller_id),
            "commission": PLATFORM_COMMISSION,
            "clearing": clearing_account("sandbox"),
        }
        return {
            name: (await balance(session, account, "EUR")).amount_minor
            for name, account in accounts.items()
        }


async def ledger_ok(runtime: Runtime) -> None:
    async with runtime.database.reading() as session:
        report = await check_ledger(session)
    assert report.violations == []


@pytest.fixture
def clock(frozen_clock: FrozenClock) -> FrozenClock:
    return frozen_clock
