"""The search results page, with hand-indexed listings."""

from __future__ import annotations

import re

from tests.search.support import NORDIC, PHONES, document, index

HTMX = {"HX-Request": "true", "HX-Target": "search-results"}


async def test_the_search_page_lists_results_with_facets_and_sort(client, runtime):
    await index(
        runtime.database,
        document("Blue mug", attributes={"colour": "Blue"}, price=1250),
        document("Red mug", attributes={"colour": "Red"}),
        document("Phone case", category=PHONES, seller=NORDIC),
    )
    page = await client.get("/search", params={"q": "mug"})
    assert page.status_code == 200
    assert "<html" in page.text
    assert "Results for" in page.text
    assert "2 listings" in page.text
    assert 'href="/products/' in page.text
    assert "€12.50" in page.text
    # Facet links are plain URLs that htmx also fetches into the results region.
    assert 'hx-get="/search?q=mug&amp;attr.colour=Blue"' in page.text
    assert 'hx-target="#search-results"' in page.text
    assert 'hx-push-url="true"' in page.text
    assert '<option value="price_asc"' in page.text


async def test_htmx_gets_only_the_results_region(client, runtime):
    await index(runtime.database, document("Blue mug", attributes={"colour": "Blue"}))
    fragment = await client.get("/search?q=mug&attr.colour=Blue", headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="search-results"')
    assert "Colour: Blue" in fragment.text  # the active filter chip
    restore = await client.get(
        "/search?q=mug", headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


async def test_markup_in_titles_and_queries_is_escaped(client, runtime):
    await index(
        runtime.database,
        document('<img src=x onerror="alert(1)"> mug', attributes={"colour": "<b>Blue</b>"}),
    )
    page = await client.get("/search", params={"q": '<script>alert("q")</script> mug'})
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text
    plain = await client.get("/search", params={"q": "mug"})
    assert "<img src=x" not in plain.text
    assert "&lt;img src=x onerror=" in plain.text
    assert "<b>Blue</b>" not in plain.text


async def test_a_typo_says_close_matches_are_shown(client, runtime):
    await index(runtime.database, document("Handmade ceramic mug"))
    page = await client.get("/search", params={"q": "ceramc"})
    assert "Handmade ceramic mug" in page.text
    assert re.search(r"(Showing results for|Including close matches)", page.text)


async def test_no_results_and_bad_filters(client, runtime):
    empty = await client.get("/search", params={"q": "zebra"})
    assert empty.status_code == 200
    assert "Nothing matches" in empty.text
    bad = await client.get("/search", params={"price_min": "x"}, headers={"Accept": "text/html"})
    assert bad.status_code == 422
    assert "price_min" in bad.text
