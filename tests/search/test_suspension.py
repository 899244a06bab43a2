"""Suspending a seller takes every one of its listings off the marketplace at once — search
results and facets, the home page's featured listings, its shop, the product pages and the
public API — and reinstating it brings them all back. Another seller is untouched throughout."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mercato.kit.auth import Role
from tests.fixtures.accounts import create_user, login
from tests.fixtures.catalog import admit, create_listing, make_tree, mug

CATALOG = "/api/v1/catalog"
SEARCH = "/api/v1/search"
DECISIONS = "/api/v1/admin/sellers/{seller_id}/decisions"


@pytest.fixture
async def market(runtime, client) -> dict[str, Any]:
    """Two admitted sellers, each with one published mug, and an admin."""
    tree = await make_tree(runtime)
    await create_user(runtime, "admin@example.com", Role.ADMIN, "Admin")
    admin = await login(client, "admin@example.com")
    shops: dict[str, Any] = {"admin": admin}
    for name, title, material in (
        ("potter", "Speckled stoneware mug", "stoneware"),
        ("glazier", "Blown glass mug", "glass"),
    ):
        user_id = await create_user(runtime, f"{name}@example.com", Role.SELLER, name.title())
        seller_id = await admit(runtime, user_id)
        headers = await login(client, f"{name}@example.com")
        body = mug(tree.ceramics, title=title)
        body["attributes"] = {**body["attributes"], "material": material}
        for variant in body["variants"]:
            variant["sku"] = f"{name.upper()}-{variant['sku']}"
        listing = await create_listing(client, headers, body)
        published = await client.post(
            f"{CATALOG}/my/listings/{listing['id']}/publish", headers=headers
        )
        assert published.status_code == 200, published.text
        shops[name] = {"seller_id": seller_id, "listing_id": listing["id"], "headers": headers}
    return shops


async def decide(client: httpx.AsyncClient, market: dict[str, Any], decision: str) -> None:
    body = {"decision": decision}
    if decision == "suspend":
        body["reason"] = "Counterfeit listings reported."
    response = await client.post(
        DECISIONS.format(seller_id=market["potter"]["seller_id"]),
        json=body,
        headers=market["admin"],
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == ("suspended" if decision == "suspend" else "admitted")


async def search_titles(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(SEARCH, params=params)
    assert response.status_code == 200, response.text
    return sorted(hit["title"] for hit in response.json()["items"])


async def facets(client: httpx.AsyncClient) -> dict[str, dict[str, int]]:
    body = (await client.get(SEARCH, params={"q": "mug"})).json()
    return {
        facet["name"]: {value["label"]: value["count"] for value in facet["values"]}
        for facet in body["facets"]
    }


async def what_buyers_see(client: httpx.AsyncClient, market: dict[str, Any]) -> dict[str, Any]:
    """Every public place a listing of the potter can show up, as seen by an anonymous buyer."""
    potter = market["potter"]
    listing_id, seller_id = potter["listing_id"], potter["seller_id"]
    html = {"accept": "text/html"}
    home = await client.get("/", headers=html)
    shop = await client.get(f"/shops/{seller_id}", headers=html)
    search_page = await client.get("/search", params={"q": "mug"}, headers=html)
    featured = (await client.get(f"{CATALOG}/featured")).json()
    shop_api = await client.get(f"{CATALOG}/sellers/{seller_id}/listings")
    assert shop_api.status_code == 200, shop_api.text
    found_facets = await facets(client)
    return {
        "search": await search_titles(client, q="mug"),
        "typo": await search_titles(client, q="speckld"),
        "seller_facet": found_facets.get("seller", {}),
        "material_facet": found_facets.get("attr.material", {}),
        "search_page": "Speckled stoneware mug" in search_page.text,
        "home_featured": "Speckled stoneware mug" in home.text,
        "featured_api": sorted(item["title"] for item in featured),
        "shop_page": shop.status_code,
        "shop_lists_mug": "Speckled stoneware mug" in shop.text,
        "shop_api": [item["title"] for item in shop_api.json()["items"]],
        "product_page": (await client.get(f"/products/{listing_id}", headers=html)).status_code,
        "listing_api": (await client.get(f"{CATALOG}/listings/{listing_id}")).status_code,
    }


VISIBLE = {
    "search": ["Blown glass mug", "Speckled stoneware mug"],
    "typo": ["Speckled stoneware mug"],
    "seller_facet": {"Potter Shop": 1, "Glazier Shop": 1},
    "material_facet": {"Stoneware": 1, "Glass": 1},
    "search_page": True,
    "home_featured": True,
    "featured_api": ["Blown glass mug", "Speckled stoneware mug"],
    "shop_page": 200,
    "shop_lists_mug": True,
    "shop_api": ["Speckled stoneware mug"],
    "product_page": 200,
    "listing_api": 200,
}


async def test_suspension_hides_every_listing_of_the_seller_and_reinstating_shows_them(
    client, market
):
    # Warm every cache first: suspension has to reach cached pages and results too.
    assert await what_buyers_see(client, market) == VISIBLE

    await decide(client, market, "suspend")
    hidden = await what_buyers_see(client, market)
    assert hidden["search"] == ["Blown glass mug"]
    assert hidden["typo"] == []
    assert hidden["seller_facet"] == {"Glazier Shop": 1}
    assert hidden["material_facet"] == {"Glass": 1}
    assert hidden["search_page"] is False
    assert hidden["home_featured"] is False
    assert hidden["featured_api"] == ["Blown glass mug"]
    assert hidden["shop_page"] == 404
    assert hidden["shop_lists_mug"] is False
    assert hidden["shop_api"] == []  # an empty shop, as for any seller with nothing on sale
    assert hidden["product_page"] == 404
    assert hidden["listing_api"] == 404

    # The seller still sees the listing in the portal, marked as not shown to buyers.
    potter = market["potter"]
    mine = await client.get(
        f"{CATALOG}/my/listings/{potter['listing_id']}", headers=potter["headers"]
    )
    assert mine.status_code == 200
    assert (mine.json()["status"], mine.json()["visible"]) == ("published", False)

    await decide(client, market, "reinstate")
    assert await what_buyers_see(client, market) == VISIBLE
