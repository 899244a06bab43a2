"""A warm product page is one cache read: the listing and its seller's card are cached
together, and go stale together when the catalog announces the listing changed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mercato.catalog.events import ListingChanged
from mercato.kit import events
from mercato.kit.auth import Role
from mercato.kit.cache import MemoryCache
from mercato.storefront import handlers, service
from tests.fixtures.accounts import create_user, login
from tests.fixtures.catalog import admit, create_listing, make_tree, mug


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
    """The listing with its seller's card comes from the cache alone (the buy box swap reads
    nothing else); the reviews below it are read fresh on every full page."""
    listing_id, seller_id = listing
    cache = MemoryCache()
    async with runtime.database.reading() as session:
        cold = await service.get_product_page(session, listing_id, cache=cache)
    warm = await service.get_product_page(
        NoDatabase(),  # type: ignore[arg-type]
        listing_id,
        cache=cache,
        with_reviews=False,
    )
    assert cold.reviews is not None and cold.reviews.summary.count == 0
    assert warm == cold.model_copy(update={"reviews": None})
    assert warm.listing.title == "Speckled mug"
    assert warm.seller is not None
    assert warm.seller.seller_id == seller_id


async def test_a_changed_listing_drops_the_cached_page_with_its_seller(runtime, listing):
    assert handlers.forget_changed_product in events.handlers_for(ListingChanged)
    listing_id, _seller_id = listing
    cache = MemoryCache()
    runtime.cache = cache
    async with runtime.database.reading() as session:
        await service.get_product_page(session, listing_id, cache=cache)
    assert await cache.get(service.product_key(listing_id)) is not None
    await events.publish(ListingChanged(listing_id))
    assert await cache.get(service.product_key(listing_id)) is None
