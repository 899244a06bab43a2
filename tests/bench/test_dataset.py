"""The benchmark's generated marketplace is deterministic and consistent with itself."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from bench import dataset, scenarios, search_dataset

SMALL = dataset.Scale(sellers=5, listings=400, buyers=10)


def test_the_same_seed_yields_the_same_listings() -> None:
    first = list(dataset.listings(SMALL, seed=3))
    again = list(dataset.listings(SMALL, seed=3))
    other = list(dataset.listings(SMALL, seed=4))

    assert first == again
    assert [listing.id for listing in first] != [listing.id for listing in other]
    assert len({listing.id for listing in first}) == SMALL.listings


def test_listings_are_goods_and_services_from_the_sellers() -> None:
    listings = list(dataset.listings(SMALL))
    seller_ids = {seller.id for seller in dataset.sellers(SMALL)}
    kinds = Counter(listing.kind for listing in listings)

    assert set(kinds) == {"goods", "service"}
    assert kinds["service"] < kinds["goods"]
    assert {listing.seller.id for listing in listings} <= seller_ids
    services = [listing for listing in listings if listing.kind == "service"]
    assert all(listing.duration_minutes and listing.capacity for listing in services)
    assert all(listing.category.kind == listing.kind for listing in listings)


def test_skus_are_unique_per_seller_and_prices_are_minor_units() -> None:
    listings = list(dataset.listings(SMALL))
    skus = [(listing.seller.id, v.sku) for listing in listings for v in listing.variants]

    assert len(skus) == len(set(skus))
    prices = [v.price_minor for listing in listings for v in listing.variants]
    assert all(isinstance(price, int) and price > 0 for price in prices)


def test_fashion_listings_have_size_variants() -> None:
    fashion = [
        listing
        for listing in dataset.listings(SMALL)
        if listing.category.parent and listing.category.parent.name == "Fashion"
    ]

    assert fashion
    for listing in fashion:
        assert listing.option_names == ["Size"]
        assert len(listing.variants) >= 2


def test_search_rows_follow_the_listing() -> None:
    listing = next(item for item in dataset.listings(SMALL) if len(item.variants) > 1)
    document, categories, attributes = dataset.search_rows(listing, 7)
    row = dict(zip(search_dataset.DOCUMENT_COLUMNS, document, strict=True))

    assert row["id"] == 7
    assert row["listing_id"] == listing.id
    assert row["price_min_minor"] == min(v.price_minor for v in listing.variants)
    assert row["price_max_minor"] == max(v.price_minor for v in listing.variants)
    assert row["price_key"] == row["price_min_minor"] * 10  # EUR on the thousandths scale
    assert json.loads(str(row["category_path"])) == [
        listing.category.parent.name if listing.category.parent else "",
        listing.category.name,
    ]
    assert categories == [(7, listing.category.parent.id), (7, listing.category.id)]  # type: ignore[union-attr]
    assert (7, "colour", listing.attributes["colour"]) in attributes


def test_category_ids_are_shared_with_the_search_only_generator() -> None:
    ids = {category.name: category.id for category in dataset.categories()}

    assert set(search_dataset.TREE) <= set(ids)
    for record in search_dataset._category_records():
        assert record[0] in ids.values()
    assert len({category.slug for category in dataset.categories()}) == len(ids)


def test_search_scenarios_defeat_the_cache_but_keep_the_results() -> None:
    paths = scenarios.mixed_search_paths(count=400)
    prices = [float(parse_qs(urlsplit(path).query)["price_max"][0]) for path in paths]
    highest = max(v.price_minor for listing in dataset.listings(SMALL) for v in listing.variants)

    assert len(paths) == 400
    assert len(set(paths)) > 380  # nearly every request has its own cache key
    assert min(prices) * 100 > highest
    assert paths == scenarios.mixed_search_paths(count=400)
