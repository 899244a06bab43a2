"""New buyer terms in force: a buyer who has not accepted them cannot check out (the API says
409 and where to accept; the checkout page sends them there and back), and nothing is placed
until they accept."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from mercato.governance import service
from mercato.kit.runtime import Runtime
from mercato.orders.models import OrderGroup
from tests.governance.conftest import Market, activate_terms, admin_of
from tests.orders.conftest import checkout, fill_cart
from tests.orders.test_buyer_pages import TYPED_ADDRESS, checkout_form, signed_in


async def groups(runtime: Runtime) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(OrderGroup))).scalar_one()


async def test_checkout_waits_for_the_buyer_to_accept_new_terms(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    await activate_terms(runtime, admin_of(market))
    refused = await checkout(client, market.headers("buyer"))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["accept_url"] == "/terms/accept"
    assert await groups(runtime) == 0
    async with runtime.database.transaction() as session:
        await service.accept_buyer_terms(session, market.buyer, 1, "127.0.0.1")
    placed = await checkout(client, market.headers("buyer"), key="after-terms")
    assert placed.status_code == 201, placed.text
    assert await groups(runtime) == 1


async def test_the_checkout_page_sends_the_buyer_to_the_terms_and_back(
    runtime: Runtime, market: Market
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    async with signed_in(runtime, market.people["buyer"].email) as browser:
        _, fields = await checkout_form(browser)
        await activate_terms(runtime, admin_of(market))
        sent = await browser.post("/checkout", data={**fields, **TYPED_ADDRESS})
        assert sent.status_code == 303
        assert sent.headers["location"] == "/terms/accept?next=%2Fcheckout"
        terms = await browser.get("/terms/accept?next=%2Fcheckout")
        assert terms.status_code == 200 and "Be fair." in terms.text
    assert await groups(runtime) == 0
