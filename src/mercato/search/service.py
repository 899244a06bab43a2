"""Search use cases: keeping the index current, and searching it (with a short-lived cache).

The index holds only what buyers may see; it is refreshed from the catalog after every
``ListingChanged`` (see :mod:`mercato.search.handlers`). Search results are cached for a few
seconds under a *generation* token that every index change replaces, so a change is visible to
the next search at once. Prices shown in search are for browsing only: checkout reads price and
stock from the catalog itself, never from this index or a cache.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

import structlog
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import SearchDocument
from mercato.kit import clock
from mercato.kit.cache import Cache
from mercato.kit.money import CURRENCY_SYMBOLS
from mercato.reviews import service as reviews_service
from mercato.search import repository
from mercato.search.repository import Found
from mercato.search.repository._query import pages_for
from mercato.search.rules import (
    PRICE_BUCKETS,
    bucket_label,
    bucket_value,
    price_key,
)
from mercato.search.schemas import (
    CategoryCrumb,
    Facet,
    FacetValue,
    SearchHit,
    SearchQuery,
    SearchResults,
)

NO_RATING = (0, 0)

log = structlog.get_logger(__name__)

SEARCH_CACHE_SECONDS = 30
GENERATION_KEY = "search:generation"
# The generation outlives any cached result; if it is evicted, a new one simply starts.
GENERATION_SECONDS = 24 * 3600
MAX_CATEGORY_NAME = 200
MAX_ATTRIBUTE_VALUE = 200


# --- indexing ------------------------------------------------------------------------------


def _category_chain(document: SearchDocument) -> list[uuid.UUID]:
    """The category chain root first, whichever way round the catalog gave it."""
    chain = list(dict.fromkeys(document.category_ids)) or [document.category_id]
    if document.category_id not in chain:
        chain.append(document.category_id)
    if chain[-1] != document.category_id:
        # Given leaf first ("the category and its ancestors"): turn it root first.
        chain.reverse()
    return chain


def _category_rows(document: SearchDocument) -> list[dict[str, object]]:
    """Each category of the chain with its parent and depth, named from the path."""
    chain = _category_chain(document)
    names = list(document.category_path)[-len(chain) :]
    names = [""] * (len(chain) - len(names)) + names
    return [
        {
            "id": category_id,
            "parent_id": chain[depth - 1] if depth else None,
            "depth": depth,
            "name": names[depth][:MAX_CATEGORY_NAME],
        }
        for depth, category_id in enumerate(chain)
    ]


def _entry_values(document: SearchDocument) -> dict[str, object]:
    return {
        "listing_id": document.listing_id,
        "seller_id": document.seller_id,
        "seller_name": document.seller_name,
        "title": document.title,
        "description": document.description,
        "attributes_text": " ".join(document.attributes.values()),
        "attributes": dict(document.attributes),
        "kind": document.kind,
        "category_id": document.category_id,
        "category_ids": [str(category_id) for category_id in _category_chain(document)],
        "category_path": list(document.category_path),
        "currency": document.currency,
        "price_min_minor": document.price_min_minor,
        "price_max_minor": document.price_max_minor,
        "price_key": price_key(document.price_min_minor, document.currency),
        "in_stock": document.in_stock,
        "image_key": document.image_key,
        "published_at": document.published_at,
        "indexed_at": clock.now(),
    }


async def index_listing(
    session: AsyncSession,
    document: SearchDocument | None,
    listing_id: uuid.UUID,
    rating: tuple[int, int] = NO_RATING,
) -> bool:
    """Bring the index in line with the catalog for one listing: a visible listing is
    (re)written, anything else — gone, unpublished, hidden, seller suspended — is removed.
    ``rating`` is its (published reviews, average in tenths of a star). Returns whether the
    listing is now searchable. Flushes; the caller commits."""
    if document is None or not document.visible:
        await repository.delete_entry(session, listing_id)
        return False
    if document.listing_id != listing_id:
        raise ValueError(f"document of {document.listing_id} given for listing {listing_id}")
    attributes = [
        {"code": code[:64], "value": value[:MAX_ATTRIBUTE_VALUE]}
        for code, value in document.attributes.items()
        if value.strip()
    ]
    values = _entry_values(document)
    values["rating_count"], values["rating_tenths"] = rating
    await repository.upsert_entry(session, values, _category_rows(document), attributes)
    return True


async def reindex_listing(session: AsyncSession, listing_id: uuid.UUID) -> bool:
    """Re-read one listing from the catalog and index it (or drop it). Returns whether it is
    searchable now."""
    document = await catalog_service.search_document(session, listing_id)
    ratings = await reviews_service.listing_ratings(session, [listing_id])
    return await index_listing(session, document, listing_id, ratings.get(listing_id, NO_RATING))


async def reindex_listings(session: AsyncSession, listing_ids: Sequence[uuid.UUID]) -> int:
    """:func:`reindex_listing` for many listings, reading the catalog in one pass. Returns how
    many are searchable."""
    documents = {
        document.listing_id: document
        for document in await catalog_service.search_documents(session, listing_ids)
    }
    ratings = await reviews_service.listing_ratings(session, listing_ids)
    searchable = 0
    for listing_id in listing_ids:
        rating = ratings.get(listing_id, NO_RATING)
        searchable += await index_listing(session, documents.get(listing_id), listing_id, rating)
    return searchable


async def refresh_listing_rating(session: AsyncSession, listing_id: uuid.UUID) -> bool:
    """Copy the listing's current rating from the reviews into its index entry (after a
    review is published or hidden). Returns whether the listing is indexed."""
    ratings = await reviews_service.listing_ratings(session, [listing_id])
    count, tenths = ratings.get(listing_id, NO_RATING)
    return await repository.set_rating(session, listing_id, count, tenths)


async def set_seller_suppressed(
    session: AsyncSession, seller_id: uuid.UUID, suppressed: bool
) -> bool:
    """Keep the seller's listings out of search results and facets (or bring them back), as
    its performance standing decides; False when it already was so."""
    return await repository.set_seller_suppressed(session, seller_id, suppressed, clock.now())


async def indexed_listing_ids(session: AsyncSession) -> list[uuid.UUID]:
    return await repository.list_indexed_listing_ids(session)


async def count_by_top_category(session: AsyncSession) -> dict[uuid.UUID, int]:
    """How many searchable listings each top-level category holds."""
    return await repository.count_by_top_category(session)


async def rebuild_vocabulary(session: AsyncSession) -> None:
    """Rebuild the words typo correction chooses from (after a full re-index)."""
    await repository.rebuild_vocabulary(session)


# --- cache ---------------------------------------------------------------------------------


async def _cache_get(cache: Cache, key: str) -> bytes | None:
    try:
        return await cache.get(key)
    except (RedisError, OSError):
        # The cache only ever speeds things up: when it is down, compute.
        log.warning("search_cache_unavailable", exc_info=True)
        return None


async def _cache_set(cache: Cache, key: str, value: bytes, ttl: int) -> None:
    try:
        await cache.set(key, value, ttl)
    except (RedisError, OSError):
        log.warning("search_cache_unavailable", exc_info=True)


async def _generation(cache: Cache) -> str:
    current = await _cache_get(cache, GENERATION_KEY)
    if current:
        return current.decode()
    token = secrets.token_hex(8)
    await _cache_set(cache, GENERATION_KEY, token.encode(), GENERATION_SECONDS)
    return token


async def invalidate_search_cache(cache: Cache) -> None:
    """Make every cached search result unreachable (they expire on their own shortly)."""
    await _cache_set(cache, GENERATION_KEY, secrets.token_hex(8).encode(), GENERATION_SECONDS)


async def cache_generation(cache: Cache) -> str:
    """The current generation, for other caches of data derived from the index (the
    storefront's pages) to key on so they go stale together."""
    return await _generation(cache)


# --- searching -----------------------------------------------------------------------------


async def search(
    session: AsyncSession, query: SearchQuery, *, cache: Cache | None = None
) -> SearchResults:
    """Listings matching ``query``, one page of them, and facet counts computed with every
    other filter applied. With ``cache``, results are reused for a few seconds and dropped as
    soon as any listing changes."""
    if cache is None:
        return await _found(session, query)
    key = f"search:{await _generation(cache)}:{query.cache_key()}"
    cached = await _cache_get(cache, key)
    if cached is not None:
        try:
            return SearchResults.model_validate_json(cached)
        except ValidationError:
            pass
    results = await _found(session, query)
    await _cache_set(cache, key, results.model_dump_json().encode(), SEARCH_CACHE_SECONDS)
    return results


async def _found(session: AsyncSession, query: SearchQuery) -> SearchResults:
    found = await repository.find(session, query)
    keys = [row.image_key for row in found.rows if row.image_key]
    return _results(query, found, await catalog_service.image_alt_texts(session, keys))


def _results(query: SearchQuery, found: Found, alt_texts: dict[str, str]) -> SearchResults:
    return SearchResults(
        query=query,
        items=[
            SearchHit(
                listing_id=row.listing_id,
                seller_id=row.seller_id,
                seller_name=row.seller_name,
                title=row.title,
                kind=row.kind,  # type: ignore[arg-type]
                category_id=row.category_id,
                category_path=list(row.category_path),
                attributes=dict(row.attributes),
                currency=row.currency,
                price_min_minor=row.price_min_minor,
                price_max_minor=row.price_max_minor,
                in_stock=row.in_stock,
                image_key=row.image_key,
                image_url=catalog_service.image_url(row.image_key) if row.image_key else None,
                image_alt=alt_texts.get(row.image_key) if row.image_key else None,
                published_at=row.published_at,
                rating_count=row.rating_count,
                rating_tenths=row.rating_tenths,
            )
            for row in found.rows
        ],
        total=found.total,
        page=query.page,
        limit=query.limit,
        pages=pages_for(found.total, query.limit),
        facets=_facets(query, found),
        category_path=[CategoryCrumb(id=cid, name=name) for cid, name in found.category_path],
        corrected_query=found.corrected_query,
        fuzzy=found.fuzzy,
    )


def _rating_facet(query: SearchQuery, found: Found) -> Facet:
    return Facet(
        name="rating",
        label="Customer rating",
        values=[
            FacetValue(
                value=str(stars),
                label=f"{stars}★ & up",
                count=count,
                selected=query.rating_min == stars,
            )
            for stars, count in sorted(found.ratings.items(), reverse=True)
        ],
    )


def attribute_label(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").strip().capitalize()


def _facets(query: SearchQuery, found: Found) -> list[Facet]:
    facets: list[Facet] = []
    if found.categories:
        facets.append(
            Facet(
                name="category",
                label="Category",
                values=[
                    FacetValue(value=c.value, label=c.label, count=c.count)
                    for c in found.categories
                ],
            )
        )
    symbol = CURRENCY_SYMBOLS.get(found.currencies[0], "") if len(found.currencies) == 1 else ""
    selected_price = (
        f"{query.price_min.normalize():f}" if query.price_min is not None else "0",
        f"{query.price_max.normalize():f}" if query.price_max is not None else "",
    )
    price_values = []
    counts = {facet.value: facet.count for facet in found.prices}
    for low, high in PRICE_BUCKETS:
        value = bucket_value(low, high)
        if value in counts:
            price_values.append(
                FacetValue(
                    value=value,
                    label=bucket_label(low, high, symbol.strip()),
                    count=counts[value],
                    selected=selected_price == (str(low), "" if high is None else str(high)),
                )
            )
    if price_values:
        facets.append(Facet(name="price", label="Price", values=price_values))
    if found.ratings:
        facets.append(_rating_facet(query, found))
    for code, values in found.attributes.items():
        chosen = set(query.attributes.get(code, []))
        facets.append(
            Facet(
                name=f"attr.{code}",
                label=attribute_label(code),
                values=[
                    FacetValue(
                        value=v.value, label=v.label, count=v.count, selected=v.value in chosen
                    )
                    for v in values
                ],
            )
        )
    if found.sellers:
        chosen_sellers = {str(seller) for seller in query.sellers}
        facets.append(
            Facet(
                name="seller",
                label="Seller",
                values=[
                    FacetValue(
                        value=s.value,
                        label=s.label,
                        count=s.count,
                        selected=s.value in chosen_sellers,
                    )
                    for s in found.sellers
                ],
            )
        )
    return facets
