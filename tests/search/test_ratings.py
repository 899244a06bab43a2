"""Ratings in search: the "Top rated" sort, the "4★ & up" facet counted without its own
filter, the rating on each hit, the rating parameter of the API and the page; a rating set on
an indexed listing survives its re-indexing."""

from __future__ import annotations

import httpx

from mercato.kit.db import Database
from mercato.search import repository, service
from mercato.search.links import SearchLinks
from mercato.search.schemas import SearchQuery
from tests.search.support import document, facet, search, titles

# (title, (published reviews, average in tenths of a star))
RATED = (
    ("Blue mug", (3, 43)),
    ("Red mug", (10, 38)),
    ("Green mug", (1, 50)),
    ("Grey mug", (0, 0)),
    ("Black mug", (2, 40)),
)


async def _index_rated(database: Database) -> None:
    async with database.transaction() as session:
        for title, rating in RATED:
            item = document(title)
            await service.index_listing(session, item, item.listing_id, rating)


async def test_top_rated_sort_puts_unrated_last(database: Database):
    await _index_rated(database)
    found = await search(database, sort="top_rated")
    assert titles(found) == ["Green mug", "Blue mug", "Black mug", "Red mug", "Grey mug"]
    assert [hit.rating_label for hit in found.items] == [
        "★ 5.0 (1)",
        "★ 4.3 (3)",
        "★ 4.0 (2)",
        "★ 3.8 (10)",
        None,
    ]


async def test_rating_facet_and_filter(database: Database):
    await _index_rated(database)
    everything = await search(database)
    assert facet(everything, "rating") == {"4★ & up": 3, "3★ & up": 4, "2★ & up": 4, "1★ & up": 4}
    four_up = await search(database, rating_min=4)
    assert sorted(titles(four_up)) == ["Black mug", "Blue mug", "Green mug"]
    # The facet ignores its own filter: the buyer can still widen to 3★ & up.
    assert facet(four_up, "rating")["3★ & up"] == 4
    chosen = [v for f in four_up.facets if f.name == "rating" for v in f.values if v.selected]
    assert [v.value for v in chosen] == ["4"]


async def test_a_rating_follows_the_listing_through_reindexing(database: Database):
    item = document("Teal mug")
    async with database.transaction() as session:
        await service.index_listing(session, item, item.listing_id)
        assert await repository.set_rating(session, item.listing_id, 4, 45)
        await service.index_listing(session, item, item.listing_id, (4, 45))
    found = await search(database, q="teal")
    assert [(h.rating_count, h.rating_tenths) for h in found.items] == [(4, 45)]


def test_links_toggle_the_rating_filter():
    links = SearchLinks("/search", SearchQuery(q="mug"))
    assert links.toggle("rating", "4") == "/search?q=mug&rating_min=4"
    chosen = SearchLinks("/search", SearchQuery(q="mug", rating_min=4))
    assert chosen.toggle("rating", "4") == "/search?q=mug"
    assert chosen.toggle("rating", "3") == "/search?q=mug&rating_min=3"


async def test_api_and_page_take_the_rating(client: httpx.AsyncClient, database: Database):
    await _index_rated(database)
    response = await client.get("/api/v1/search", params={"rating_min": 4, "sort": "top_rated"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == [
        "Green mug",
        "Blue mug",
        "Black mug",
    ]
    assert (await client.get("/api/v1/search", params={"rating_min": 6})).status_code == 422
    page = await client.get("/search", params={"rating_min": 4}, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "4★ &amp; up" in page.text and "Top rated" in page.text
    assert 'data-testid="card-rating"' in page.text
