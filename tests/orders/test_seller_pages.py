"""The seller's order pages over HTTP: the work queue, bulk accept with per-order outcomes,
the order page's actions with inline errors, packing slips, and who may see what."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from mercato.kit.runtime import Runtime
from tests.fixtures.accounts import PASSWORD
from tests.orders.conftest import API, Market, fill_cart, pay_group_by_card


@pytest.fixture(autouse=True)
def browser_like(client: httpx.AsyncClient) -> None:
    client.headers["accept"] = "text/html"


async def csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/login", follow_redirects=True)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def sign_in_as(client: httpx.AsyncClient, market: Market, who: str) -> None:
    client.cookies.clear()
    token = await csrf(client)
    email = market.people[who].email
    form = {"csrf_token": token, "email": email, "password": PASSWORD}
    response = await client.post("/login", data=form)
    assert response.status_code == 303, response.text


async def post(client: httpx.AsyncClient, path: str, data: Any = None, **kw: Any) -> httpx.Response:
    """A page form post; ``data`` may be a list of pairs for repeated fields."""
    pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
    fields: dict[str, list[str]] = {"csrf_token": [await csrf(client)]}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return await client.post(path, data=fields, **kw)


async def paid_orders(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, *items: tuple[uuid.UUID, int]
) -> dict[str, dict[str, Any]]:
    """Check out ``items`` as the buyer and pay by card: the orders by seller."""
    await fill_cart(runtime, market.buyer, *items)
    placed = await client.post(
        f"{API}/checkout",
        json={"address": _address(), "payment_method": "card"},
        headers={**market.headers("buyer"), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text
    await pay_group_by_card(runtime, placed.json()["payment"]["id"])
    names = {str(market.seller_id): "seller", str(market.other_seller_id): "other_seller"}
    return {names[o["seller_id"]]: o for o in placed.json()["group"]["orders"]}


def _address() -> dict[str, str]:
    return {
        "full_name": "Alice Buyer",
        "line1": "12 rue des Lilas",
        "city": "Lyon",
        "postal_code": "69003",
        "country": "FR",
    }


async def status_of(client: httpx.AsyncClient, market: Market, order_id: str) -> str:
    response = await client.get(f"{API}/orders/{order_id}", headers=market.headers("support"))
    return str(response.json()["status"])


async def test_the_queue_shows_paid_orders_to_their_seller_only(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 2), (market.lamp, 1))
    mine = orders["seller"]
    await sign_in_as(client, market, "seller")
    page = await client.get("/seller/orders")
    assert page.status_code == 200
    assert mine["number"] in page.text and orders["other_seller"]["number"] not in page.text
    assert "Lyon, FR" in page.text and "€40.90" in page.text  # 2 x €18.00 + €4.90
    assert "Accept selected" in page.text
    assert 'href="/seller/orders"' in page.text  # the portal navigation has "Orders"
    empty = await client.get("/seller/orders?tab=to-ship")
    assert mine["number"] not in empty.text and "Nothing waits to be shipped." in empty.text
    detail = await client.get(f"/seller/orders/{mine['id']}")
    assert detail.status_code == 200
    assert "12 rue des Lilas" in detail.text and "Accept order" in detail.text
    assert re.search(r'name="csrf_token" value="[0-9a-f]{64}"', detail.text)
    other = await client.get(f"/seller/orders/{orders['other_seller']['id']}")
    assert other.status_code == 404


async def test_buyers_and_visitors_are_kept_out(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    client.cookies.clear()
    visitor = await client.get("/seller/orders")
    assert visitor.status_code in (303, 401) or "/login" in str(visitor.url)
    await sign_in_as(client, market, "buyer")
    assert (await client.get("/seller/orders")).status_code == 403
    assert (await client.get(f"/seller/orders/{order['id']}")).status_code == 403
    refused = await post(client, f"/seller/orders/{order['id']}/accept")
    assert refused.status_code == 403
    assert await status_of(client, market, order["id"]) == "paid"


async def test_bulk_accept_reports_each_order(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    first = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    second = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    service = (await paid_orders(runtime, client, market, (market.tune_up, 1)))["seller"]
    await sign_in_as(client, market, "seller")
    picked = [("action", "accept"), ("ids", first["id"]), ("ids", second["id"])]
    picked.append(("ids", service["id"]))  # a service cannot be accepted: refused alone
    result = await post(client, "/seller/orders/bulk", picked, headers={"hx-request": "true"})
    assert result.status_code == 200, result.text
    assert "2 of 3 orders are now accepted" in result.text
    assert f'id="status-{first["id"]}" hx-swap-oob="true"' in result.text
    assert "cannot become accepted" in result.text
    assert await status_of(client, market, first["id"]) == "accepted"
    assert await status_of(client, market, second["id"]) == "accepted"
    assert await status_of(client, market, service["id"]) == "paid"
    nothing = await post(
        client, "/seller/orders/bulk", [("action", "accept")], headers={"hx-request": "true"}
    )
    assert "Select at least one order." in nothing.text


async def test_shipping_needs_valid_details(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await sign_in_as(client, market, "seller")
    accepted = await post(client, f"/seller/orders/{order['id']}/accept")
    assert accepted.status_code == 303
    page = await client.get(f"/seller/orders/{order['id']}")
    assert "Mark shipped" in page.text
    bad = await post(
        client,
        f"/seller/orders/{order['id']}/ship",
        {"carrier": "D", "tracking_number": "<no>"},
    )
    assert bad.status_code == 422
    assert "Use at least 2 characters." in bad.text and "field--invalid" in bad.text
    assert 'value="&lt;no&gt;"' in bad.text  # what was typed is kept
    assert await status_of(client, market, order["id"]) == "accepted"
    shipped = await post(
        client,
        f"/seller/orders/{order['id']}/ship",
        {"carrier": "Colissimo", "tracking_number": "6a123456"},
    )
    assert shipped.status_code == 303
    after = await client.get(f"/seller/orders/{order['id']}")
    assert "6A123456" in after.text and "Colissimo" in after.text
    assert await status_of(client, market, order["id"]) == "shipped"


async def test_services_are_scheduled_in_the_sellers_time_zone(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.tune_up, 1)))["seller"]
    await sign_in_as(client, market, "seller")
    path = f"/seller/orders/{order['id']}/schedule"
    bad = await post(client, path, {"scheduled_for": "soon", "timezone": "Mars/Base"})
    assert bad.status_code == 422
    assert "Choose a time zone from the list." in bad.text and "Enter a date and time" in bad.text
    done = await post(
        client, path, {"scheduled_for": "2026-12-01T10:00", "timezone": "Europe/Paris"}
    )
    assert done.status_code == 303
    seen = await client.get(f"{API}/orders/{order['id']}", headers=market.headers("seller"))
    assert seen.json()["scheduled_for"].startswith("2026-12-01T09:00")  # 10:00 in Paris, UTC
    again = await post(
        client, path, {"scheduled_for": "2026-12-02T15:30", "timezone": "Europe/London"}
    )
    assert again.status_code == 303  # rescheduling is allowed
    performed = await post(client, f"/seller/orders/{order['id']}/perform")
    assert performed.status_code == 303
    assert await status_of(client, market, order["id"]) == "performed"


async def test_cancelling_asks_for_a_reason(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await sign_in_as(client, market, "seller")
    confirm = await client.get(f"/seller/orders/{order['id']}/cancel")
    assert "Yes, cancel the order" in confirm.text
    blank = await post(client, f"/seller/orders/{order['id']}/cancel", {"reason": "  "})
    assert blank.status_code == 422
    assert "Tell the buyer why the order is cancelled." in blank.text
    assert await status_of(client, market, order["id"]) == "paid"
    done = await post(client, f"/seller/orders/{order['id']}/cancel", {"reason": "Out of clay"})
    assert done.status_code == 303
    assert await status_of(client, market, order["id"]) == "canceled"


async def test_packing_slips_list_the_goods_without_prices(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    first = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    second = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    lamp = (await paid_orders(runtime, client, market, (market.lamp, 1)))["other_seller"]
    await sign_in_as(client, market, "seller")
    slip = await client.get(f"/seller/orders/{first['id']}/packing-slip")
    assert slip.status_code == 200
    assert first["number"] in slip.text and "12 rue des Lilas" in slip.text
    assert "Thank you" in slip.text and "€" not in slip.text
    assert "area__nav" not in slip.text  # no portal chrome
    assert re.search(r'packing-slip__qty">\s*2\s*<', slip.text)
    both = await client.get(
        "/seller/orders/packing-slips", params=[("ids", first["id"]), ("ids", second["id"])]
    )
    assert both.status_code == 200
    assert both.text.count('class="packing-slip"') == 2
    comma = await client.get(f"/seller/orders/packing-slips?ids={first['id']},{second['id']}")
    assert comma.text.count('class="packing-slip"') == 2
    foreign = await client.get(f"/seller/orders/{lamp['id']}/packing-slip")
    assert foreign.status_code == 404
    mixed = await client.get(f"/seller/orders/packing-slips?ids={first['id']},{lamp['id']}")
    assert mixed.status_code == 404
