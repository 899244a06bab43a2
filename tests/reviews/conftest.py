"""Reviews test helpers: the orders test market, its orders delivered through the orders API,
and reviews written through the reviews API."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

import mercato.search.handlers  # noqa: F401  (the index follows published and hidden reviews)
from mercato.kit.runtime import Runtime
from mercato.reviews.models import ModerationDecision, Review, ReviewReply, ReviewReport
from tests.orders.conftest import Market, market
from tests.settlement.conftest import deliver, paid_orders

__all__ = ["Market", "market"]
REVIEWS = "/api/v1/reviews"
GOOD_REVIEW = {"rating": 5, "title": "Lovely", "body": "Beautiful glaze, arrived well packed."}


async def delivered_order(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
) -> dict[str, Any]:
    """One mug bought from "seller", paid, shipped and delivered to the buyer."""
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1))
    await deliver(client, market, "seller", orders["seller"])
    return orders["seller"]


async def order_line(client: httpx.AsyncClient, market: Market, order: dict[str, Any]) -> str:
    """The review path of the order's first line, read through the orders API."""
    response = await client.get(f"/api/v1/orders/{order['id']}", headers=market.headers("buyer"))
    assert response.status_code == 200, response.text
    line_id = response.json()["lines"][0]["id"]
    return f"{REVIEWS}/orders/{order['id']}/lines/{line_id}"


async def write_review(
    client: httpx.AsyncClient, market: Market, order: dict[str, Any], **body: Any
) -> dict[str, Any]:
    path = await order_line(client, market, order)
    response = await client.post(
        path, json={**GOOD_REVIEW, **body}, headers=market.headers("buyer")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def counts(runtime: Runtime) -> tuple[int, ...]:
    """Reviews, replies, reports and decisions stored."""
    async with runtime.database.reading() as session:
        return tuple(
            [
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (Review, ReviewReply, ReviewReport, ModerationDecision)
            ]
        )
