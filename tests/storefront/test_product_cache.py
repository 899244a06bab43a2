"""A warm product page is cache reads only: the listing and its seller's card are cached
together, and go stale together when the catalog announces the listing changed; the latest
reviews anonymous visitors see are cached until a review of the listing changes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mercato.catalog.events import ListingChanged
from mercato.kit import events
from mercato.kit.auth import Role
from mercato.kit.cache import MemoryCache
from mercato.reviews.events import ReviewEdited, ReviewHidden, ReviewPublished, ReviewReplied
from mercato.storefront import handlers, service
from tests.fixtures.accounts import create_user, login
from tests.fixtures.catalog import admit, create_listing, make_tree, mug


async def _viewed(runtime, listing_id: uuid.UUID) -> MemoryCache:
    """A cache the runtime's event handlers use, warmed by one anonymous product page view."""
    runtime.cache = cache = MemoryCache()
    async with runtime.database.reading() as session:
        await service.get_product_page(session, listing_id, cache=cache)
    return cache


class NoDatabase:
    """A session that fails any use: proves an answer came from the cache alone."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the database was used ({name})")


@pytest.fixture
async def listing(runtime, client) -> tuple[uuid.UUID, uuid.UUID]:
    """A published mug of an admitted seller: (listing id, seller id)."""
    tree = await make_tree(runtime)
    user_id = await create_user(runtime, "potter@example.com", Role.SELLER, "Potter")
    seller_id = await admit(runtime, user_id)
    headers = await login(client, "potter@example.com")
    created = await create_listing(client, headers, mug(tree.ceramics, title="Speckled mug"))
    published = await client.post(
        f"/api/v1/catalog/my/listings/{created['id']}/publish", headers=headers
    )
    assert published.status_code == 200, published.text
    return uuid.UUID(created["id"]), seller_id


async def test_a_warm_product_page_needs_no_database(runtime, listing):
    """The listing with its seller's card and, for an anonymous visitor, the reviews below it
    come from the cache alone."""
    listing_id, seller_id = listing
    cache = MemoryCache()
    async with runtime.database.reading() as session:
        cold = await service.get_product_page(session, listing_id, cache=cache)
    no_database: Any = NoDatabase()
    warm = await service.get_product_page(no_database, listing_id, cache=cache)
    buy_box = await service.get_product_page(
        no_database, listing_id, cache=cache, with_reviews=False
    )
    assert cold.reviews is not None and cold.reviews.summary.count == 0
    assert warm == cold
    assert buy_box == cold.model_copy(update={"reviews": None})
    assert warm.listing.title == "Speckled mug"
    assert warm.seller is not None
    assert warm.seller.seller_id == seller_id


async def test_a_changed_listing_drops_the_cached_page_with_its_seller(runtime, listing):
    assert handlers.forget_changed_product in events.handlers_for(ListingChanged)
    listing_id, _seller_id = listing
    cache = await _viewed(runtime, listing_id)
    assert await cache.get(service.product_key(listing_id)) is not None
    await events.publish(ListingChanged(listing_id))
    assert await cache.get(service.product_key(listing_id)) is None


async def test_a_signed_in_viewer_reads_the_reviews_fresh(runtime, listing):
    """Their own review is marked for them, so their list is never the shared one."""
    listing_id, _seller_id = listing
    cache = await _viewed(runtime, listing_id)
    no_database: Any = NoDatabase()
    with pytest.raises(AssertionError, match="the database was used"):
        await service.get_product_page(no_database, listing_id, cache=cache, viewer_id=uuid.uuid4())


@pytest.mark.parametrize("event_type", [ReviewPublished, ReviewEdited, ReviewHidden])
async def test_a_changed_review_drops_the_cached_reviews(runtime, listing, event_type):
    listing_id, seller_id = listing
    cache = await _viewed(runtime, listing_id)
    assert await cache.get(service.reviews_key(listing_id)) is not None
    rating = {"rating": 4, "previous_rating": 5} if event_type is ReviewEdited else {"rating": 4}
    ids = {"review_id": uuid.uuid4(), "order_id": uuid.uuid4()}
    await events.publish(event_type(listing_id=listing_id, seller_id=seller_id, **ids, **rating))
    assert await cache.get(service.reviews_key(listing_id)) is None
    assert await cache.get(service.product_key(listing_id)) is not None  # the card stays


async def test_a_seller_reply_drops_the_cached_reviews(runtime, listing):
    listing_id, seller_id = listing
    runtime.cache = cache = MemoryCache()
    await cache.set(service.reviews_key(listing_id), b"{}", 60)
    await events.publish(ReviewReplied(uuid.uuid4(), listing_id, seller_id))
    assert await cache.get(service.reviews_key(listing_id)) is None
