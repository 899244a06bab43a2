"""Hand-built search documents and a small category tree, for testing the engine directly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from mercato.catalog.schemas import SearchDocument
from mercato.kit.db import Database
from mercato.search import service
from mercato.search.schemas import SearchQuery, SearchResults

HOME = uuid.UUID("00000000-0000-7000-8000-000000000001")
KITCHEN = uuid.UUID("00000000-0000-7000-8000-000000000002")
MUGS = uuid.UUID("00000000-0000-7000-8000-000000000003")
ELECTRONICS = uuid.UUID("00000000-0000-7000-8000-000000000004")
PHONES = uuid.UUID("00000000-0000-7000-8000-000000000005")
CATEGORIES = {
    HOME: ([HOME], ["Home"]),
    KITCHEN: ([KITCHEN, HOME], ["Home", "Kitchen"]),
    MUGS: ([MUGS, KITCHEN, HOME], ["Home", "Kitchen", "Mugs"]),
    ELECTRONICS: ([ELECTRONICS], ["Electronics"]),
    PHONES: ([PHONES, ELECTRONICS], ["Electronics", "Phones"]),
}
ATELIER = uuid.UUID("00000000-0000-7000-8000-0000000000a1")
NORDIC = uuid.UUID("00000000-0000-7000-8000-0000000000a2")
SELLER_NAMES = {ATELIER: "Atelier Lumière", NORDIC: "Nordic Outdoor Co."}
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def document(
    title: str,
    *,
    description: str = "",
    attributes: dict[str, str] | None = None,
    seller: uuid.UUID = ATELIER,
    category: uuid.UUID = MUGS,
    price: int = 1000,
    price_max: int | None = None,
    currency: str = "EUR",
    age_days: int = 0,
    in_stock: bool = True,
    visible: bool = True,
    listing_id: uuid.UUID | None = None,
) -> SearchDocument:
    ids, path = CATEGORIES[category]
    return SearchDocument(
        listing_id=listing_id or uuid.uuid4(),
        seller_id=seller,
        seller_name=SELLER_NAMES[seller],
        title=title,
        description=description,
        kind="goods",
        category_id=category,
        category_ids=ids,
        category_path=path,
        attributes=attributes or {},
        currency=currency,
        price_min_minor=price,
        price_max_minor=price if price_max is None else price_max,
        in_stock=in_stock,
        image_key=None,
        published_at=EPOCH - timedelta(days=age_days),
        visible=visible,
    )


async def index(database: Database, *documents: SearchDocument) -> list[SearchDocument]:
    async with database.transaction() as session:
        for item in documents:
            await service.index_listing(session, item, item.listing_id)
    return list(documents)


async def search(database: Database, **criteria: object) -> SearchResults:
    async with database.reading() as session:
        return await service.search(session, SearchQuery.model_validate(criteria))


def titles(results: SearchResults) -> list[str]:
    return [hit.title for hit in results.items]


def facet(results: SearchResults, name: str) -> dict[str, int]:
    for item in results.facets:
        if item.name == name:
            return {value.label: value.count for value in item.values}
    return {}
