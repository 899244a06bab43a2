"""Search results are cached briefly and retired by the next ListingChanged."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from mercato.catalog.events import ListingChanged
from mercato.kit import events
from mercato.kit.cache import MemoryCache, RedisCache
from mercato.search import handlers, service
from mercato.search.schemas import SearchQuery
from tests.conftest import REDIS_URL, require_service
from tests.search.support import document, index

pytestmark = pytest.mark.usefixtures("search_handlers")


@pytest.fixture
def search_handlers():
    """The handler registers itself when imported (the app does it at start)."""
    assert handlers.reindex_changed_listing in events.handlers_for(ListingChanged)


@pytest.fixture(params=["memory", "redis"])
async def cache(request, runtime):
    """The runtime's cache, in memory and in Redis (as in production)."""
    if request.param == "memory":
        runtime.cache = MemoryCache()
        yield runtime.cache
        return
    require_service("Redis", REDIS_URL)
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    runtime.cache = RedisCache(client)
    yield runtime.cache
    await client.flushdb()
    await client.aclose()


async def cached_search(runtime, cache, q: str):
    async with runtime.database.reading() as session:
        return await service.search(session, SearchQuery(q=q), cache=cache)


async def test_results_are_reused_until_a_listing_changes(runtime, cache):
    [mug] = await index(runtime.database, document("Blue mug"))
    assert (await cached_search(runtime, cache, "mug")).total == 1
    # Changed behind the cache's back (no event): the cached answer is still served.
    await index(runtime.database, mug.model_copy(update={"visible": False}))
    assert (await cached_search(runtime, cache, "mug")).total == 1
    # The catalog announces the change: the handler re-reads the listing (the catalog has no
    # such listing, so it leaves the index) and the cached results are retired.
    await events.publish(ListingChanged(mug.listing_id))
    assert (await cached_search(runtime, cache, "mug")).total == 0


async def test_a_new_listing_shows_up_in_a_search_cached_before_it(runtime, cache):
    await index(runtime.database, document("Blue mug"))
    assert (await cached_search(runtime, cache, "mug")).total == 1
    await service.invalidate_search_cache(cache)
    await index(runtime.database, document("Red mug"))
    assert (await cached_search(runtime, cache, "mug")).total == 2


async def test_an_unreadable_cache_entry_is_a_miss(runtime, cache):
    await index(runtime.database, document("Blue mug"))
    query = SearchQuery(q="mug")
    generation = await service.cache_generation(cache)
    await cache.set(f"search:{generation}:{query.cache_key()}", b"{not json", 30)
    assert (await cached_search(runtime, cache, "mug")).total == 1


def test_equal_searches_share_a_cache_key():
    one = SearchQuery(q="blue  mug", attributes={"colour": ["Red", "Blue"]}, sellers=[])
    two = SearchQuery(q="blue mug", attributes={"colour": ["Blue", "Red"]})
    assert one.cache_key() == two.cache_key()
    assert one.cache_key() != SearchQuery(q="blue mug", page=2).cache_key()
