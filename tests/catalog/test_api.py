"""Catalog API: categories, seller listings with variants, publishing, moderation, images."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from mercato.catalog.events import ListingChanged
from mercato.catalog.models import Image as ImageRow
from mercato.catalog.models import Listing, Variant
from mercato.kit import events
from mercato.kit.auth import Role
from tests.fixtures.accounts import create_user, login
from tests.fixtures.catalog import admit, create_listing, image_bytes, make_tree, mug, repair

API = "/api/v1/catalog"


@pytest.fixture
async def tree(runtime):
    return await make_tree(runtime)


@pytest.fixture
async def people(runtime, client):
    result = {}
    for name, role in (
        ("seller", Role.SELLER),
        ("other", Role.SELLER),
        ("buyer", Role.BUYER),
        ("admin", Role.ADMIN),
        ("support", Role.SUPPORT),
    ):
        email = f"{name}@example.com"
        user_id = await create_user(runtime, email, role, name.title())
        result[name] = await login(client, email)
        result[f"{name}_id"] = user_id
    return result


@pytest.fixture
def changed():
    """Every ListingChanged dispatched during the test (after commit)."""
    seen: list[uuid.UUID] = []

    async def handler(event: ListingChanged) -> None:
        seen.append(event.listing_id)

    events.subscribe(ListingChanged)(handler)
    yield seen
    events._handlers[ListingChanged].remove(handler)


async def count(runtime, model) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


# --- categories --------------------------------------------------------------------------


async def test_category_tree_and_inherited_attributes_are_public(client, tree):
    response = await client.get(f"{API}/categories")
    assert response.status_code == 200
    names = [(c["name"], [k["name"] for k in c["children"]]) for c in response.json()]
    assert names == [("Home & Living", ["Ceramics"]), ("Services", ["Repairs"])]
    detail = (await client.get(f"{API}/categories/{tree.ceramics}")).json()
    assert detail["path"] == ["Home & Living", "Ceramics"]
    assert detail["slug"] == "ceramics"
    assert [(a["code"], a["inherited"]) for a in detail["attributes"]] == [
        ("material", True),
        ("diameter", False),
        ("dishwasher_safe", False),
    ]


async def test_admin_manages_categories_and_attributes(client, people, tree):
    admin = people["admin"]
    created = await client.post(
        f"{API}/admin/categories",
        json={"name": "Vases", "parent_id": str(tree.ceramics)},
        headers=admin,
    )
    assert created.status_code == 201
    vases = created.json()
    assert (vases["slug"], vases["path"]) == ("vases", ["Home & Living", "Ceramics", "Vases"])
    clash = await client.post(
        f"{API}/admin/categories/{vases['id']}/attributes",
        json={"code": "material", "name": "Material", "kind": "text"},
        headers=admin,
    )
    assert clash.status_code == 422
    assert clash.json()["errors"][0]["field"] == "code"
    bad_enum = await client.post(
        f"{API}/admin/categories/{vases['id']}/attributes",
        json={"code": "shape", "name": "Shape", "kind": "enum", "allowed_values": []},
        headers=admin,
    )
    assert bad_enum.status_code == 422
    height = await client.post(
        f"{API}/admin/categories/{vases['id']}/attributes",
        json={"code": "height", "name": "Height", "kind": "number", "unit": "cm", "required": True},
        headers=admin,
    )
    assert height.status_code == 201
    renamed = await client.patch(
        f"{API}/admin/attributes/{height.json()['id']}",
        json={"name": "Height (total)"},
        headers=admin,
    )
    assert renamed.json()["name"] == "Height (total)"
    loop = await client.patch(
        f"{API}/admin/categories/{tree.home}", json={"parent_id": vases["id"]}, headers=admin
    )
    assert loop.status_code == 422
    taken = await client.patch(
        f"{API}/admin/categories/{vases['id']}", json={"slug": "ceramics"}, headers=admin
    )
    assert taken.status_code == 422
    busy = await client.delete(f"{API}/admin/categories/{tree.ceramics}", headers=admin)
    assert busy.status_code == 409
    assert (
        await client.delete(f"{API}/admin/categories/{vases['id']}", headers=admin)
    ).status_code == 204


# --- listings ----------------------------------------------------------------------------


async def test_seller_creates_a_draft_with_variants_and_typed_attributes(
    client, people, tree, changed
):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    assert listing["status"] == "draft"
    assert listing["visible"] is False
    assert listing["fulfilment"] == "shipping"
    assert listing["category_path"] == ["Home & Living", "Ceramics"]
    assert listing["attributes"] == {
        "material": "Stoneware",
        "diameter": "8.5",
        "dishwasher_safe": True,
    }
    assert listing["attribute_display"] == {
        "material": "Stoneware",
        "diameter": "8.5 cm",
        "dishwasher_safe": "Yes",
    }
    assert [(v["sku"], v["price_minor"], v["price"], v["stock"]) for v in listing["variants"]] == [
        ("MUG-S", 1800, "18.00", 5),
        ("MUG-L", 2250, "22.50", 0),
    ]
    assert changed == [uuid.UUID(listing["id"])]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"currency": "JPY"}, "variants.1.price", "JPY prices have no decimal places"),
        (
            {"variants": [{"sku": "A", "options": {"Size": "S"}, "price": "1.999", "stock": 1}]},
            "variants.0.price",
            "at most 2 decimal places",
        ),
        (
            {"attributes": {"material": "Wood"}},
            "attributes.material",
            "is not allowed for Material",
        ),
        ({"attributes": {}}, "attributes.material", "Material is required."),
        ({"attributes": {"material": "Glass", "colour": "red"}}, "attributes.colour", "no such"),
        (
            {"attributes": {"material": "Glass", "diameter": "wide"}},
            "attributes.diameter",
            "number",
        ),
        ({"currency": "EURO"}, "currency", "at most 3 characters"),
        ({"currency": "XYZ"}, "currency", "not an ISO 4217"),
        (
            {"variants": [{"sku": "A", "options": {"Size": "S"}, "price": "1", "stock": -1}]},
            "variants.0.stock",
            "greater than or equal to 0",
        ),
        (
            {"variants": [{"sku": "A", "options": {"Colour": "Red"}, "price": "1", "stock": 1}]},
            "variants.0.options",
            "Give a value for each option",
        ),
        (
            {
                "variants": [
                    {"sku": "A", "options": {"Size": "S"}, "price": "1", "stock": 1},
                    {"sku": "a", "options": {"Size": "M"}, "price": "1", "stock": 1},
                ]
            },
            "variants.1.sku",
            "its own SKU",
        ),
        (
            {
                "variants": [
                    {"sku": "A", "options": {"Size": "S"}, "price": "1", "stock": 1},
                    {"sku": "B", "options": {"Size": "s"}, "price": "1", "stock": 1},
                ]
            },
            "variants.1.options",
            "same options",
        ),
        ({"duration_minutes": 30}, "duration_minutes", "Only services"),
        ({"title": "   "}, "title", "at least 1 character"),
        ({"category_id": str(uuid.uuid4())}, "category_id", "No such category."),
    ],
)
async def test_invalid_listings_are_refused_field_by_field(
    client, runtime, people, tree, changes, field, message
):
    response = await client.post(
        f"{API}/my/listings", json=mug(tree.ceramics, **changes), headers=people["seller"]
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors, errors
    assert message in errors[field]
    assert await count(runtime, Listing) == 0
    assert await count(runtime, Variant) == 0


async def test_a_sku_is_unique_per_seller_not_across_sellers(client, people, tree):
    await create_listing(client, people["seller"], mug(tree.ceramics))
    again = await client.post(
        f"{API}/my/listings", json=mug(tree.ceramics), headers=people["seller"]
    )
    assert again.status_code == 422
    assert "You already use the SKU" in again.json()["errors"][0]["message"]
    await create_listing(client, people["other"], mug(tree.ceramics))


async def test_a_service_needs_a_duration_and_has_no_shipping(client, people, tree):
    service = await create_listing(client, people["seller"], repair(tree.repairs))
    assert (service["kind"], service["fulfilment"], service["duration_minutes"]) == (
        "service",
        "confirmation",
        90,
    )
    no_duration = await client.post(
        f"{API}/my/listings",
        json=repair(
            tree.repairs, duration_minutes=None, variants=[{"sku": "T2", "price": "5", "stock": 1}]
        ),
        headers=people["seller"],
    )
    assert no_duration.status_code == 422
    assert no_duration.json()["errors"][0]["field"] == "duration_minutes"


async def test_only_the_owner_touches_a_listing(client, runtime, people, tree):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    path = f"{API}/my/listings/{listing['id']}"
    for who, status in (("other", 404), ("buyer", 403), ("admin", 403), ("support", 403)):
        assert (await client.get(path, headers=people[who])).status_code == status
        patched = await client.patch(path, json={"title": "Mine now"}, headers=people[who])
        assert patched.status_code == status
    assert (await client.get(path)).status_code == 401
    variant = listing["variants"][0]["id"]
    stolen = await client.patch(
        f"{API}/my/variants/{variant}", json={"stock": 0}, headers=people["other"]
    )
    assert stolen.status_code == 404
    mine = (await client.get(path, headers=people["seller"])).json()
    assert (mine["title"], mine["variants"][0]["stock"]) == ("Stoneware mug", 5)


async def test_editing_fields_revalidates_attributes_against_the_category(client, people, tree):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    path = f"{API}/my/listings/{listing['id']}"
    moved = await client.patch(path, json={"category_id": str(tree.home)}, headers=people["seller"])
    assert moved.status_code == 200
    # The parent has no diameter: values the new category does not have are dropped.
    assert moved.json()["attributes"] == {"material": "Stoneware"}
    wrong = await client.patch(
        path, json={"attributes": {"material": "Tin"}}, headers=people["seller"]
    )
    assert wrong.status_code == 422
    titled = await client.patch(
        path,
        json={"title": "<script>alert(1)</script> Mug", "description": "Line 1\r\nLine 2"},
        headers=people["seller"],
    )
    assert titled.json()["title"] == "<script>alert(1)</script> Mug"
    assert titled.json()["description"] == "Line 1\nLine 2"


async def test_inline_price_and_stock_edit_of_a_variant(client, people, tree, changed):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    variant = listing["variants"][1]["id"]
    response = await client.patch(
        f"{API}/my/variants/{variant}", json={"price": "24", "stock": 7}, headers=people["seller"]
    )
    assert response.status_code == 200
    assert (response.json()["price_minor"], response.json()["stock"]) == (2400, 7)
    too_precise = await client.patch(
        f"{API}/my/variants/{variant}", json={"price": "24.005"}, headers=people["seller"]
    )
    assert too_precise.status_code == 422
    assert too_precise.json()["errors"][0]["field"] == "variant.price"
    assert changed.count(uuid.UUID(listing["id"])) == 2


async def test_variants_are_added_and_deleted_but_never_the_last(client, people, tree):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    added = await client.post(
        f"{API}/my/listings/{listing['id']}/variants",
        json={"sku": "MUG-M", "options": {"Size": "Medium"}, "price": "20", "stock": 3},
        headers=people["seller"],
    )
    assert added.status_code == 201
    assert [v["sku"] for v in added.json()["variants"]] == ["MUG-S", "MUG-L", "MUG-M"]
    same = await client.post(
        f"{API}/my/listings/{listing['id']}/variants",
        json={"sku": "MUG-X", "options": {"Size": "medium"}, "price": "20", "stock": 3},
        headers=people["seller"],
    )
    assert same.status_code == 422
    ids = [v["id"] for v in added.json()["variants"]]
    for variant_id in ids[:2]:
        assert (
            await client.delete(f"{API}/my/variants/{variant_id}", headers=people["seller"])
        ).status_code == 204
    last = await client.delete(f"{API}/my/variants/{ids[2]}", headers=people["seller"])
    assert last.status_code == 409


# --- publishing and moderation -------------------------------------------------------------


async def test_a_seller_who_is_not_admitted_cannot_publish(client, runtime, people, tree):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    response = await client.post(
        f"{API}/my/listings/{listing['id']}/publish", headers=people["seller"]
    )
    assert response.status_code == 403
    assert "Only admitted sellers can publish listings" in response.json()["detail"]
    assert "applying" in response.json()["detail"]
    mine = (await client.get(f"{API}/my/listings/{listing['id']}", headers=people["seller"])).json()
    assert mine["status"] == "draft"
    assert (await client.get(f"{API}/listings/{listing['id']}")).status_code == 404


async def test_publish_archive_and_republish(client, runtime, people, tree):
    seller_id = await admit(runtime, people["seller_id"])
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    published = await client.post(
        f"{API}/my/listings/{listing['id']}/publish", headers=people["seller"]
    )
    assert published.status_code == 200
    assert (published.json()["status"], published.json()["visible"]) == ("published", True)
    public = await client.get(f"{API}/listings/{listing['id']}")
    assert public.status_code == 200
    body = public.json()
    assert (body["seller_id"], body["seller_name"], body["in_stock"]) == (
        str(seller_id),
        "Seller Shop",
        True,
    )
    assert (body["price_min_minor"], body["price_max_minor"]) == (1800, 2250)
    assert body["attributes"]["diameter"] == "8.5 cm"
    shop = (await client.get(f"{API}/sellers/{seller_id}/listings")).json()
    assert [item["id"] for item in shop["items"]] == [listing["id"]]
    twice = await client.post(
        f"{API}/my/listings/{listing['id']}/publish", headers=people["seller"]
    )
    assert twice.status_code == 409
    archived = await client.post(
        f"{API}/my/listings/{listing['id']}/archive", headers=people["seller"]
    )
    assert archived.json()["status"] == "archived"
    assert (await client.get(f"{API}/listings/{listing['id']}")).status_code == 404
    deleted = await client.delete(f"{API}/my/listings/{listing['id']}", headers=people["seller"])
    assert deleted.status_code == 409
    again = await client.post(
        f"{API}/my/listings/{listing['id']}/publish", headers=people["seller"]
    )
    assert again.json()["status"] == "published"


async def test_publishing_rechecks_required_attributes_added_since(client, runtime, people, tree):
    await admit(runtime, people["seller_id"])
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    await client.post(
        f"{API}/admin/categories/{tree.ceramics}/attributes",
        json={"code": "glaze", "name": "Glaze", "kind": "text", "required": True},
        headers=people["admin"],
    )
    response = await client.post(
        f"{API}/my/listings/{listing['id']}/publish", headers=people["seller"]
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "attributes.glaze", "message": "Glaze is required."}
    ]


async def test_admin_hides_a_listing_with_a_reason_and_unhides_it(client, runtime, people, tree):
    await admit(runtime, people["seller_id"])
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    await client.post(f"{API}/my/listings/{listing['id']}/publish", headers=people["seller"])
    refused = await client.post(
        f"{API}/admin/listings/{listing['id']}/hide",
        json={"reason": "x"},
        headers=people["support"],
    )
    assert refused.status_code == 403
    hidden = await client.post(
        f"{API}/admin/listings/{listing['id']}/hide",
        json={"reason": "Counterfeit   brand"},
        headers=people["admin"],
    )
    assert hidden.status_code == 200
    assert (hidden.json()["hidden"], hidden.json()["hidden_reason"]) == (True, "Counterfeit brand")
    assert (await client.get(f"{API}/listings/{listing['id']}")).status_code == 404
    mine = (await client.get(f"{API}/my/listings/{listing['id']}", headers=people["seller"])).json()
    assert (mine["status"], mine["hidden_reason"], mine["visible"]) == (
        "published",
        "Counterfeit brand",
        False,
    )
    queue = await client.get(
        f"{API}/admin/listings", params={"hidden": "true"}, headers=people["support"]
    )
    assert [item["id"] for item in queue.json()["items"]] == [listing["id"]]
    unhidden = await client.post(
        f"{API}/admin/listings/{listing['id']}/unhide", headers=people["admin"]
    )
    assert unhidden.json()["visible"] is True
    assert (await client.get(f"{API}/listings/{listing['id']}")).status_code == 200


async def test_featured_listings_show_visible_ones_only(client, runtime, people, tree):
    await admit(runtime, people["seller_id"])
    shown = await create_listing(client, people["seller"], mug(tree.ceramics))
    await client.post(f"{API}/my/listings/{shown['id']}/publish", headers=people["seller"])
    await create_listing(client, people["other"], mug(tree.ceramics))  # a draft of an applicant
    featured = (await client.get(f"{API}/featured")).json()
    assert [item["id"] for item in featured] == [shown["id"]]
    assert featured[0]["price_display"] == "EUR 18.00 to 22.50"


# --- images ------------------------------------------------------------------------------


async def upload(client, headers, listing_id, data, name="photo.png", content_type="image/png"):
    return await client.post(
        f"{API}/my/listings/{listing_id}/images",
        files={"file": (name, data, content_type)},
        data={"alt_text": "A mug"},
        headers=headers,
    )


async def test_images_are_decoded_thumbnailed_ordered_and_deleted(client, runtime, people, tree):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    first = await upload(client, people["seller"], listing["id"], image_bytes("PNG", (1600, 900)))
    assert first.status_code == 201, first.text
    second = await upload(
        client, people["seller"], listing["id"], image_bytes("JPEG", colour="orange")
    )
    third = await upload(
        client, people["seller"], listing["id"], image_bytes("WEBP", colour="navy")
    )
    assert second.status_code == third.status_code == 201
    mine = (await client.get(f"{API}/my/listings/{listing['id']}", headers=people["seller"])).json()
    images = mine["images"]
    assert [i["status"] for i in images] == ["ready", "ready", "ready"]  # the job ran after commit
    assert images[0]["small_url"].endswith("-400.webp")
    small = await client.get(images[0]["small_url"], headers=people["seller"])
    assert small.status_code == 200
    assert small.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(small.content)) as thumb:
        assert thumb.size == (400, 225)
    assert "private" in small.headers["cache-control"]
    assert (await client.get(images[0]["url"])).status_code == 404  # a draft's image is private
    assert (await client.get(images[0]["url"], headers=people["other"])).status_code == 404
    moved = await client.patch(
        f"{API}/my/images/{images[2]['id']}", json={"position": 0}, headers=people["seller"]
    )
    assert moved.json()["position"] == 0
    mine = (await client.get(f"{API}/my/listings/{listing['id']}", headers=people["seller"])).json()
    assert [i["id"] for i in mine["images"]] == [images[2]["id"], images[0]["id"], images[1]["id"]]
    assert (
        await client.delete(f"{API}/my/images/{images[0]['id']}", headers=people["seller"])
    ).status_code == 204
    assert await count(runtime, ImageRow) == 2
    assert not runtime.files.path(images[0]["url"].rsplit("/catalog/", 1)[1]).exists()


async def test_a_visible_listings_images_are_public_and_cacheable(client, runtime, people, tree):
    await admit(runtime, people["seller_id"])
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    image = (await upload(client, people["seller"], listing["id"], image_bytes())).json()
    await client.post(f"{API}/my/listings/{listing['id']}/publish", headers=people["seller"])
    response = await client.get(image["large_url"])
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public")
    etag = response.headers["etag"]
    cached = await client.get(image["large_url"], headers={"if-none-match": etag})
    assert cached.status_code == 304


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"%PDF-1.7 not an image", 415, "Upload a JPEG, PNG or WebP image."),
        (b"GIF89a" + b"\0" * 40, 415, "Upload a JPEG, PNG or WebP image."),
        (image_bytes("PNG")[:200], 422, "not a readable image"),
        (image_bytes("PNG", (20, 20)), 422, "at least 50 x 50"),
        (b"", 422, "The file is empty."),
    ],
)
async def test_bad_uploads_are_refused(client, runtime, people, tree, data, status, message):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    response = await upload(client, people["seller"], listing["id"], data)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert await count(runtime, ImageRow) == 0


async def test_a_decompression_bomb_is_refused(client, runtime, people, tree):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # 100 megapixels, a few KiB
    response = await upload(client, people["seller"], listing["id"], bomb.getvalue())
    assert response.status_code == 422
    assert "too many pixels" in response.json()["detail"]


async def test_deleting_a_draft_removes_it_and_its_files(client, runtime, people, tree):
    listing = await create_listing(client, people["seller"], mug(tree.ceramics))
    image = (await upload(client, people["seller"], listing["id"], image_bytes())).json()
    key = image["url"].rsplit("/catalog/", 1)[1]
    assert runtime.files.path(key).exists()
    response = await client.delete(f"{API}/my/listings/{listing['id']}", headers=people["seller"])
    assert response.status_code == 204
    assert await count(runtime, Listing) == 0
    assert not runtime.files.path(key).exists()
