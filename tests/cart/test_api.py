"""Cart API: buyers add, change, remove, choose shipping and accept changes; refusals are
problem+json with field errors and write nothing."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from mercato.cart.models import Cart, CartLine

API = "/api/v1/cart"


async def rows(runtime, model) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_buyer_fills_a_cart_across_two_sellers(client, shop):
    empty = await client.get(API, headers=shop.buyer)
    assert empty.status_code == 200
    assert empty.json()["groups"] == [] and empty.json()["total_minor"] == 0

    first = await client.post(
        f"{API}/lines", json={"variant_id": shop.mug_small, "quantity": 2}, headers=shop.buyer
    )
    assert first.status_code == 201, first.text
    await client.post(
        f"{API}/lines", json={"variant_id": shop.mug_small, "quantity": 1}, headers=shop.buyer
    )
    await client.post(
        f"{API}/lines", json={"variant_id": shop.lamp, "quantity": 1}, headers=shop.buyer
    )
    cart = (
        await client.post(f"{API}/lines", json={"variant_id": shop.tune_up}, headers=shop.buyer)
    ).json()

    assert cart["currency"] == "EUR"
    assert [g["seller_name"] for g in cart["groups"]] == ["Seller Shop", "Other Shop"]
    mugs, others = cart["groups"]
    assert [(ln["sku"], ln["quantity"], ln["line_total_minor"]) for ln in mugs["lines"]] == [
        ("MUG-S", 3, 5400)
    ]
    # Seller's cheapest option for 960 g: flat 4.90 vs 2.00 + 1.50 x 1 kg = 3.50.
    assert [(o["name"], o["price_minor"]) for o in mugs["shipping_options"]] == [
        ("By weight", 350),
        ("Standard", 490),
    ]
    assert mugs["selected_shipping_id"] == shop.weight_profile and mugs["shipping_minor"] == 350
    assert mugs["weight_grams"] == 960 and mugs["total_minor"] == 5750
    # Other seller: lamp 40.00 + tune-up 45.00 = 85.00, above the free-shipping threshold.
    assert (
        others["items_minor"] == 8500 and others["shipping_minor"] == 0 and others["needs_shipping"]
    )
    assert (
        cart["items_minor"] == 13900
        and cart["shipping_minor"] == 350
        and cart["total_minor"] == 14250
    )
    assert cart["item_count"] == 5 and cart["has_problems"] is False


async def test_choose_shipping_change_quantity_and_remove(client, shop):
    added = await client.post(
        f"{API}/lines", json={"variant_id": shop.mug_small, "quantity": 1}, headers=shop.buyer
    )
    line_id = added.json()["groups"][0]["lines"][0]["line_id"]
    chosen = await client.put(
        f"{API}/shipping/{shop.seller_id}",
        json={"shipping_profile_id": shop.flat_profile},
        headers=shop.buyer,
    )
    assert chosen.status_code == 200
    assert chosen.json()["groups"][0]["shipping_name"] == "Standard"
    assert chosen.json()["shipping_minor"] == 490

    foreign = await client.put(
        f"{API}/shipping/{shop.seller_id}",
        json={"shipping_profile_id": shop.free_profile},
        headers=shop.buyer,
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["field"] == "shipping_profile_id"

    changed = await client.patch(f"{API}/lines/{line_id}", json={"quantity": 4}, headers=shop.buyer)
    assert changed.json()["item_count"] == 4
    too_many = await client.patch(
        f"{API}/lines/{line_id}", json={"quantity": 6}, headers=shop.buyer
    )
    assert too_many.status_code == 422
    assert too_many.headers["content-type"] == "application/problem+json"
    assert too_many.json()["errors"] == [{"field": "quantity", "message": "Only 5 left."}]

    removed = await client.patch(f"{API}/lines/{line_id}", json={"quantity": 0}, headers=shop.buyer)
    assert removed.json()["groups"] == [] and removed.json()["currency"] is None
    again = await client.post(f"{API}/lines", json={"variant_id": shop.lamp}, headers=shop.buyer)
    line_id = again.json()["groups"][0]["lines"][0]["line_id"]
    deleted = await client.delete(f"{API}/lines/{line_id}", headers=shop.buyer)
    assert deleted.status_code == 200 and deleted.json()["groups"] == []
    missing = await client.delete(f"{API}/lines/{uuid.uuid4()}", headers=shop.buyer)
    assert missing.status_code == 404


async def test_refused_additions_write_nothing(client, runtime, shop):
    cases = [
        ({"variant_id": shop.mug_small, "quantity": 0}, "quantity"),
        ({"variant_id": shop.mug_small, "quantity": -1}, "quantity"),
        ({"variant_id": shop.mug_small, "quantity": 100}, "quantity"),
        ({"variant_id": shop.mug_small, "quantity": 6}, "quantity"),
        ({"variant_id": str(uuid.uuid4()), "quantity": 1}, "variant_id"),
        ({"variant_id": "not-a-uuid", "quantity": 1}, "variant_id"),
    ]
    for body, field in cases:
        response = await client.post(f"{API}/lines", json=body, headers=shop.buyer)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field, response.json()
    assert await rows(runtime, Cart) == 0 and await rows(runtime, CartLine) == 0


async def test_one_currency_per_cart(client, runtime, shop):
    await client.post(f"{API}/lines", json={"variant_id": shop.mug_small}, headers=shop.buyer)
    refused = await client.post(
        f"{API}/lines", json={"variant_id": shop.dollar_mug}, headers=shop.buyer
    )
    assert refused.status_code == 422
    assert "priced in EUR" in refused.json()["detail"] and "USD" in refused.json()["detail"]
    assert await rows(runtime, CartLine) == 1


async def test_price_change_is_explained_until_acknowledged(client, shop):
    await client.post(
        f"{API}/lines", json={"variant_id": shop.mug_small, "quantity": 4}, headers=shop.buyer
    )
    await client.patch(
        f"{CATALOG_VARIANTS}/{shop.mug_small}",
        json={"price": "20.00", "stock": 2},
        headers=shop.seller,
    )
    cart = (await client.get(API, headers=shop.buyer)).json()
    line = cart["groups"][0]["lines"][0]
    assert line["problem"] == "Price changed from €18.00 to €20.00 · Only 2 left"
    assert line["unit_price_minor"] == 2000 and line["unit_price_seen_minor"] == 1800
    assert cart["has_problems"] is True

    accepted = (await client.post(f"{API}/acknowledge", headers=shop.buyer)).json()
    line = accepted["groups"][0]["lines"][0]
    assert (line["quantity"], line["unit_price_seen_minor"], line["problem"]) == (2, 2000, None)
    assert accepted["has_problems"] is False and accepted["items_minor"] == 4000


CATALOG_VARIANTS = "/api/v1/catalog/my/variants"
