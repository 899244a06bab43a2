"""The staff's order pages over HTTP: search by number, the order with its payment and the
ledger journals of its escrow account with the escrow check, read-only for support."""

from __future__ import annotations

import httpx

from mercato.kit.runtime import Runtime
from tests.orders.conftest import API, Market
from tests.orders.test_seller_pages import (
    browser_like,  # noqa: F401  (autouse: pages answer HTML)
    paid_orders,
    post,
    sign_in_as,
    status_of,
)


async def test_search_by_number_prefix_status_and_kind(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    mug, lamp = orders["seller"], orders["other_seller"]
    await sign_in_as(client, market, "support")
    everything = await client.get("/admin/orders")
    assert everything.status_code == 200
    assert mug["number"] in everything.text and lamp["number"] in everything.text
    assert 'href="/admin/orders" aria-current="page"' in everything.text
    found = await client.get("/admin/orders", params={"q": lamp["number"].lower()})
    assert lamp["number"] in found.text and mug["number"] not in found.text
    by_id = await client.get("/admin/orders", params={"q": mug["id"]})
    assert mug["number"] in by_id.text and lamp["number"] not in by_id.text
    none = await client.get("/admin/orders", params={"status": "shipped"})
    assert mug["number"] not in none.text and "No orders match" in none.text
    services = await client.get("/admin/orders", params={"kind": "service"})
    assert mug["number"] not in services.text


async def test_detail_shows_the_journals_and_the_escrow_check(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await sign_in_as(client, market, "admin")
    page = await client.get(f"/admin/orders/{order['id']}")
    assert page.status_code == 200
    ledger = await client.get(f"{API}/orders/{order['id']}/ledger", headers=market.headers("admin"))
    assert ledger.status_code == 200
    journals = ledger.json()["journals"]
    assert journals
    assert f"escrow:order:{order['id']}" in page.text
    assert "Escrow holds exactly the captured amount: €22.90." in page.text
    assert "12 rue des Lilas" in page.text and "Timeline" in page.text
    for journal in journals:
        assert journal["idempotency_key"] in page.text
    assert page.text.count('class="sorder-journal"') == len(journals)
    assert "+€22.90" in page.text  # the capture credits the escrow account
    assert "Cancel the order" in page.text  # an admin may cancel a paid order
    assert f'href="/admin/sellers/{market.seller_id}"' in page.text


async def test_admin_cancels_with_a_reason(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await sign_in_as(client, market, "admin")
    path = f"/admin/orders/{order['id']}/cancel"
    blank = await post(client, path, {"reason": ""})
    assert blank.status_code == 422
    assert "Tell the buyer why the order is cancelled." in blank.text
    assert await status_of(client, market, order["id"]) == "paid"
    done = await post(client, path, {"reason": "Suspected fraud"})
    assert done.status_code == 303
    assert await status_of(client, market, order["id"]) == "canceled"


async def test_support_reads_but_cannot_cancel(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await sign_in_as(client, market, "support")
    page = await client.get(f"/admin/orders/{order['id']}")
    assert page.status_code == 200
    assert "Escrow holds exactly the captured amount" in page.text
    assert "Cancel the order" not in page.text and "read-only" in page.text
    refused = await post(client, f"/admin/orders/{order['id']}/cancel", {"reason": "No"})
    assert refused.status_code == 403
    assert await status_of(client, market, order["id"]) == "paid"


async def test_sellers_and_buyers_cannot_open_the_console(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    for who in ("seller", "buyer"):
        await sign_in_as(client, market, who)
        assert (await client.get("/admin/orders")).status_code == 403
        assert (await client.get(f"/admin/orders/{order['id']}")).status_code == 403
