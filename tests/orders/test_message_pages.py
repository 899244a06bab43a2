"""An order's messages on the pages: the panel each party's order page loads with htmx, the
buyer's and the seller's form (the new message comes back in the panel, a refusal keeps the
text with its reason), staff reading without a form, plain text escaped, and the seller's
list of buyers waiting for an answer."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import func, select

from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.orders.models import OrderMessage
from tests.fixtures.accounts import create_user
from tests.orders.conftest import Market
from tests.orders.test_buyer_pages import csrf_of, signed_in
from tests.orders.test_messages import ordered

HTMX = {"HX-Request": "true"}
HOSTILE = "<script>alert('x')</script> & more"


async def message_count(runtime: Runtime) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(OrderMessage))).scalar_one()


async def send(
    browser: httpx.AsyncClient, path: str, body: str, token: str, **headers: str
) -> httpx.Response:
    return await browser.post(path, data={"body": body, "csrf_token": token}, headers=headers)


def bodies(panel: str) -> list[str]:
    return re.findall(r'<p class="message__body">(.*?)</p>', panel, re.S)


async def test_the_buyer_writes_from_the_order_page(runtime, client, market: Market):
    order: dict[str, Any] = await ordered(runtime, client, market)
    path = f"/orders/{order['id']}"
    async with signed_in(runtime, market.people["buyer"].email) as buyer:
        page = await buyer.get(path)
        assert f'hx-get="{path}/messages"' in page.text
        panel = await buyer.get(f"{path}/messages", headers=HTMX)
        assert panel.status_code == 200
        assert "No messages yet." in panel.text and "Write to Seller Shop" in panel.text
        token = await csrf_of(buyer, path)
        assert (await buyer.post(f"{path}/messages", data={"body": "Hi"})).status_code == 403
        sent = await send(buyer, f"{path}/messages", f"  {HOSTILE}\nLine two  ", token, **HTMX)
        assert sent.status_code == 200
        assert bodies(sent.text) == [
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more\nLine two"
        ]
        assert "✓ Sent" in sent.text and "Waiting for the seller's reply" in sent.text
        refused = await send(buyer, f"{path}/messages", "   ", token, **HTMX)
        assert refused.status_code == 422
        assert 'class="field__error"' in refused.text and "This field is required." in refused.text
        assert len(bodies(refused.text)) == 1
        too_long = await send(buyer, f"{path}/messages", "y" * 4001, token, **HTMX)
        assert too_long.status_code == 422 and "y" * 4001 in too_long.text
        assert "Use at most 4000 characters." in too_long.text
        assert await message_count(runtime) == 1
        plain = await send(buyer, f"{path}/messages", "Without htmx", token)
        assert plain.status_code == 303
        assert plain.headers["location"] == f"{path}#messages"
    assert await message_count(runtime) == 2


async def test_the_seller_sees_who_waits_and_replies(runtime, client, market: Market):
    order = await ordered(runtime, client, market)
    async with signed_in(runtime, market.people["buyer"].email) as buyer:
        token = await csrf_of(buyer, f"/orders/{order['id']}")
        for text in ("Where is my parcel?", "Hello?"):
            await send(buyer, f"/orders/{order['id']}/messages", text, token, **HTMX)
    path = f"/seller/orders/{order['id']}"
    async with signed_in(runtime, market.people["seller"].email) as seller:
        queue = await seller.get("/seller/messages")
        assert queue.status_code == 200
        assert f'href="{path}#messages">{order["number"]}</a>' in queue.text
        assert re.search(r'data-testid="waiting-orders">1<', queue.text)
        assert re.search(r'data-testid="waiting-messages">2<', queue.text)
        page = await seller.get(path)
        assert f'hx-get="{path}/messages"' in page.text
        panel = await seller.get(f"{path}/messages", headers=HTMX)
        assert "Reply to the buyer" in panel.text and 'data-testid="waiting"' in panel.text
        token = await csrf_of(seller, path)
        replied = await send(seller, f"{path}/messages", "On its way!", token, **HTMX)
        assert replied.status_code == 200
        assert bodies(replied.text) == ["Where is my parcel?", "Hello?", "On its way!"]
        assert "Waiting for the seller" not in replied.text
        queue = await seller.get("/seller/messages")
        assert 'data-testid="no-waiting"' in queue.text
        # The buyer's area is not the seller's.
        assert (await seller.get(f"/orders/{order['id']}/messages")).status_code == 403


async def test_staff_read_the_thread_without_a_form(runtime, client, market: Market):
    order = await ordered(runtime, client, market)
    async with signed_in(runtime, market.people["buyer"].email) as buyer:
        token = await csrf_of(buyer, f"/orders/{order['id']}")
        await send(buyer, f"/orders/{order['id']}/messages", "A question", token, **HTMX)
    for who in ("admin", "support"):
        async with signed_in(runtime, market.people[who].email) as staff:
            page = await staff.get(f"/admin/orders/{order['id']}")
            assert f'hx-get="/admin/orders/{order["id"]}/messages"' in page.text
            panel = await staff.get(f"/admin/orders/{order['id']}/messages", headers=HTMX)
            assert panel.status_code == 200
            assert bodies(panel.text) == ["A question"] and "<textarea" not in panel.text
            assert "read-only" in panel.text


async def test_another_buyer_and_another_seller_see_nothing(runtime, client, market: Market):
    order = await ordered(runtime, client, market)
    await create_user(runtime, "someone@example.com", Role.BUYER, "Someone Else")
    async with signed_in(runtime, "someone@example.com") as other:
        assert (await other.get(f"/orders/{order['id']}/messages")).status_code == 404
        token = await csrf_of(other, "/orders")
        sent = await send(other, f"/orders/{order['id']}/messages", "Hi", token, **HTMX)
        assert sent.status_code == 404
    async with signed_in(runtime, market.people["other_seller"].email) as shop:
        path = f"/seller/orders/{order['id']}/messages"
        assert (await shop.get(path)).status_code == 404
    assert await message_count(runtime) == 0
