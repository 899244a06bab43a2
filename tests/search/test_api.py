"""GET /api/v1/search: results with facets; bad parameters are 422 problems naming them."""

from __future__ import annotations

import pytest

from tests.search.support import MUGS, NORDIC, PHONES, document, index

API = "/api/v1/search"


async def test_search_returns_hits_facets_and_paging(client, runtime):
    await index(
        runtime.database,
        document("Blue mug", attributes={"colour": "Blue"}, price=1250),
        document("Red mug", attributes={"colour": "Red"}, price=900),
        document("Phone case", category=PHONES, seller=NORDIC),
    )
    response = await client.get(API, params={"q": "mug", "sort": "price_asc", "limit": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 2
    assert body["pages"] == 2
    assert body["next_page"] == 2
    assert body["previous_page"] is None
    [hit] = body["items"]
    assert hit["title"] == "Red mug"
    assert hit["price_label"] == "€9.00"
    assert hit["category_path"] == ["Home", "Kitchen", "Mugs"]
    names = [facet["name"] for facet in body["facets"]]
    assert names == ["category", "price", "attr.colour", "seller"]


async def test_attribute_seller_and_category_filters(client, runtime):
    await index(
        runtime.database,
        document("Blue mug", attributes={"colour": "Blue"}),
        document("Red mug", attributes={"colour": "Red"}),
        document("Blue phone case", category=PHONES, seller=NORDIC, attributes={"colour": "Blue"}),
    )
    blue = await client.get(API, params=[("attr.colour", "Blue")])
    assert sorted(h["title"] for h in blue.json()["items"]) == ["Blue mug", "Blue phone case"]
    both = await client.get(API, params=[("attr.colour", "Blue"), ("category", str(MUGS))])
    assert [h["title"] for h in both.json()["items"]] == ["Blue mug"]
    nordic = await client.get(API, params={"seller": str(NORDIC)})
    assert [h["title"] for h in nordic.json()["items"]] == ["Blue phone case"]


async def test_a_typo_is_forgiven(client, runtime):
    await index(runtime.database, document("Apple iPhone 15", category=PHONES))
    body = (await client.get(API, params={"q": "iphnoe"})).json()
    assert [h["title"] for h in body["items"]] == ["Apple iPhone 15"]
    assert body["fuzzy"] is True


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"price_min": "cheap"}, "price_min"),
        ({"price_min": "-1"}, "price_min"),
        ({"price_min": "20", "price_max": "10"}, "price_max"),
        ({"price_max": "1.0001"}, "price_max"),
        ({"category": "not-a-uuid"}, "category"),
        ({"seller": "x"}, "seller.0"),
        ({"sort": "cheapest"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "500", "limit": "100"}, "page"),
        ({"limit": "101"}, "limit"),
        ({"q": "x" * 201}, "q"),
        ({"attr.bad code!": "x"}, "attr.bad code!"),
    ],
)
async def test_bad_parameters_are_named_in_a_problem(client, params, parameter):
    response = await client.get(API, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert [error["field"] for error in problem["errors"]] == [parameter]
