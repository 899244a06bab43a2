"""Cart pages over HTTP: a guest's cart cookie, htmx partials with the badge swapped out of
band, the buyer's merge on the first cart request after sign-in, and the seller's shipping
profile pages."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from mercato.cart.models import Cart, CartLine
from mercato.catalog.models import ShippingProfile
from tests.fixtures.accounts import PASSWORD

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def browser_like(client: httpx.AsyncClient) -> None:
    client.headers["accept"] = "text/html"


async def csrf(client: httpx.AsyncClient, path: str = "/cart") -> str:
    page = await client.get(path, follow_redirects=True)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def post(client, path: str, data: dict[str, str], **kw) -> httpx.Response:
    return await client.post(path, data={"csrf_token": await csrf(client), **data}, **kw)


async def rows(runtime, model) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_guest_adds_with_htmx_and_changes_a_quantity_in_place(client, runtime, shop):
    client.headers.pop("authorization", None)
    added = await post(
        client, "/cart/lines", {"variant_id": shop.mug_small, "quantity": "2"}, headers=HTMX
    )
    assert added.status_code == 200
    assert 'id="buy-action"' in added.text and "Stoneware mug (Small) to your cart" in added.text
    assert re.search(r'id="cart-badge" href="/cart" hx-swap-oob="true"', added.text)
    assert 'data-testid="cart-count">2<' in added.text
    cookie = added.headers["set-cookie"]
    assert "mercato_cart=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=2592000" in cookie

    page = await client.get("/cart")
    assert (
        "Sold by" in page.text
        and "Seller Shop" in page.text
        and "/login?next=/cart/checkout" in page.text
    )
    line_id = re.search(r'id="line-([0-9a-f-]+)"', page.text).group(1)
    changed = await post(
        client, f"/cart/lines/{line_id}", {"quantity": "2", "set": "3"}, headers=HTMX
    )
    assert changed.status_code == 200
    assert changed.text.startswith('<div class="cart" id="cart-body">')  # a partial, not a page
    assert "<html" not in changed.text and 'data-testid="cart-count">3<' in changed.text
    refused = await post(client, f"/cart/lines/{line_id}", {"quantity": "9"}, headers=HTMX)
    assert refused.status_code == 422 and "Only 5 left." in refused.text
    badge = await client.get("/cart/badge", headers=HTMX)
    assert 'data-testid="cart-count">3<' in badge.text


async def test_refused_add_shows_why_and_writes_nothing(client, runtime, shop):
    refused = await post(
        client, "/cart/lines", {"variant_id": shop.mug_small, "quantity": "0"}, headers=HTMX
    )
    assert refused.status_code == 422 and "Choose between 1 and 99." in refused.text
    too_many = await post(
        client, "/cart/lines", {"variant_id": shop.mug_large, "quantity": "4"}, headers=HTMX
    )
    assert too_many.status_code == 422 and "Only 3 left." in too_many.text
    assert await rows(runtime, Cart) == 0
    forged = await client.post(
        "/cart/lines", data={"variant_id": shop.mug_small, "quantity": "1", "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403 and await rows(runtime, Cart) == 0


async def test_buyer_signing_in_finds_the_guest_cart_merged(client, runtime, shop):
    await post(client, "/cart/lines", {"variant_id": shop.lamp, "quantity": "1"})
    assert await rows(runtime, Cart) == 1
    signed_in = await post(client, "/login", {"email": "buyer@example.com", "password": PASSWORD})
    assert signed_in.status_code == 303
    badge = await client.get("/cart/badge", headers=HTMX)
    assert 'data-testid="cart-count">1<' in badge.text
    assert 'mercato_cart=""' in badge.headers["set-cookie"]  # the guest cookie is cleared
    async with runtime.database.reading() as session:
        owners = (await session.execute(select(Cart.buyer_id, Cart.guest_token_hash))).all()
    assert [(str(b), h) for b, h in owners] == [(shop.buyer_id, None)]
    page = await client.get("/cart")
    assert "Glass lamp" in page.text and 'href="/checkout"' in page.text


async def test_sellers_see_no_cart(client, runtime, shop):
    await post(client, "/login", {"email": "seller@example.com", "password": PASSWORD})
    assert (await client.get("/cart/badge", headers=HTMX)).text == ""
    assert (await client.get("/cart")).status_code == 403
    product = await client.get(f"/products/{shop.mug_listing}")
    assert "Seller and staff accounts cannot place orders" in product.text
    assert await rows(runtime, CartLine) == 0


async def test_seller_edits_and_deletes_a_shipping_profile(client, runtime, shop):
    await post(client, "/login", {"email": "seller@example.com", "password": PASSWORD})
    listing = await client.get("/seller/shipping")
    assert "Standard" in listing.text and "By weight" in listing.text
    edited = await post(
        client,
        f"/seller/shipping/{shop.flat_profile}",
        {
            "name": "Standard post",
            "method": "flat",
            "flat_rate": "5.50",
            "per_kg": "",
            "free_above": "",
            "handling_days": "3",
        },
    )
    assert edited.status_code == 303
    await client.patch(
        f"/api/v1/catalog/my/listings/{shop.mug_listing}",
        json={"shipping_profile_id": shop.flat_profile},
        headers=shop.seller,
    )
    confirm = await client.get(f"/seller/shipping/{shop.flat_profile}/delete")
    assert "1 listing uses this profile." in confirm.text and "no shipping profile" in confirm.text
    deleted = await post(
        client, f"/seller/shipping/{shop.flat_profile}/delete", {}, follow_redirects=True
    )
    assert "1 listing has no shipping profile now." in deleted.text
    assert await rows(runtime, ShippingProfile) == 2
