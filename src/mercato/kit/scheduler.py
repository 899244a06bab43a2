"""Periodic jobs and the scheduler loop that enqueues them.

A periodic job is a normal job (see :mod:`mercato.kit.jobs`) that takes no arguments and is also
enqueued every ``every``::

    @periodic("payouts.run_payouts", every=timedelta(hours=1))
    async def run_payouts() -> None: ...

Time is cut into slots aligned on the Unix epoch, so every scheduler process, on any host, agrees
on when slot *n* of a job starts without talking to the others. A run is due when the clock has
entered a slot that was not enqueued yet; a scheduler that was down or fell behind enqueues the
current slot once rather than replaying the missed ones. Before enqueuing, a scheduler claims
``<job>:<slot>``: in Redis (``SET NX`` with an expiry) when configured, so any number of schedulers
enqueue each run once, or in memory for the single embedded process.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import structlog
from redis.asyncio import Redis

from mercato.kit import clock
from mercato.kit.jobs import JobBackend, JobFunction, current_backend, job

log = structlog.get_logger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SHORTEST_INTERVAL = timedelta(seconds=1)
# Claims outlive their slot by this much, so a scheduler whose clock lags behind the one that
# claimed the slot still finds the claim instead of enqueuing the run a second time.
CLOCK_SKEW_ALLOWANCE = timedelta(minutes=1)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta

    def slot_at(self, moment: datetime) -> int:
        """The number of the slot ``moment`` falls in (slots are aligned on the Unix epoch)."""
        return (moment - EPOCH) // self.every


_periodic: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: timedelta) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated coroutine function as job ``name``, run once per ``every``."""
    if every < SHORTEST_INTERVAL:
        raise ValueError(f"periodic job {name!r} must run at most once a second, got {every}")

    def register(function: JobFunction) -> JobFunction:
        existing = _periodic.get(name)
        if existing is not None and existing.every != every:
            raise ValueError(f"periodic job {name!r} is already registered every {existing.every}")
        job(name)(function)
        _periodic[name] = PeriodicJob(name, every)
        return function

    return register


def periodic_jobs() -> dict[str, PeriodicJob]:
    return dict(_periodic)


class RunClaims(Protocol):
    """Who enqueues a run: the first scheduler to claim its key."""

    async def claim(self, key: str, ttl: timedelta) -> bool:
        """True when this caller is the first to claim ``key`` (held for ``ttl``)."""
        ...

    async def release(self, key: str) -> None:
        """Give up ``key`` so the run can be claimed again (its enqueue failed)."""
        ...


class MemoryRunClaims:
    """Claims shared by the schedulers of this process only (embedded mode)."""

    def __init__(self) -> None:
        self._expiry: dict[str, datetime] = {}

    async def claim(self, key: str, ttl: timedelta) -> bool:
        now = clock.now()
        # Forget expired claims so the dict holds only the current slot of each job.
        self._expiry = {k: expiry for k, expiry in self._expiry.items() if expiry > now}
        if key in self._expiry:
            return False
        self._expiry[key] = now + ttl
        return True

    async def release(self, key: str) -> None:
        self._expiry.pop(key, None)


class RedisRunClaims:
    """Claims shared by every scheduler using this Redis: ``SET key owner NX PX ttl``."""

    def __init__(self, redis: Redis, *, namespace: str = "mercato:scheduler:") -> None:
        self._redis = redis
        self._namespace = namespace
        # Stored as the value so an operator inspecting Redis sees which scheduler ran what.
        self._owner = f"{socket.gethostname()}:{os.getpid()}"

    async def claim(self, key: str, ttl: timedelta) -> bool:
        milliseconds = max(1, int(ttl.total_seconds() * 1000))
        claimed = await self._redis.set(
            self._namespace + key, self._owner, nx=True, px=milliseconds
        )
        return bool(claimed)

    async def release(self, key: str) -> None:
        # The key names one slot of one job and we claimed it moments ago, so nobody else can
        # hold it: a plain DEL is enough.
        await self._redis.delete(self._namespace + key)


def build_run_claims(redis: Redis | None) -> RunClaims:
    """Redis claims when Redis is configured (many schedulers), else process-local ones."""
    return RedisRunClaims(redis) if redis is not None else MemoryRunClaims()


class Scheduler:
    """Enqueues each periodic job once per slot on the job backend.

    ``backend`` defaults to the process's current backend at the moment of sending; ``jobs``
    defaults to every registered periodic job, read on each tick.
    """

    def __init__(
        self,
        claims: RunClaims,
        *,
        backend: JobBackend | None = None,
        jobs: Sequence[PeriodicJob] | None = None,
        poll_seconds: float = 1.0,
    ) -> None:
        self.claims = claims
        self.poll_seconds = poll_seconds
        self._backend = backend
        self._jobs = jobs
        self._enqueued_slot: dict[str, int] = {}

    async def tick(self) -> list[str]:
        """Enqueue every job whose current slot has not run yet; returns the names enqueued."""
        now = clock.now()
        jobs = self._jobs if self._jobs is not None else list(_periodic.values())
        enqueued = []
        for periodic_job in jobs:
            try:
                if await self._enqueue_if_due(periodic_job, now):
                    enqueued.append(periodic_job.name)
            except Exception:
                # One job's failure (Redis hiccup, queue down) must not stop the others; the
                # slot is not marked done, so the next tick tries again.
                log.exception("scheduler.enqueue_failed", job=periodic_job.name)
        return enqueued

    async def run(self, stop: asyncio.Event) -> None:
        """Tick every ``poll_seconds`` until ``stop`` is set."""
        log.info("scheduler.started", poll_seconds=self.poll_seconds)
        while not stop.is_set():
            await self.tick()
            try:
                async with asyncio.timeout(self.poll_seconds):
                    await stop.wait()
            except TimeoutError:
                pass
        log.info("scheduler.stopped")

    async def _enqueue_if_due(self, periodic_job: PeriodicJob, now: datetime) -> bool:
        slot = periodic_job.slot_at(now)
        if self._enqueued_slot.get(periodic_job.name) == slot:
            return False
        key = f"{periodic_job.name}:{slot}"
        claimed = await self.claims.claim(key, periodic_job.every + CLOCK_SKEW_ALLOWANCE)
        if claimed:
            try:
                await (self._backend or current_backend()).send(periodic_job.name, {})
            except Exception:
                await self.claims.release(key)
                raise
        # Whether we or another scheduler claimed it, this slot is done for this process.
        self._enqueued_slot[periodic_job.name] = slot
        return claimed


__all__ = [
    "MemoryRunClaims",
    "PeriodicJob",
    "RedisRunClaims",
    "RunClaims",
    "Scheduler",
    "build_run_claims",
    "periodic",
    "periodic_jobs",
]
