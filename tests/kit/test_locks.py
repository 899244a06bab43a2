from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from mercato.kit.errors import Conflict
from mercato.kit.locks import (
    LockManager,
    LockNotAcquired,
    MemoryLockManager,
    RedisLockManager,
    build_lock_manager,
)


@pytest.fixture(params=["memory", "redis"])
def locks(request: pytest.FixtureRequest) -> LockManager:
    if request.param == "memory":
        return MemoryLockManager()
    redis_client: Redis = request.getfixturevalue("redis_client")
    return RedisLockManager(redis_client)


async def test_second_holder_waits_for_the_first(locks: LockManager) -> None:
    events: list[str] = []
    first_in, let_first_out = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with locks.lock("payouts", timeout_seconds=10, blocking_timeout=None):
            events.append("first in")
            first_in.set()
            await let_first_out.wait()
            events.append("first out")

    async def second() -> None:
        await first_in.wait()
        async with locks.lock("payouts", timeout_seconds=10, blocking_timeout=5):
            events.append("second in")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await first_in.wait()
    await asyncio.sleep(0.2)
    assert events == ["first in"]  # second is still waiting

    let_first_out.set()
    await asyncio.gather(*tasks)
    assert events == ["first in", "first out", "second in"]


async def test_waiting_past_blocking_timeout_raises(locks: LockManager) -> None:
    async with locks.lock("sweep", timeout_seconds=10, blocking_timeout=0):
        for blocking_timeout in (0, 0.2):
            with pytest.raises(LockNotAcquired) as raised:
                async with locks.lock(
                    "sweep", timeout_seconds=10, blocking_timeout=blocking_timeout
                ):
                    pytest.fail("acquired a lock that is held")
            assert isinstance(raised.value, Conflict)
            assert raised.value.status == 409
            assert "sweep" in raised.value.detail


async def test_lock_is_released_when_the_block_raises(locks: LockManager) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with locks.lock("job", timeout_seconds=10, blocking_timeout=0):
            raise RuntimeError("boom")
    async with locks.lock("job", timeout_seconds=10, blocking_timeout=0):
        pass


async def test_lock_is_released_when_the_holder_is_cancelled(locks: LockManager) -> None:
    holding = asyncio.Event()

    async def hold_forever() -> None:
        async with locks.lock("job", timeout_seconds=10, blocking_timeout=0):
            holding.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(hold_forever())
    await holding.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with locks.lock("job", timeout_seconds=10, blocking_timeout=0):
        pass


async def test_different_names_do_not_exclude_each_other(locks: LockManager) -> None:
    async with (
        locks.lock("order:1", timeout_seconds=10, blocking_timeout=0),
        locks.lock("order:2", timeout_seconds=10, blocking_timeout=0),
    ):
        pass


async def test_sequential_use_of_one_name(locks: LockManager) -> None:
    for _ in range(3):
        async with locks.lock("job", timeout_seconds=10, blocking_timeout=0):
            pass


@pytest.mark.parametrize(
    ("name", "timeout_seconds", "blocking_timeout"),
    [("", 10, 0), ("job", 0, 0), ("job", -1, None), ("job", 10, -0.5)],
)
def test_invalid_arguments_are_refused(
    locks: LockManager, name: str, timeout_seconds: float, blocking_timeout: float | None
) -> None:
    with pytest.raises(ValueError):
        locks.lock(name, timeout_seconds=timeout_seconds, blocking_timeout=blocking_timeout)


async def test_redis_lock_expires_when_its_holder_dies(redis_client: Redis) -> None:
    locks = RedisLockManager(redis_client)
    # Entering without ever exiting is what a crashed process leaves behind.
    await locks.lock("payouts", timeout_seconds=0.5, blocking_timeout=0).__aenter__()
    with pytest.raises(LockNotAcquired):
        async with locks.lock("payouts", timeout_seconds=10, blocking_timeout=0):
            pass

    loop = asyncio.get_running_loop()
    started = loop.time()
    async with locks.lock("payouts", timeout_seconds=10, blocking_timeout=3):
        waited = loop.time() - started
    assert 0.3 < waited < 3


async def test_redis_overrunning_holder_never_frees_the_next_holders_lock(
    redis_client: Redis,
) -> None:
    locks = RedisLockManager(redis_client)
    next_holder_in, overrunner_out = asyncio.Event(), asyncio.Event()

    async def overrun() -> None:
        async with locks.lock("job", timeout_seconds=0.3, blocking_timeout=0):
            await next_holder_in.wait()  # outlives its lease; "next" takes the lock meanwhile
        overrunner_out.set()

    async def take_over() -> None:
        async with locks.lock("job", timeout_seconds=10, blocking_timeout=3):
            next_holder_in.set()
            await overrunner_out.wait()
            # The overrunner's exit must not have released our lock.
            with pytest.raises(LockNotAcquired):
                async with locks.lock("job", timeout_seconds=10, blocking_timeout=0):
                    pass

    overrunner = asyncio.create_task(overrun())
    await asyncio.sleep(0.05)
    await asyncio.gather(overrunner, take_over())


async def test_redis_locks_are_shared_by_every_manager_on_the_server(redis_client: Redis) -> None:
    one, other = RedisLockManager(redis_client), RedisLockManager(redis_client)
    async with one.lock("job", timeout_seconds=10, blocking_timeout=0):
        with pytest.raises(LockNotAcquired):
            async with other.lock("job", timeout_seconds=10, blocking_timeout=0):
                pass


async def test_memory_locks_forget_idle_names() -> None:
    locks = MemoryLockManager()
    async with locks.lock("order:1", timeout_seconds=10, blocking_timeout=0):
        assert len(locks) == 1
        with pytest.raises(LockNotAcquired):
            async with locks.lock("order:1", timeout_seconds=10, blocking_timeout=0.05):
                pass
        assert len(locks) == 1

        waiter = asyncio.create_task(_hold(locks, "order:1"))
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert len(locks) == 0


async def _hold(locks: LockManager, name: str) -> None:
    async with locks.lock(name, timeout_seconds=10, blocking_timeout=None):
        pass


def test_build_lock_manager_without_redis_is_in_memory() -> None:
    assert isinstance(build_lock_manager(None), MemoryLockManager)


async def test_build_lock_manager_with_redis_uses_it(redis_client: Redis) -> None:
    assert isinstance(build_lock_manager(redis_client), RedisLockManager)
