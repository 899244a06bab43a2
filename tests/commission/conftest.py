"""Commission test helpers: the orders test market (two admitted sellers, a buyer) and paid
orders through the real checkout, whose fees are frozen when their escrow opens."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

import mercato.settlement.handlers  # noqa: F401  (a paid order's escrow freezes its fees)
from mercato.kit.runtime import Runtime
from tests.orders.conftest import (  # noqa: F401  (fixtures)
    API,
    Market,
    checkout,
    fill_cart,
    market,
    pay_group_by_card,
)


async def paid_orders(
    runtime: Runtime, client: httpx.AsyncClient, shop: Market, *items: tuple[uuid.UUID, int]
) -> dict[str, dict[str, Any]]:
    """Check out and pay ``items``; the orders by seller name ("seller", "other_seller")."""
    await fill_cart(runtime, shop.buyer, *items)
    placed = await checkout(client, shop.headers("buyer"), key=uuid.uuid4().hex)
    assert placed.status_code == 201, placed.text
    await pay_group_by_card(runtime, placed.json()["payment"]["id"])
    names = {str(shop.seller_id): "seller", str(shop.other_seller_id): "other_seller"}
    return {names[o["seller_id"]]: o for o in placed.json()["group"]["orders"]}
