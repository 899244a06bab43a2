"""Periodic jobs: enqueued once per interval, never before, and once across many schedulers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from mercato.kit import jobs
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.kit.scheduler import (
    MemoryRunClaims,
    PeriodicJob,
    RedisRunClaims,
    RunClaims,
    Scheduler,
    build_run_claims,
    periodic,
    periodic_jobs,
)

MINUTELY = PeriodicJob("tests.minutely", timedelta(minutes=1))
HOURLY = PeriodicJob("tests.hourly", timedelta(hours=1))

sweeps: list[str] = []


@periodic("tests.sweep_things", every=timedelta(minutes=5))
async def sweep_things() -> None:
    sweeps.append("swept")


class RecordingBackend:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, name: str, kwargs: dict[str, Any]) -> None:
        assert kwargs == {}
        self.sent.append(name)


class FailingOnceBackend(RecordingBackend):
    def __init__(self) -> None:
        super().__init__()
        self.failures_left = 1

    async def send(self, name: str, kwargs: dict[str, Any]) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("queue unreachable")
        await super().send(name, kwargs)


@pytest.fixture(params=["memory", "redis"])
def claims(request: pytest.FixtureRequest) -> RunClaims:
    if request.param == "memory":
        return MemoryRunClaims()
    redis_client: Redis = request.getfixturevalue("redis_client")
    return RedisRunClaims(redis_client)


def test_a_periodic_job_is_also_a_normal_job() -> None:
    assert periodic_jobs()["tests.sweep_things"] == PeriodicJob(
        "tests.sweep_things", timedelta(minutes=5)
    )
    assert jobs.registered_jobs()["tests.sweep_things"] is sweep_things


def test_registering_a_name_again_with_another_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        periodic("tests.sweep_things", every=timedelta(minutes=1))(sweep_things)


def test_intervals_shorter_than_a_second_are_refused() -> None:
    with pytest.raises(ValueError, match="at most once a second"):
        periodic("tests.too_often", every=timedelta(milliseconds=500))


def test_slots_are_aligned_on_the_epoch_so_every_process_agrees() -> None:
    noon = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert MINUTELY.slot_at(noon) == MINUTELY.slot_at(noon + timedelta(seconds=59))
    assert MINUTELY.slot_at(noon + timedelta(minutes=1)) == MINUTELY.slot_at(noon) + 1
    assert MINUTELY.slot_at(noon - timedelta(microseconds=1)) == MINUTELY.slot_at(noon) - 1


async def test_due_jobs_are_enqueued_once_per_interval_and_not_before(
    claims: RunClaims, frozen_clock: FrozenClock
) -> None:
    backend = RecordingBackend()
    scheduler = Scheduler(claims, backend=backend, jobs=[MINUTELY, HOURLY])

    assert await scheduler.tick() == ["tests.minutely", "tests.hourly"]  # the current slot runs
    assert await scheduler.tick() == []
    frozen_clock.advance(timedelta(seconds=59))
    assert await scheduler.tick() == []  # not before the interval has passed
    frozen_clock.advance(timedelta(seconds=1))
    assert await scheduler.tick() == ["tests.minutely"]
    assert await scheduler.tick() == []
    frozen_clock.advance(timedelta(minutes=59))
    assert await scheduler.tick() == ["tests.minutely", "tests.hourly"]

    assert backend.sent == [
        "tests.minutely",
        "tests.hourly",
        "tests.minutely",
        "tests.minutely",
        "tests.hourly",
    ]


async def test_missed_slots_collapse_into_one_run(
    claims: RunClaims, frozen_clock: FrozenClock
) -> None:
    backend = RecordingBackend()
    scheduler = Scheduler(claims, backend=backend, jobs=[MINUTELY])
    await scheduler.tick()

    frozen_clock.advance(timedelta(minutes=10))  # the process was paused for ten slots

    assert await scheduler.tick() == ["tests.minutely"]
    assert backend.sent == ["tests.minutely", "tests.minutely"]


async def test_two_schedulers_on_redis_enqueue_each_run_once(
    redis_client: Redis, frozen_clock: FrozenClock
) -> None:
    backend = RecordingBackend()
    schedulers = [
        Scheduler(RedisRunClaims(redis_client), backend=backend, jobs=[MINUTELY, HOURLY])
        for _ in range(2)
    ]

    for _ in range(3):
        await asyncio.gather(*(scheduler.tick() for scheduler in schedulers))
        frozen_clock.advance(timedelta(seconds=30))
    # 90 s have passed from noon: slots 12:00 and 12:01 of the minutely job, 12:00 of the hourly.
    assert sorted(backend.sent) == ["tests.hourly", "tests.minutely", "tests.minutely"]


async def test_a_scheduler_started_later_does_not_repeat_a_run_already_claimed(
    redis_client: Redis, frozen_clock: FrozenClock
) -> None:
    backend = RecordingBackend()
    await Scheduler(RedisRunClaims(redis_client), backend=backend, jobs=[HOURLY]).tick()
    frozen_clock.advance(timedelta(minutes=30))

    restarted = Scheduler(RedisRunClaims(redis_client), backend=backend, jobs=[HOURLY])

    assert await restarted.tick() == []
    assert backend.sent == ["tests.hourly"]


async def test_redis_claims_expire_after_the_slot_plus_a_skew_allowance(
    redis_client: Redis, frozen_clock: FrozenClock
) -> None:
    await Scheduler(
        RedisRunClaims(redis_client), backend=RecordingBackend(), jobs=[MINUTELY]
    ).tick()

    keys = await redis_client.keys("mercato:scheduler:tests.minutely:*")
    assert len(keys) == 1
    ttl_ms = await redis_client.pttl(keys[0])
    assert timedelta(minutes=1) < timedelta(milliseconds=ttl_ms) <= timedelta(minutes=2)


async def test_a_failed_enqueue_is_released_and_retried_on_the_next_tick(
    claims: RunClaims, frozen_clock: FrozenClock
) -> None:
    backend = FailingOnceBackend()
    scheduler = Scheduler(claims, backend=backend, jobs=[MINUTELY, HOURLY])

    assert await scheduler.tick() == ["tests.hourly"]  # the minutely send failed, hourly went on
    assert await scheduler.tick() == ["tests.minutely"]
    assert backend.sent == ["tests.hourly", "tests.minutely"]


async def test_scheduler_runs_registered_jobs_on_the_current_backend(
    runtime: Runtime, frozen_clock: FrozenClock
) -> None:
    sweeps.clear()
    # The runtime fixture installed an eager in-process backend: the job runs inside the tick.
    scheduler = Scheduler(MemoryRunClaims(), jobs=[periodic_jobs()["tests.sweep_things"]])

    await scheduler.tick()
    frozen_clock.advance(timedelta(minutes=5))
    await scheduler.tick()

    assert sweeps == ["swept", "swept"]


async def test_run_ticks_until_stopped(frozen_clock: FrozenClock) -> None:
    backend = RecordingBackend()
    scheduler = Scheduler(MemoryRunClaims(), backend=backend, jobs=[MINUTELY], poll_seconds=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))

    await asyncio.sleep(0.05)
    frozen_clock.advance(timedelta(minutes=1))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=1)

    assert backend.sent == ["tests.minutely", "tests.minutely"]


async def test_claims_follow_the_configuration(redis_client: Redis) -> None:
    assert isinstance(build_run_claims(None), MemoryRunClaims)
    assert isinstance(build_run_claims(redis_client), RedisRunClaims)
