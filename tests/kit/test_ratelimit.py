"""Fixed-window counters, in memory and on Redis."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from mercato.kit.ratelimit import MemoryCounter, RedisCounter
from tests.conftest import REDIS_URL, require_service


@pytest.fixture(params=["memory", "redis"])
async def counter(request):
    if request.param == "memory":
        yield MemoryCounter()
        return
    require_service("Redis", REDIS_URL)
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    yield RedisCounter(redis, prefix="test:rl:")
    await redis.flushdb()
    await redis.aclose()


async def test_counts_within_a_window(counter):
    assert (await counter.peek("k")).count == 0
    for expected in (1, 2, 3):
        window = await counter.increment("k", 60)
        assert window.count == expected
        assert 1 <= window.retry_after <= 60
    assert (await counter.peek("k")).count == 3
    assert (await counter.peek("other")).count == 0


async def test_clear_resets(counter):
    await counter.increment("k", 60)
    await counter.clear("k")
    assert (await counter.peek("k")).count == 0


async def test_window_expires(counter):
    import asyncio

    await counter.increment("short", 1)
    await asyncio.sleep(1.1)
    assert (await counter.peek("short")).count == 0
    assert (await counter.increment("short", 1)).count == 1
