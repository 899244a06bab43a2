"""Assessing and reading order fees on a real paid order, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import httpx

from mercato.commission import order_fees
from mercato.kit.runtime import Runtime
from tests.commission.conftest import Market, paid_orders


async def test_paid_order_gets_standard_fees(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
) -> None:
    orders = await paid_orders(runtime, client, market, (market.mug_small, 2), (market.lamp, 1))
    async with runtime.database.reading() as session:
        mine = await order_fees(session, uuid.UUID(orders["seller"]["id"]))
        other = await order_fees(session, uuid.UUID(orders["other_seller"]["id"]))
    assert mine is not None and other is not None
    assert (mine.gross_minor, mine.fee_minor, mine.net_minor) == (3600, 360, 3240)
    assert (other.gross_minor, other.fee_minor, other.net_minor) == (4000, 400, 3600)
    assert mine.lines[0].explanation == "Standard commission 10%"
