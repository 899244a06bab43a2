from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from mercato.kit.cache import Cache, MemoryCache, RedisCache, build_cache
from tests.conftest import REDIS_URL


@pytest.fixture(params=["memory", "redis"])
def cache(request: pytest.FixtureRequest) -> Cache:
    if request.param == "memory":
        return MemoryCache()
    redis_client: Redis = request.getfixturevalue("redis_client")
    return RedisCache(redis_client)


async def test_get_of_missing_key_is_none(cache: Cache) -> None:
    assert await cache.get("absent") is None


async def test_set_then_get(cache: Cache) -> None:
    await cache.set("product:1", b"\x00binary\xff", ttl_seconds=60)
    assert await cache.get("product:1") == b"\x00binary\xff"


async def test_set_overwrites(cache: Cache) -> None:
    await cache.set("k", b"old", ttl_seconds=60)
    await cache.set("k", b"new", ttl_seconds=60)
    assert await cache.get("k") == b"new"


async def test_value_expires_after_ttl(cache: Cache) -> None:
    await cache.set("short", b"v", ttl_seconds=1)
    await cache.set("long", b"v", ttl_seconds=60)
    await asyncio.sleep(1.1)
    assert await cache.get("short") is None
    assert await cache.get("long") == b"v"


@pytest.mark.parametrize("ttl", [0, -1, True])
async def test_ttl_must_be_a_positive_int(cache: Cache, ttl: int) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        await cache.set("k", b"v", ttl_seconds=ttl)
    assert await cache.get("k") is None


async def test_delete_removes_only_the_given_keys(cache: Cache) -> None:
    for key in ("a", "b", "c"):
        await cache.set(key, key.encode(), ttl_seconds=60)
    await cache.delete("a", "b", "missing")
    await cache.delete()
    assert await cache.get("a") is None
    assert await cache.get("b") is None
    assert await cache.get("c") == b"c"


async def test_delete_prefix_removes_only_that_prefix(cache: Cache) -> None:
    keys = [f"catalog:product:{i}" for i in range(1_234)]  # several SCAN/UNLINK batches
    for key in keys:
        await cache.set(key, b"p", ttl_seconds=60)
    await cache.set("catalog:productive", b"keep-ish", ttl_seconds=60)
    await cache.set("catalog:category:1", b"c", ttl_seconds=60)
    await cache.set("xcatalog:product:1", b"x", ttl_seconds=60)
    await cache.set("catalog:product", b"exact", ttl_seconds=60)

    await cache.delete_prefix("catalog:product:")

    for key in keys:
        assert await cache.get(key) is None
    assert await cache.get("catalog:productive") == b"keep-ish"
    assert await cache.get("catalog:category:1") == b"c"
    assert await cache.get("xcatalog:product:1") == b"x"
    assert await cache.get("catalog:product") == b"exact"


async def test_delete_prefix_treats_glob_characters_literally(cache: Cache) -> None:
    await cache.set("a*:1", b"star", ttl_seconds=60)
    await cache.set("ab:1", b"other", ttl_seconds=60)
    await cache.set("a?[x]\\:1", b"odd", ttl_seconds=60)
    await cache.set("aZ[x]\\:1", b"other", ttl_seconds=60)

    await cache.delete_prefix("a*")
    await cache.delete_prefix("a?[x]\\")

    assert await cache.get("a*:1") is None
    assert await cache.get("a?[x]\\:1") is None
    assert await cache.get("ab:1") == b"other"
    assert await cache.get("aZ[x]\\:1") == b"other"


async def test_json_helpers_round_trip(cache: Cache) -> None:
    document = {"name": "Café crème", "price_minor": 350, "tags": ["hot", None, True], "n": 1.5}
    await cache.set_json("doc", document, ttl_seconds=60)
    await cache.set_json("list", [1, "two", {"three": 3}], ttl_seconds=60)
    assert await cache.get_json("doc") == document
    assert await cache.get_json("list") == [1, "two", {"three": 3}]
    assert await cache.get("list") == b'[1,"two",{"three":3}]'
    assert await cache.get_json("missing") is None


async def test_get_json_treats_unreadable_values_as_a_miss(cache: Cache) -> None:
    await cache.set("garbage", b"{not json", ttl_seconds=60)
    await cache.set("scalar", b"42", ttl_seconds=60)
    await cache.set("latin1", b"\xff\xfe", ttl_seconds=60)
    assert await cache.get_json("garbage") is None
    assert await cache.get_json("scalar") is None
    assert await cache.get_json("latin1") is None


async def test_set_json_refuses_what_json_cannot_hold(cache: Cache) -> None:
    with pytest.raises(TypeError):
        await cache.set_json("k", {"when": object()}, ttl_seconds=60)
    with pytest.raises(TypeError):
        await cache.set_json("k", "a string", ttl_seconds=60)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="JSON"):
        await cache.set_json("k", [float("nan")], ttl_seconds=60)
    assert await cache.get("k") is None


async def test_redis_cache_keeps_its_keys_in_its_namespace(redis_client: Redis) -> None:
    await redis_client.set("foreign:product:1", b"not ours")
    cache = RedisCache(redis_client, namespace="shop:")
    await cache.set("product:1", b"ours", ttl_seconds=60)

    assert await redis_client.get("shop:product:1") == b"ours"
    await cache.delete_prefix("")
    assert await redis_client.get("shop:product:1") is None
    assert await redis_client.get("foreign:product:1") == b"not ours"


async def test_redis_cache_sets_the_ttl_on_the_key(redis_client: Redis) -> None:
    await RedisCache(redis_client).set("k", b"v", ttl_seconds=30)
    assert 0 < await redis_client.ttl("mercato:cache:k") <= 30


async def test_redis_cache_returns_bytes_from_a_decoding_client(redis_client: Redis) -> None:
    await RedisCache(redis_client).set("k", "é".encode(), ttl_seconds=60)
    decoding = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        assert await RedisCache(decoding).get("k") == "é".encode()
    finally:
        await decoding.aclose()


async def test_memory_cache_evicts_least_recently_used() -> None:
    cache = MemoryCache(max_entries=3)
    for key in ("a", "b", "c"):
        await cache.set(key, key.encode(), ttl_seconds=60)
    assert await cache.get("a") == b"a"  # "a" is now the most recently used; "b" the least

    await cache.set("d", b"d", ttl_seconds=60)

    assert len(cache) == 3
    assert await cache.get("b") is None
    assert await cache.get("a") == b"a"
    assert await cache.get("c") == b"c"
    assert await cache.get("d") == b"d"


async def test_memory_cache_overwrite_refreshes_recency_without_growing() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", b"1", ttl_seconds=60)
    await cache.set("b", b"1", ttl_seconds=60)
    await cache.set("a", b"2", ttl_seconds=60)
    await cache.set("c", b"1", ttl_seconds=60)
    assert len(cache) == 2
    assert await cache.get("b") is None
    assert await cache.get("a") == b"2"


async def test_memory_cache_default_bound() -> None:
    cache = MemoryCache()
    for i in range(10_001):
        await cache.set(str(i), b"", ttl_seconds=60)
    assert len(cache) == 10_000
    assert await cache.get("0") is None
    assert await cache.get("10000") == b""


def test_memory_cache_needs_room_for_one_entry() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        MemoryCache(max_entries=0)


def test_build_cache_without_redis_is_in_memory() -> None:
    assert isinstance(build_cache(None), MemoryCache)


async def test_build_cache_with_redis_uses_it(redis_client: Redis) -> None:
    assert isinstance(build_cache(redis_client), RedisCache)
