"""The search engine on both databases, fed hand-built documents."""

from __future__ import annotations

import pytest

from mercato.search import service
from tests.search.support import (
    ELECTRONICS,
    HOME,
    KITCHEN,
    MUGS,
    NORDIC,
    PHONES,
    document,
    facet,
    index,
    search,
    titles,
)


async def test_a_title_match_ranks_above_a_description_match(database):
    await index(
        database,
        document("Plain tea cup", description="Fired in a ceramic kiln, glazed by hand."),
        document("Ceramic espresso cup", description="Small and sturdy."),
    )
    results = await search(database, q="ceramic")
    assert titles(results) == ["Ceramic espresso cup", "Plain tea cup"]
    assert results.total == 2
    assert results.fuzzy is False


async def test_several_words_must_all_match(database):
    await index(
        database,
        document("Blue ceramic mug"),
        document("Blue wool scarf"),
        document("Green ceramic mug"),
    )
    assert titles(await search(database, q="blue mug")) == ["Blue ceramic mug"]
    assert sorted(titles(await search(database, q="ceramic mug"))) == [
        "Blue ceramic mug",
        "Green ceramic mug",
    ]


async def test_web_search_syntax_phrases_or_and_exclusion(database):
    await index(
        database,
        document("Blue ceramic mug"),
        document("Ceramic blue vase"),
        document("Red ceramic mug"),
    )
    assert titles(await search(database, q='"ceramic mug" -red')) == ["Blue ceramic mug"]
    assert sorted(titles(await search(database, q="vase or red"))) == [
        "Ceramic blue vase",
        "Red ceramic mug",
    ]
    assert sorted(titles(await search(database, q="-mug"))) == ["Ceramic blue vase"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("iphnoe", "Apple iPhone 15 Pro"), ("ceramc", "Handmade ceramic mug")],
)
async def test_a_misspelt_word_still_finds_the_listing(database, typed, expected):
    await index(
        database,
        document("Apple iPhone 15 Pro", category=PHONES, seller=NORDIC),
        document("Handmade ceramic mug"),
        document("Wool blanket", category=HOME),
    )
    results = await search(database, q=typed)
    assert titles(results) == [expected]
    assert results.fuzzy is True


async def test_a_misspelt_word_among_correct_ones(database):
    await index(database, document("Handmade ceramic mug"), document("Handmade wool scarf"))
    assert titles(await search(database, q="handmade ceramc mug")) == ["Handmade ceramic mug"]


async def test_a_word_still_being_typed_matches_as_a_prefix(database):
    await index(database, document("Apple iPhone 15 Pro", category=PHONES), document("Teapot"))
    assert titles(await search(database, q="iph")) == ["Apple iPhone 15 Pro"]
    assert titles(await search(database, q="apple ipho")) == ["Apple iPhone 15 Pro"]


async def test_plurals_accents_attributes_and_seller_names_are_searchable(database):
    await index(
        database,
        document("Crème brûlée ramekin", attributes={"material": "Stoneware"}),
        document("Trail tent", seller=NORDIC, category=HOME),
        document("Coffee mug"),
    )
    assert titles(await search(database, q="creme brulee")) == ["Crème brûlée ramekin"]
    assert titles(await search(database, q="stoneware")) == ["Crème brûlée ramekin"]
    assert titles(await search(database, q="nordic")) == ["Trail tent"]
    assert titles(await search(database, q="mugs")) == ["Coffee mug"]


async def test_html_in_a_title_is_stored_as_text(database):
    await index(database, document("<script>alert(1)</script> Mug"))
    assert titles(await search(database, q="script mug")) == ["<script>alert(1)</script> Mug"]


async def test_no_text_lists_everything_newest_first(database):
    await index(
        database,
        document("Old mug", age_days=30),
        document("New mug", age_days=1),
        document("Middle mug", age_days=10),
    )
    assert titles(await search(database)) == ["New mug", "Middle mug", "Old mug"]


async def test_sorting_by_price_and_by_date(database):
    await index(
        database,
        document("Mug A", price=1500, age_days=3),
        document("Mug B", price=500, age_days=1),
        document("Mug C", price=2500, age_days=2),
    )
    assert titles(await search(database, q="mug", sort="price_asc")) == ["Mug B", "Mug A", "Mug C"]
    assert titles(await search(database, q="mug", sort="price_desc")) == [
        "Mug C",
        "Mug A",
        "Mug B",
    ]
    assert titles(await search(database, q="mug", sort="newest")) == ["Mug B", "Mug C", "Mug A"]


async def test_currencies_of_different_exponents_compare_on_one_scale(database):
    await index(
        database,
        document("Yen mug", price=1200, currency="JPY"),  # ¥1200
        document("Euro mug", price=1500, currency="EUR"),  # €15.00
    )
    assert titles(await search(database, q="mug", sort="price_asc")) == ["Euro mug", "Yen mug"]
    assert titles(await search(database, q="mug", price_max="20")) == ["Euro mug"]


async def test_pages_are_stable_and_complete(database):
    await index(database, *(document(f"Mug number {n}", price=1000) for n in range(23)))
    seen: list[str] = []
    for page in (1, 2, 3, 4):
        results = await search(database, q="mug", sort="price_asc", limit=7, page=page)
        assert results.total == 23
        assert results.pages == 4
        seen += titles(results)
    assert len(seen) == 23
    assert len(set(seen)) == 23
    again = await search(database, q="mug", sort="price_asc", limit=7, page=2)
    assert titles(again) == seen[7:14]
    relevance = [await search(database, q="mug", limit=5, page=p) for p in (1, 2, 3, 4, 5)]
    assert len({t for r in relevance for t in titles(r)}) == 23


async def _facet_fixture(database):
    await index(
        database,
        document("Blue mug", attributes={"colour": "Blue"}, price=900),
        document("Red mug", attributes={"colour": "Red"}, price=1800),
        document("Blue teapot", attributes={"colour": "Blue"}, category=KITCHEN, price=4500),
        document(
            "Blue phone case",
            attributes={"colour": "Blue"},
            category=PHONES,
            seller=NORDIC,
            price=1200,
        ),
        document("Wool blanket", category=HOME, price=30000),
    )


async def test_category_facet_counts_subcategories_toward_their_parents(database):
    await _facet_fixture(database)
    results = await search(database)
    assert facet(results, "category") == {"Home": 4, "Electronics": 1}
    inside = await search(database, category=str(HOME))
    assert inside.total == 4
    assert facet(inside, "category") == {"Kitchen": 3}
    assert [crumb.name for crumb in inside.category_path] == ["Home"]
    kitchen = await search(database, category=str(KITCHEN))
    assert facet(kitchen, "category") == {"Mugs": 2}
    assert [crumb.id for crumb in kitchen.category_path] == [HOME, KITCHEN]
    assert sorted(titles(kitchen)) == ["Blue mug", "Blue teapot", "Red mug"]
    assert titles(await search(database, category=str(MUGS), q="blue")) == ["Blue mug"]
    assert (await search(database, category=str(ELECTRONICS))).total == 1


async def test_facet_counts_apply_every_other_filter(database):
    await _facet_fixture(database)
    blue = await search(database, attributes={"colour": ["Blue"]})
    assert blue.total == 3
    # The colour facet ignores the colour filter, so the buyer can still pick Red…
    assert facet(blue, "attr.colour") == {"Blue": 3, "Red": 1}
    # …while the other facets count only blue listings.
    assert facet(blue, "seller") == {"Atelier Lumière": 2, "Nordic Outdoor Co.": 1}
    assert facet(blue, "category") == {"Home": 2, "Electronics": 1}
    assert facet(blue, "price") == {"Under €10": 1, "€10 to €25": 1, "€25 to €50": 1}
    both = await search(database, attributes={"colour": ["Blue", "Red"]}, category=str(MUGS))
    assert sorted(titles(both)) == ["Blue mug", "Red mug"]
    assert facet(both, "attr.colour") == {"Blue": 1, "Red": 1}
    cheap = await search(database, price_min="10", price_max="25")
    assert sorted(titles(cheap)) == ["Blue phone case", "Red mug"]
    assert facet(cheap, "price") == {
        "Under €10": 1,
        "€10 to €25": 2,
        "€25 to €50": 1,
        "€250 to €500": 1,
    }
    [price_facet] = [f for f in cheap.facets if f.name == "price"]
    assert [v.value for v in price_facet.values if v.selected] == ["10-25"]
    by_seller = await search(database, sellers=[str(NORDIC)])
    assert titles(by_seller) == ["Blue phone case"]
    assert facet(by_seller, "seller") == {"Atelier Lumière": 4, "Nordic Outdoor Co.": 1}


async def test_free_text_attributes_are_not_facets(database):
    await index(
        database,
        *(
            document(f"Mug {n}", attributes={"colour": "Blue", "serial": f"SN-{n:04d}"})
            for n in range(20)
        ),
    )
    results = await search(database, q="mug")
    assert facet(results, "attr.colour") == {"Blue": 20}
    assert facet(results, "attr.serial") == {}


async def test_reindexing_replaces_and_hiding_removes(database):
    [mug] = await index(database, document("Blue mug", attributes={"colour": "Blue"}))
    renamed = mug.model_copy(update={"title": "Green goblet", "attributes": {"colour": "Green"}})
    await index(database, renamed)
    assert titles(await search(database, q="mug")) == []
    assert titles(await search(database, q="goblet")) == ["Green goblet"]
    assert facet(await search(database), "attr.colour") == {"Green": 1}
    await index(database, renamed.model_copy(update={"visible": False}))
    assert (await search(database, q="goblet")).total == 0
    async with database.transaction() as session:
        assert await service.indexed_listing_ids(session) == []
        # A listing that no longer exists at all is removed too (and twice is harmless).
        await service.index_listing(session, None, mug.listing_id)
