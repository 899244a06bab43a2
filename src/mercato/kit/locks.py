"""Named mutual-exclusion locks: Redis when configured (held across every process and host),
otherwise process-local.

Use them to keep two workers from doing the same exclusive job at once (a payout run, a
scheduled sweep). They are not a substitute for database constraints: correctness of money still
rests on unique keys and transactions, a lock only avoids wasted or duplicated effort.

    async with locks.lock("payouts:run", timeout_seconds=60, blocking_timeout=0):
        ...
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.asyncio.lock import Lock as RedisLock
from redis.exceptions import LockError

from mercato.kit.errors import Conflict

log = structlog.get_logger(__name__)


class LockNotAcquired(Conflict):
    """Someone else held the lock for longer than the caller was willing to wait."""

    slug, title = "lock-not-acquired", "The resource is busy, try again shortly"


class LockManager(Protocol):
    def lock(
        self, name: str, *, timeout_seconds: float, blocking_timeout: float | None
    ) -> AbstractAsyncContextManager[None]:
        """An async context manager holding the lock ``name`` while its block runs.

        ``timeout_seconds`` bounds how long the lock is held: if the holder dies (or overruns),
        the lock frees itself after that long. ``blocking_timeout`` is how long to wait for it:
        ``0`` tries once, ``None`` waits for as long as it takes. Raises
        :class:`LockNotAcquired` when the wait runs out.
        """
        ...


def _check(name: str, timeout_seconds: float, blocking_timeout: float | None) -> None:
    if not name:
        raise ValueError("a lock needs a name")
    if timeout_seconds <= 0:
        raise ValueError(f"timeout_seconds must be positive, got {timeout_seconds}")
    if blocking_timeout is not None and blocking_timeout < 0:
        raise ValueError(f"blocking_timeout must not be negative, got {blocking_timeout}")


class _Slot:
    """One name's asyncio lock and how many tasks hold or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class MemoryLockManager:
    """Locks shared by the tasks of this process only, for the embedded single-process mode.

    ``timeout_seconds`` is validated but not enforced: a holder here cannot die without its
    process, and the lock is released when its block exits, even on error or cancellation.
    """

    def __init__(self) -> None:
        self._slots: dict[str, _Slot] = {}

    def lock(
        self, name: str, *, timeout_seconds: float, blocking_timeout: float | None
    ) -> AbstractAsyncContextManager[None]:
        """Hold ``name`` for the block; see :meth:`LockManager.lock`."""
        _check(name, timeout_seconds, blocking_timeout)
        return _MemoryHeldLock(self._slots, name, blocking_timeout)

    def __len__(self) -> int:
        """Names currently held or awaited (idle names are forgotten, so this stays small)."""
        return len(self._slots)


class _MemoryHeldLock:
    def __init__(self, slots: dict[str, _Slot], name: str, blocking_timeout: float | None) -> None:
        self._slots = slots
        self._name = name
        self._blocking_timeout = blocking_timeout
        self._slot: _Slot | None = None

    async def __aenter__(self) -> None:
        slot = self._slots.setdefault(self._name, _Slot())
        slot.users += 1
        try:
            async with asyncio.timeout(self._blocking_timeout):
                await slot.lock.acquire()
        except TimeoutError:
            self._leave(slot)
            raise LockNotAcquired(f"lock {self._name!r} is held by someone else") from None
        except BaseException:
            self._leave(slot)
            raise
        self._slot = slot

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        slot, self._slot = self._slot, None
        if slot is None:
            raise RuntimeError(f"lock {self._name!r} is not held by this block")
        slot.lock.release()
        self._leave(slot)

    def _leave(self, slot: _Slot) -> None:
        # Forget a name nobody holds or awaits, so one-off names (per order, per seller) do not
        # accumulate for the life of the process.
        slot.users -= 1
        if slot.users == 0:
            del self._slots[self._name]


class RedisLockManager:
    """Locks shared by every process using this Redis, built on redis-py's ``Lock``.

    The key expires after ``timeout_seconds``, so a crashed holder cannot block others forever;
    release is a compare-and-delete on a random token, so a holder whose lock already expired
    never frees someone else's.
    """

    def __init__(
        self, redis: Redis, *, namespace: str = "mercato:lock:", retry_interval: float = 0.05
    ) -> None:
        self._redis = redis
        self._namespace = namespace
        self._retry_interval = retry_interval

    def lock(
        self, name: str, *, timeout_seconds: float, blocking_timeout: float | None
    ) -> AbstractAsyncContextManager[None]:
        """Hold ``name`` for the block; see :meth:`LockManager.lock`."""
        _check(name, timeout_seconds, blocking_timeout)
        redis_lock = RedisLock(
            self._redis,
            self._namespace + name,
            timeout=timeout_seconds,
            sleep=self._retry_interval,
            blocking=True,
            blocking_timeout=blocking_timeout,
            # One Lock object per acquisition, so the token need not be kept per thread.
            thread_local=False,
        )
        return _RedisHeldLock(redis_lock, name)


class _RedisHeldLock:
    def __init__(self, redis_lock: RedisLock, name: str) -> None:
        self._lock = redis_lock
        self._name = name

    async def __aenter__(self) -> None:
        if not await self._lock.acquire():
            raise LockNotAcquired(f"lock {self._name!r} is held by someone else")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self._lock.release()
        except LockError:
            # The block outlived timeout_seconds and the lock expired (maybe someone else holds it
            # now). The work is done and cannot be undone here, so raising would only turn a
            # success into a failure; the warning tells the operator to raise the timeout.
            log.warning("lock.expired_before_release", lock=self._name)


def build_lock_manager(redis: Redis | None) -> LockManager:
    """Redis-backed when a client is configured, so every process shares the locks; else local."""
    return RedisLockManager(redis) if redis is not None else MemoryLockManager()


__all__ = [
    "LockManager",
    "LockNotAcquired",
    "MemoryLockManager",
    "RedisLockManager",
    "build_lock_manager",
]
