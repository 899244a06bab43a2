"""A byte cache with time-to-live: Redis when configured (shared by every process), otherwise a
bounded in-process LRU.

A cache holds only what can be recomputed: every caller must cope with a miss, so a value that
cannot be read back (corrupt JSON, a restart, an eviction) is simply a miss.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, Protocol, TypeAlias

from redis.asyncio import Redis

JsonDocument: TypeAlias = dict[str, Any] | list[Any]

DEFAULT_MAX_ENTRIES = 10_000
# SCAN's COUNT is a hint of keys examined per round trip, and UNLINK takes its keys in one command:
# 500 keeps both round trips cheap without stalling Redis on one huge command.
_PREFIX_BATCH = 500


class Cache(Protocol):
    """What every cache offers. ``ttl_seconds`` is required: nothing is cached forever.

    Implementations subclass this protocol explicitly to inherit the JSON helpers, which are
    written once on top of ``get``/``set``.
    """

    async def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or ``None`` if absent or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store ``value`` under ``key`` for ``ttl_seconds`` (a positive int)."""
        ...

    async def delete(self, *keys: str) -> None:
        """Remove ``keys``; missing ones are ignored."""
        ...

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every key starting with ``prefix``."""
        ...

    async def get_json(self, key: str) -> JsonDocument | None:
        """The JSON object or array stored under ``key``; ``None`` on a miss or unreadable value."""
        raw = await self.get(key)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict | list) else None

    async def set_json(self, key: str, value: JsonDocument, ttl_seconds: int) -> None:
        """Store a JSON object or array; raises if it holds something JSON cannot represent."""
        if not isinstance(value, dict | list):
            raise TypeError(f"set_json() stores a dict or list, not {type(value).__name__}")
        encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        await self.set(key, encoded.encode(), ttl_seconds)


def _check_ttl(ttl_seconds: int) -> None:
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds < 1:
        raise ValueError(f"ttl_seconds must be a positive int, got {ttl_seconds!r}")


class MemoryCache(Cache):
    """Process-local cache: TTL on the monotonic clock, least recently used entry evicted first.

    Expired entries are dropped when read, or pushed out by eviction; no sweeper task is needed
    because the size bound already caps memory.
    """

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or ``None`` if absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at <= time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store ``value`` for ``ttl_seconds``, evicting the least recently used entry if full."""
        _check_ttl(ttl_seconds)
        self._entries[key] = (bytes(value), time.monotonic() + ttl_seconds)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        """Remove ``keys``; missing ones are ignored."""
        for key in keys:
            self._entries.pop(key, None)

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every key starting with ``prefix``."""
        for key in [key for key in self._entries if key.startswith(prefix)]:
            del self._entries[key]


def _glob_escape(text: str) -> str:
    # SCAN MATCH is a glob: a literal "*", "?", "[" or "\" in the prefix must not act as a pattern.
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


class RedisCache(Cache):
    """Cache in Redis under ``namespace`` so ``delete_prefix`` never touches other data."""

    def __init__(self, redis: Redis, namespace: str = "mercato:cache:") -> None:
        self._redis = redis
        self._namespace = namespace

    async def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or ``None`` if absent or expired."""
        value = await self._redis.get(self._namespace + key)
        # A client built with decode_responses=True hands back str; the contract is bytes.
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store ``value`` for ``ttl_seconds``."""
        _check_ttl(ttl_seconds)
        await self._redis.set(self._namespace + key, value, ex=ttl_seconds)

    async def delete(self, *keys: str) -> None:
        """Remove ``keys``; missing ones are ignored."""
        if keys:
            await self._redis.unlink(*(self._namespace + key for key in keys))

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every key starting with ``prefix``, in batches so no single command blocks Redis.

        SCAN does not see a snapshot: a key written while this runs may survive, which is fine
        for invalidation that is triggered after the data changed.
        """
        pattern = _glob_escape(self._namespace + prefix) + "*"
        batch: list[bytes | str] = []
        async for key in self._redis.scan_iter(match=pattern, count=_PREFIX_BATCH):
            batch.append(key)
            if len(batch) >= _PREFIX_BATCH:
                await self._redis.unlink(*batch)
                batch = []
        if batch:
            await self._redis.unlink(*batch)


def build_cache(redis: Redis | None) -> Cache:
    """Redis-backed when a client is configured, so every process shares one cache; else memory."""
    return RedisCache(redis) if redis is not None else MemoryCache()


__all__ = [
    "DEFAULT_MAX_ENTRIES",
    "Cache",
    "JsonDocument",
    "MemoryCache",
    "RedisCache",
    "build_cache",
]
