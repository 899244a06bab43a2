"""Search and the storefront over real catalog listings: publishing, editing and hiding a
listing shows up in search, product pages and shops at once."""

from __future__ import annotations

import pytest

from mercato.kit.auth import Role
from tests.fixtures.accounts import create_user, login
from tests.fixtures.catalog import admit, create_listing, make_tree, mug, repair

CATALOG = "/api/v1/catalog"
SEARCH = "/api/v1/search"
BUY_BOX = {"HX-Request": "true", "HX-Target": "buy-box"}


@pytest.fixture
async def shop(runtime, client):
    """An admitted seller with a published two-variant mug and a published repair service."""
    tree = await make_tree(runtime)
    seller_user = await create_user(runtime, "potter@example.com", Role.SELLER, "Potter")
    seller_id = await admit(runtime, seller_user)
    await create_user(runtime, "admin@example.com", Role.ADMIN, "Admin")
    seller = await login(client, "potter@example.com")
    admin = await login(client, "admin@example.com")
    listing = await create_listing(client, seller, mug(tree.ceramics))
    service = await create_listing(client, seller, repair(tree.repairs))
    for item in (listing, service):
        published = await client.post(f"{CATALOG}/my/listings/{item['id']}/publish", headers=seller)
        assert published.status_code == 200, published.text
    return {
        "tree": tree,
        "seller": seller,
        "admin": admin,
        "seller_id": seller_id,
        "listing": listing,
        "service": service,
    }


async def titles(client, **params) -> list[str]:
    response = await client.get(SEARCH, params=params)
    assert response.status_code == 200, response.text
    return [hit["title"] for hit in response.json()["items"]]


async def test_a_published_listing_is_searchable_at_once(client, shop):
    assert await titles(client, q="stoneware mug") == ["Stoneware mug"]
    assert await titles(client, q="stonewre") == ["Stoneware mug"]  # a typo
    assert sorted(await titles(client, q="potter")) == ["Bicycle tune-up", "Stoneware mug"]
    body = (await client.get(SEARCH, params={"category": str(shop["tree"].home)})).json()
    assert [hit["title"] for hit in body["items"]] == ["Stoneware mug"]
    [hit] = body["items"]
    assert (hit["price_min_minor"], hit["price_max_minor"], hit["in_stock"]) == (1800, 2250, True)
    assert hit["price_label"] == "from €18.00"
    facets = {facet["name"]: facet for facet in body["facets"]}
    assert {v["label"]: v["count"] for v in facets["category"]["values"]} == {"Ceramics": 1}
    assert {v["label"]: v["count"] for v in facets["attr.material"]["values"]} == {"Stoneware": 1}


async def test_editing_hiding_and_archiving_reach_search_and_the_product_page(client, shop):
    listing = shop["listing"]
    page = await client.get(f"/products/{listing['id']}")
    assert page.status_code == 200
    assert "€18.00" in page.text
    small = next(v for v in listing["variants"] if v["sku"] == "MUG-S")
    changed = await client.patch(
        f"{CATALOG}/my/variants/{small['id']}", json={"price": "16.00"}, headers=shop["seller"]
    )
    assert changed.status_code == 200, changed.text
    # The cached product page and search results were dropped with the change.
    assert "€16.00" in (await client.get(f"/products/{listing['id']}")).text
    [hit] = (await client.get(SEARCH, params={"q": "mug"})).json()["items"]
    assert hit["price_min_minor"] == 1600
    renamed = await client.patch(
        f"{CATALOG}/my/listings/{listing['id']}",
        json={"title": "Porcelain bowl"},
        headers=shop["seller"],
    )
    assert renamed.status_code == 200, renamed.text
    assert await titles(client, q="mug") == []
    assert await titles(client, q="bowl") == ["Porcelain bowl"]
    hidden = await client.post(
        f"{CATALOG}/admin/listings/{listing['id']}/hide",
        json={"reason": "Counterfeit"},
        headers=shop["admin"],
    )
    assert hidden.status_code == 200
    assert await titles(client, q="bowl") == []
    assert (await client.get(f"/products/{listing['id']}")).status_code == 404
    await client.post(f"{CATALOG}/admin/listings/{listing['id']}/unhide", headers=shop["admin"])
    assert await titles(client, q="bowl") == ["Porcelain bowl"]
    await client.post(f"{CATALOG}/my/listings/{listing['id']}/archive", headers=shop["seller"])
    assert await titles(client, q="bowl") == []


async def test_the_product_page_switches_variants_in_place(client, shop):
    listing = shop["listing"]
    large = next(v for v in listing["variants"] if v["sku"] == "MUG-L")
    page = await client.get(f"/products/{listing['id']}")
    assert 'id="buy-box"' in page.text
    assert "Only 5 left" in page.text
    assert 'hx-target="#buy-box"' in page.text
    assert "Sold by" in page.text and f'href="/shops/{shop["seller_id"]}"' in page.text
    swapped = await client.get(f"/products/{listing['id']}?variant={large['id']}", headers=BUY_BOX)
    assert swapped.status_code == 200
    assert "<html" not in swapped.text
    assert swapped.text.lstrip().startswith('<section class="buy-box" id="buy-box"')
    assert "€22.50" in swapped.text
    assert "Out of stock" in swapped.text
    direct = await client.get(f"/products/{listing['id']}?variant={large['id']}")
    assert "<html" in direct.text and "€22.50" in direct.text
    stranger = await client.get(
        f"/products/{listing['id']}?variant={shop['service']['variants'][0]['id']}"
    )
    assert stranger.status_code == 404


async def test_home_shop_and_reindex(client, runtime, shop):
    home = await client.get("/")
    assert home.status_code == 200
    assert "Home &amp; Living" in home.text
    assert "Stoneware mug" in home.text and "Bicycle tune-up" in home.text
    store = await client.get(f"/shops/{shop['seller_id']}")
    assert store.status_code == 200
    assert "Potter Shop" in store.text
    assert "Stoneware mug" in store.text and "Bicycle tune-up" in store.text
    inside = await client.get(f"/shops/{shop['seller_id']}", params={"q": "tune"})
    assert "Bicycle tune-up" in inside.text and "Stoneware mug" not in inside.text
    assert "Seller: " not in store.text  # the shop is the seller: no filter chip for it
    assert (await client.get(f"/shops/{shop['tree'].home}")).status_code == 404

    from mercato.search import service

    async with runtime.database.transaction() as session:
        ids = await service.indexed_listing_ids(session)
        assert len(ids) == 2
        assert await service.reindex_listings(session, ids) == 2
