"""Storefront use cases. Product pages (the listing with its seller's card) are cached for a
minute and dropped as soon as the listing changes (see :mod:`mercato.storefront.handlers`;
a seller's changes announce all their listings as changed); the home page is cached under the
search index's generation so it goes stale with it.

The cached price and stock are for display only. Checkout reads both from the catalog at the
moment of purchase (``catalog.service.get_variant_for_checkout``), never from these caches.
"""

from __future__ import annotations

import uuid

import structlog
from pydantic import BaseModel, ValidationError
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import PublicListing, VariantOut
from mercato.kit.cache import Cache
from mercato.kit.errors import NotFound
from mercato.kit.money import format_money
from mercato.reviews import service as reviews_service
from mercato.reviews.schemas import ReviewList
from mercato.search import service as search_service
from mercato.search.schemas import SearchQuery
from mercato.sellers import service as sellers_service
from mercato.storefront.schemas import (
    CategoryTile,
    HomePage,
    ListingCard,
    ProductCard,
    ProductPage,
    ShopPage,
)

log = structlog.get_logger(__name__)

PRODUCT_CACHE_SECONDS = 60
HOME_CACHE_SECONDS = 60
FEATURED_COUNT = 8
SHOP_PAGE_SIZE = 24
PRODUCT_REVIEWS = 10


def product_key(listing_id: uuid.UUID) -> str:
    # "card": the listing together with its seller (see ProductCard).
    return f"storefront:product-card:{listing_id}"


def reviews_key(listing_id: uuid.UUID) -> str:
    # The latest reviews as anyone not signed in sees them (no review is marked as theirs).
    return f"storefront:product-reviews:{listing_id}"


async def _cached(cache: Cache | None, key: str, model: type[BaseModel]) -> BaseModel | None:
    if cache is None:
        return None
    try:
        raw = await cache.get(key)
        return None if raw is None else model.model_validate_json(raw)
    except (RedisError, OSError, ValidationError):
        log.warning("storefront_cache_miss", key=key, exc_info=True)
        return None


async def _store(cache: Cache | None, key: str, value: BaseModel, ttl: int) -> None:
    if cache is None:
        return
    try:
        await cache.set(key, value.model_dump_json().encode(), ttl)
    except (RedisError, OSError):
        log.warning("storefront_cache_unavailable", key=key, exc_info=True)


async def forget_product(cache: Cache, listing_id: uuid.UUID) -> None:
    """Drop the cached product page of a listing that changed."""
    await _forget(cache, product_key(listing_id))


async def forget_reviews(cache: Cache, listing_id: uuid.UUID) -> None:
    """Drop the cached reviews of a listing whose reviews changed."""
    await _forget(cache, reviews_key(listing_id))


async def _forget(cache: Cache, key: str) -> None:
    try:
        await cache.delete(key)
    except (RedisError, OSError):
        log.warning("storefront_cache_unavailable", key=key, exc_info=True)


async def _product_card(
    session: AsyncSession, listing_id: uuid.UUID, cache: Cache | None
) -> ProductCard:
    """The listing and its seller's card; a warm cache answers without the database."""
    cached = await _cached(cache, product_key(listing_id), ProductCard)
    if isinstance(cached, ProductCard):
        return cached
    listing = await catalog_service.get_public_listing(session, listing_id)
    seller = await sellers_service.get_storefront(session, listing.seller_id)
    card = ProductCard(listing=listing, seller=seller)
    await _store(cache, product_key(listing_id), card, PRODUCT_CACHE_SECONDS)
    return card


async def _latest_reviews(
    session: AsyncSession, listing_id: uuid.UUID, viewer_id: uuid.UUID | None, cache: Cache | None
) -> ReviewList:
    """The listing's latest reviews with its rating. Anonymous visitors all see the same list,
    cached until a review of the listing is written, edited, answered or moderated; a
    signed-in viewer's list is read fresh, with their own review marked."""
    key = reviews_key(listing_id)
    if viewer_id is None:
        cached = await _cached(cache, key, ReviewList)
        if isinstance(cached, ReviewList):
            return cached
    reviews = await reviews_service.list_listing_reviews(
        session, listing_id, viewer_id=viewer_id, limit=PRODUCT_REVIEWS
    )
    if viewer_id is None:
        await _store(cache, key, reviews, PRODUCT_CACHE_SECONDS)
    return reviews


def _choose_variant(listing: PublicListing, variant_id: uuid.UUID | None) -> VariantOut | None:
    variants = listing.variants
    if variant_id is not None:
        for variant in variants:
            if variant.id == variant_id:
                return variant
        raise NotFound("No such variant of this listing.")
    in_stock = [variant for variant in variants if variant.stock > 0]
    choices = in_stock or variants
    return choices[0] if choices else None


async def get_product_page(
    session: AsyncSession,
    listing_id: uuid.UUID,
    *,
    variant_id: uuid.UUID | None = None,
    cache: Cache | None = None,
    with_reviews: bool = True,
    viewer_id: uuid.UUID | None = None,
) -> ProductPage:
    """A visible listing with its seller's card, the selected variant and (unless only the
    buy box is wanted) its latest reviews with the rating, ``viewer_id``'s own marked;
    NotFound otherwise."""
    card = await _product_card(session, listing_id, cache)
    reviews = await _latest_reviews(session, listing_id, viewer_id, cache) if with_reviews else None
    return ProductPage(
        listing=card.listing,
        seller=card.seller,
        variant=_choose_variant(card.listing, variant_id),
        reviews=reviews,
    )


async def get_home_page(session: AsyncSession, *, cache: Cache | None = None) -> HomePage:
    """Top-level categories with how many listings each holds, and featured listings."""
    key = None
    if cache is not None:
        key = f"storefront:home:{await search_service.cache_generation(cache)}"
        cached = await _cached(cache, key, HomePage)
        if isinstance(cached, HomePage):
            return cached
    tree = await catalog_service.list_categories_tree(session)
    counts = await search_service.count_by_top_category(session)
    categories = [
        CategoryTile(
            id=node.id,
            name=node.name,
            listings=counts.get(node.id, 0),
            children=[child.name for child in node.children][:4],
        )
        for node in tree
    ]
    home = HomePage(categories=categories, featured=await _featured(session))
    if key is not None:
        await _store(cache, key, home, HOME_CACHE_SECONDS)
    return home


async def _featured(session: AsyncSession) -> list[ListingCard]:
    listings = await catalog_service.list_featured_listings(session, FEATURED_COUNT)
    sellers = await sellers_service.get_storefronts(session, [item.seller_id for item in listings])
    return [
        ListingCard(
            listing_id=item.id,
            title=item.title,
            image_url=item.thumbnail_url,
            price_label=(
                format_money(item.price_min_minor, item.currency)
                if item.price_min_minor == item.price_max_minor
                else f"from {format_money(item.price_min_minor, item.currency)}"
            ),
            seller_id=item.seller_id,
            seller_name=sellers[item.seller_id].display_name if item.seller_id in sellers else None,
            in_stock=item.stock_total > 0,
        )
        for item in listings
    ]


async def get_shop_page(
    session: AsyncSession,
    seller_id: uuid.UUID,
    query: SearchQuery,
    *,
    cache: Cache | None = None,
) -> ShopPage:
    """A seller's shop: the storefront profile and their listings, searchable and faceted
    like the main search. NotFound unless the seller may sell."""
    seller = await sellers_service.get_public_storefront(session, seller_id)
    scoped = query.with_changes(sellers=[seller_id], limit=SHOP_PAGE_SIZE)
    results = await search_service.search(session, scoped, cache=cache)
    rating = await reviews_service.seller_rating(session, seller_id)
    return ShopPage(seller=seller, results=results, rating=rating)
