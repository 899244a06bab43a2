"""Catalog pages over HTTP: the seller's listings table with inline edits, the create and edit
forms, images, bulk import with its report, and the admin's categories and moderation."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from mercato.catalog.models import Attribute, Category, Listing
from mercato.kit.auth import Role
from tests.catalog.test_imports import BAD, GOOD, csv_bytes
from tests.fixtures.accounts import PASSWORD, create_user, login
from tests.fixtures.catalog import admit, create_listing, image_bytes, make_tree, mug


@pytest.fixture(autouse=True)
def browser_like(client: httpx.AsyncClient) -> None:
    client.headers["accept"] = "text/html"


async def csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    """The token every page carries (signed in, /login forwards to the account page)."""
    page = await client.get(path, follow_redirects=True)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def post(client, path: str, data: dict[str, str], **kw) -> httpx.Response:
    return await client.post(path, data={"csrf_token": await csrf(client), **data}, **kw)


async def sign_in(client, runtime, role: Role, email: str) -> str:
    user_id = await create_user(runtime, email, role, email.split("@")[0].title())
    response = await post(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return user_id


async def count(runtime, model) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


@pytest.fixture
async def tree(runtime):
    return await make_tree(runtime)


@pytest.fixture
async def seller(client, runtime, tree):
    """A signed-in seller (browser session) who also has an API token for setting up data."""
    user_id = await sign_in(client, runtime, Role.SELLER, "shop@example.com")
    return {"user_id": user_id, "api": await login(client, "shop@example.com")}


NEW_FORM = {
    "kind": "goods",
    "title": "Linen apron",
    "description": "Washed linen.",
    "currency": "EUR",
    "attr-material": "Glass",
    "option1_name": "Colour",
    "v0-sku": "APRON-RED",
    "v0-price": "29.90",
    "v0-stock": "4",
    "v0-weight_grams": "250",
    "v0-opt1": "Red",
    "v1-sku": "APRON-BLUE",
    "v1-price": "29.90",
    "v1-stock": "2",
    "v1-opt1": "Blue",
    "v2-sku": "",
    "v2-price": "",
    "v2-stock": "",
}


async def test_seller_creates_a_listing_through_the_form(client, runtime, tree, seller):
    form_page = await client.get("/seller/listings/new")
    assert form_page.status_code == 200
    assert "Save as draft" in form_page.text
    fields = await client.get(
        "/seller/listings/attribute-fields", params={"category_id": str(tree.ceramics)}
    )
    assert 'name="attr-material"' in fields.text
    assert 'name="attr-diameter"' in fields.text
    assert "Diameter (cm)" in fields.text
    response = await post(
        client, "/seller/listings", {**NEW_FORM, "category_id": str(tree.ceramics)}
    )
    assert response.status_code == 303, response.text
    edit = await client.get(response.headers["location"])
    assert "“Linen apron” is saved as a draft" in edit.text
    assert "APRON-RED" in edit.text
    assert "APRON-BLUE" in edit.text
    assert await count(runtime, Listing) == 1


async def test_a_refused_form_keeps_the_input_and_names_each_field(client, runtime, tree, seller):
    bad = {
        **NEW_FORM,
        "category_id": str(tree.ceramics),
        "attr-material": "Wood",
        "v1-price": "29.999",
    }
    response = await post(client, "/seller/listings", bad)
    assert response.status_code == 422
    assert "is not allowed for Material" in response.text
    assert "EUR prices have at most 2 decimal places" in response.text
    assert 'value="APRON-BLUE"' in response.text
    assert await count(runtime, Listing) == 0


async def test_forms_without_the_csrf_token_write_nothing(client, runtime, tree, seller):
    response = await client.post(
        "/seller/listings", data={**NEW_FORM, "category_id": str(tree.ceramics)}
    )
    assert response.status_code == 403
    assert await count(runtime, Listing) == 0


async def test_listings_table_edits_price_and_stock_inline(client, runtime, tree, seller):
    listing = await create_listing(
        client, seller["api"], mug(tree.ceramics, title="<b>Bold</b> mug")
    )
    table = await client.get("/seller/listings")
    assert table.status_code == 200
    assert "&lt;b&gt;Bold&lt;/b&gt; mug" in table.text
    assert "<b>Bold</b>" not in table.text
    variant = listing["variants"][0]["id"]
    token = await csrf(client, "/seller/listings")
    saved = await client.post(
        f"/seller/variants/{variant}",
        data={
            "csrf_token": token,
            "price": "19.50",
            "stock": "12",
            "label": "MUG-S",
            "currency": "EUR",
        },
        headers={"hx-request": "true"},
    )
    assert saved.status_code == 200
    assert "✓ Saved" in saved.text
    assert 'value="19.50"' in saved.text
    refused = await client.post(
        f"/seller/variants/{variant}",
        data={"csrf_token": token, "price": "19.505", "stock": "-1", "label": "MUG-S"},
        headers={"hx-request": "true"},
    )
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    mine = (
        await client.get(f"/api/v1/catalog/my/listings/{listing['id']}", headers=seller["api"])
    ).json()
    assert (mine["variants"][0]["price_minor"], mine["variants"][0]["stock"]) == (1950, 12)


async def test_edit_page_publishes_uploads_and_orders_images(client, runtime, tree, seller):
    listing = await create_listing(client, seller["api"], mug(tree.ceramics))
    path = f"/seller/listings/{listing['id']}"
    not_yet = await post(client, f"{path}/publish", {})
    assert not_yet.status_code == 403
    assert "Only admitted sellers can publish listings" in not_yet.text
    await admit(runtime, seller["user_id"])
    for colour in ("red", "blue"):
        token = await csrf(client, path)
        uploaded = await client.post(
            f"{path}/images",
            data={"csrf_token": token},
            files={"file": (f"{colour}.png", image_bytes(colour=colour), "image/png")},
        )
        assert uploaded.status_code == 303
    refused = await client.post(
        f"{path}/images",
        data={"csrf_token": await csrf(client, path)},
        files={"file": ("fake.png", b"not an image at all", "image/png")},
    )
    assert refused.status_code == 303
    page = await client.get(path)
    assert "The image was not added: Upload a JPEG, PNG or WebP image." in page.text
    mine = (
        await client.get(f"/api/v1/catalog/my/listings/{listing['id']}", headers=seller["api"])
    ).json()
    first, second = (image["id"] for image in mine["images"])
    moved = await post(client, f"/seller/images/{second}/up", {"back": path})
    assert moved.status_code == 303
    mine = (
        await client.get(f"/api/v1/catalog/my/listings/{listing['id']}", headers=seller["api"])
    ).json()
    assert [image["id"] for image in mine["images"]] == [second, first]
    published = await post(client, f"{path}/publish", {})
    assert published.status_code == 303
    page = await client.get(path)
    assert "is published: buyers can find it now" in page.text
    image = await client.get(mine["images"][0]["small_url"])
    assert image.status_code == 200


async def test_bulk_import_page_shows_progress_and_the_report(client, runtime, tree, seller):
    page = await client.get("/seller/imports")
    assert "attr:&lt;code&gt;" in page.text
    token = await csrf(client, "/seller/imports")
    started = await client.post(
        "/seller/imports",
        data={"csrf_token": token, "mode": "all_or_nothing"},
        files={"file": ("stock.csv", csv_bytes(GOOD + BAD), "text/csv")},
    )
    assert started.status_code == 303
    status = await client.get(started.headers["location"])
    assert "Nothing was imported: 6 problems found." in status.text
    assert "Download the error report (CSV)" in status.text
    assert "Unknown category “cups”." in status.text
    assert 'hx-trigger="every 1s"' not in status.text  # finished: no more polling
    report = await client.get(started.headers["location"] + "/errors.csv")
    assert report.text.splitlines()[0] == "row,column,reason"
    template = await client.get("/seller/imports/template.csv")
    assert template.text.startswith("listing_ref,sku,title")
    empty = await client.post(
        "/seller/imports", data={"csrf_token": token}, files={"file": ("", b"", "text/csv")}
    )
    assert empty.status_code == 422
    assert "Choose a file to upload." in empty.text


async def test_buyers_and_staff_have_no_seller_portal(client, runtime, tree):
    await sign_in(client, runtime, Role.BUYER, "buyer@example.com")
    assert (await client.get("/seller/listings")).status_code == 403
    assert (await client.get("/admin/catalog/categories")).status_code == 403


async def test_admin_edits_categories_and_attributes(client, runtime, tree):
    await sign_in(client, runtime, Role.ADMIN, "boss@example.com")
    page = await client.get("/admin/catalog/categories")
    assert "Home &amp; Living" in page.text
    created = await post(
        client, "/admin/catalog/categories", {"name": "Lighting", "parent_id": str(tree.home)}
    )
    assert created.status_code == 303
    category_path = created.headers["location"]
    duplicate = await post(client, "/admin/catalog/categories", {"name": "Lighting"})
    assert duplicate.status_code == 422
    assert "The slug “lighting” is taken" in duplicate.text
    added = await post(
        client,
        f"{category_path}/attributes",
        {
            "name": "Bulb",
            "code": "bulb",
            "kind": "enum",
            "allowed_values": "E27, E14",
            "required": "on",
        },
    )
    assert added.status_code == 303
    detail = await client.get(category_path)
    assert "Material" in detail.text  # inherited from Home & Living
    assert 'value="E27, E14"' in detail.text
    async with runtime.database.reading() as session:
        bulb = (
            await session.execute(select(Attribute).where(Attribute.code == "bulb"))
        ).scalar_one()
        assert (bulb.kind, bulb.allowed_values, bulb.required) == ("enum", ["E27", "E14"], True)
    bad = await post(
        client, f"{category_path}/attributes", {"name": "Watt", "code": "Watt!", "kind": "number"}
    )
    assert bad.status_code == 422
    assert await count(runtime, Category) == 5


async def test_support_reads_the_catalog_console_but_cannot_change_it(client, runtime, tree):
    await sign_in(client, runtime, Role.SUPPORT, "help@example.com")
    page = await client.get(f"/admin/catalog/categories/{tree.ceramics}")
    assert page.status_code == 200
    assert "Save the category" not in page.text
    refused = await post(client, "/admin/catalog/categories", {"name": "Nope"})
    assert refused.status_code == 403
    assert (await client.get("/admin/catalog/listings")).status_code == 200


async def test_admin_hides_a_listing_and_its_seller_sees_why(client, runtime, tree):
    await create_user(runtime, "maker@example.com", Role.SELLER, "Maker")
    maker = await login(client, "maker@example.com")
    listing = await create_listing(client, maker, mug(tree.ceramics))
    await sign_in(client, runtime, Role.ADMIN, "boss@example.com")
    queue = await client.get("/admin/catalog/listings")
    assert "Stoneware mug" in queue.text
    hidden = await post(
        client,
        f"/admin/catalog/listings/{listing['id']}/hide",
        {"reason": "Photos show <another> brand", "back": "/admin/catalog/listings"},
    )
    assert hidden.status_code == 303
    queue = await client.get("/admin/catalog/listings?show=hidden")
    assert "Reason: Photos show &lt;another&gt; brand" in queue.text
    mine = (await client.get(f"/api/v1/catalog/my/listings/{listing['id']}", headers=maker)).json()
    assert mine["hidden_reason"] == "Photos show <another> brand"
    unhidden = await post(client, f"/admin/catalog/listings/{listing['id']}/unhide", {})
    assert unhidden.status_code == 303


async def test_seller_sets_an_image_alt_text_that_buyers_pages_use(client, runtime, tree, seller):
    await admit(runtime, seller["user_id"])
    listing = await create_listing(client, seller["api"], mug(tree.ceramics))
    images = f"/api/v1/catalog/my/listings/{listing['id']}/images"
    for colour in ("red", "blue"):
        added = await client.post(
            images,
            files={"file": (f"{colour}.png", image_bytes(colour=colour), "image/png")},
            headers=seller["api"],
        )
        assert added.status_code == 201, added.text
    await client.post(f"/api/v1/catalog/my/listings/{listing['id']}/publish", headers=seller["api"])
    mine = await client.get(f"/api/v1/catalog/my/listings/{listing['id']}", headers=seller["api"])
    first, second = mine.json()["images"]
    path = f"/seller/listings/{listing['id']}"
    page = await client.get(path)
    assert page.text.count('class="cat-alt"') == 2
    assert (
        '<label class="cat-alt__label" for="alt-text-' + first["id"] + '">Alt text of image 1'
        in page.text
    )
    editor = f"/seller/images/{first['id']}/alt-text"
    htmx = {"HX-Request": "true", "HX-Target": f"alt-{first['id']}"}
    form = {"number": "1", "fallback": "Stoneware mug", "back": f"{path}#images"}

    too_long = await post(client, editor, {**form, "alt_text": "x" * 201}, headers=htmx)
    assert too_long.status_code == 422
    assert "<html" not in too_long.text
    assert 'role="alert">String should have at most 200 characters' in too_long.text
    assert 'value="' + "x" * 201 + '"' in too_long.text  # the typed text stays in the box
    assert 'aria-invalid="true"' in too_long.text
    mine = await client.get(f"/api/v1/catalog/my/listings/{listing['id']}", headers=seller["api"])
    assert [image["alt_text"] for image in mine.json()["images"]] == ["", ""]

    saved = await post(
        client, editor, {**form, "alt_text": "  Speckled mug   on <oak>  "}, headers=htmx
    )
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith(f'<form class="cat-alt is-saved" id="alt-{first["id"]}"')
    assert "✓ Saved" in saved.text
    assert 'value="Speckled mug on &lt;oak&gt;"' in saved.text
    mine = await client.get(f"/api/v1/catalog/my/listings/{listing['id']}", headers=seller["api"])
    assert [image["alt_text"] for image in mine.json()["images"]] == ["Speckled mug on <oak>", ""]

    # Without htmx the seller lands back on the gallery with a message.
    plain = await post(client, f"/seller/images/{second['id']}/alt-text", {"alt_text": "Side"})
    assert plain.status_code == 303
    assert plain.headers["location"] == "/seller/listings"
    assert "The alt text is saved." in (await client.get(path)).text

    # The buyer's pages describe the picture with it; the title stands in where there is none.
    product = await client.get(f"/products/{listing['id']}")
    assert 'alt="Speckled mug on &lt;oak&gt;"' in product.text
    assert 'alt="Side"' in product.text
    results = await client.get("/search", params={"q": "stoneware mug"})
    assert '<img src="' + first["small_url"].rsplit(".", 1)[0] in results.text
    assert 'alt="Speckled mug on &lt;oak&gt;" loading="lazy"' in results.text
    hit = (await client.get("/api/v1/search", params={"q": "stoneware mug"})).json()["items"][0]
    assert hit["image_alt"] == "Speckled mug on <oak>"

    # Another seller cannot reach the image; nothing changes.
    await admit(runtime, await sign_in(client, runtime, Role.SELLER, "rival@example.com"))
    stolen = await post(client, editor, {**form, "alt_text": "Mine now"}, headers=htmx)
    assert stolen.status_code == 404
    mine = await client.get(f"/api/v1/catalog/my/listings/{listing['id']}", headers=seller["api"])
    assert mine.json()["images"][0]["alt_text"] == "Speckled mug on <oak>"
