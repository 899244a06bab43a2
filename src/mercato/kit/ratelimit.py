"""Fixed-window counters for rate limits and brute-force protection.

Redis-backed when configured (shared by every web process), in memory otherwise.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True)
class WindowCount:
    count: int
    retry_after: int  # seconds until the window resets


class Counter(Protocol):
    async def increment(self, key: str, window_seconds: int) -> WindowCount: ...
    async def peek(self, key: str) -> WindowCount: ...
    async def clear(self, key: str) -> None: ...


class MemoryCounter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}

    async def increment(self, key: str, window_seconds: int) -> WindowCount:
        count, expires = self._live(key)
        if count == 0:
            expires = time.monotonic() + window_seconds
        self._windows[key] = (count + 1, expires)
        return WindowCount(count + 1, _seconds_until(expires))

    async def peek(self, key: str) -> WindowCount:
        count, expires = self._live(key)
        return WindowCount(count, _seconds_until(expires) if count else 0)

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)

    def _live(self, key: str) -> tuple[int, float]:
        count, expires = self._windows.get(key, (0, 0.0))
        if expires <= time.monotonic():
            return 0, 0.0
        return count, expires


def _seconds_until(deadline: float) -> int:
    return max(1, math.ceil(deadline - time.monotonic()))


class RedisCounter:
    def __init__(self, redis: Redis, prefix: str = "mercato:rl:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def increment(self, key: str, window_seconds: int) -> WindowCount:
        full = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(full)
            pipe.expire(full, window_seconds, nx=True)
            pipe.ttl(full)
            count, _, ttl = await pipe.execute()
        return WindowCount(int(count), max(1, int(ttl)))

    async def peek(self, key: str) -> WindowCount:
        full = self._prefix + key
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(full)
            pipe.ttl(full)
            raw, ttl = await pipe.execute()
        count = int(raw or 0)
        return WindowCount(count, max(1, int(ttl)) if count else 0)

    async def clear(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)
