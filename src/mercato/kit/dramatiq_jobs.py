"""The production job backend: Dramatiq on Redis.

Every job registered with :func:`mercato.kit.jobs.job` becomes a Dramatiq actor of the same name
on the ``default`` queue whose body is :func:`mercato.kit.jobs.run_job`, so a job's code is the
same in-process and on a worker. Jobs are coroutines: the AsyncIO middleware runs them on one event
loop per worker process, which is where the process's database engine and Redis client live.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, Middleware

from mercato.kit.jobs import registered_jobs, run_job
from mercato.kit.scheduler import periodic_jobs

QUEUE = "default"
DEFAULT_NAMESPACE = "mercato:jobs"


def setup_broker(redis_url: str, *, namespace: str = DEFAULT_NAMESPACE) -> dramatiq.Broker:
    """A Redis broker with an actor for every job registered so far.

    ``namespace`` prefixes every Redis key, so several deployments (or tests) can share a Redis.
    """
    # RedisBroker's __init__ carries no annotations; its arguments are checked at runtime.
    broker = RedisBroker(url=redis_url, namespace=namespace)  # type: ignore[no-untyped-call]
    return prepare_broker(broker)


def prepare_broker(broker: dramatiq.Broker) -> dramatiq.Broker:
    """Make ``broker`` able to run Mercato's jobs: async actors, one per registered job."""
    if not any(isinstance(middleware, AsyncIO) for middleware in broker.middleware):
        broker.add_middleware(AsyncIO())
    declare_jobs(broker)
    return broker


def declare_jobs(broker: dramatiq.Broker) -> None:
    """Declare an actor for each registered job the broker does not know yet (idempotent)."""
    for name in registered_jobs():
        if name not in broker.actors:
            _declare(broker, name)


def _declare(broker: dramatiq.Broker, name: str) -> dramatiq.Actor[..., None]:
    async def run(**kwargs: Any) -> None:
        await run_job(name, kwargs)

    # A periodic job is enqueued again at its next slot; Dramatiq retrying the failed run as
    # well would only pile up duplicate runs while the cause (say, the database) is down.
    options: dict[str, Any] = {"max_retries": 0} if name in periodic_jobs() else {}
    declare = dramatiq.actor(actor_name=name, queue_name=QUEUE, broker=broker, **options)
    return declare(run)


class DramatiqBackend:
    """Sends jobs to Dramatiq; a ``mercato worker`` process runs them."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    async def send(self, name: str, kwargs: dict[str, Any]) -> None:
        actor = self._actor(name)
        # The Redis client is synchronous; keep the network round trip off the event loop.
        await asyncio.to_thread(actor.send_with_options, kwargs=kwargs)

    def _actor(self, name: str) -> dramatiq.Actor[..., None]:
        if name not in self.broker.actors:
            if name not in registered_jobs():
                raise LookupError(f"unknown job {name!r}")
            # Registered after the broker was set up (a late import): declare it now.
            return _declare(self.broker, name)
        actor: dramatiq.Actor[..., None] = self.broker.get_actor(name)
        return actor


class _RunOnWorkerLoopAtShutdown(Middleware):
    """Runs a coroutine on the worker's event loop once every job has finished, before the
    AsyncIO middleware stops that loop (``after_*`` hooks run in reverse order of addition)."""

    def __init__(self, action: Callable[[], Awaitable[None]]) -> None:
        self._action = action

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(self._action())


def close_on_worker_shutdown(broker: dramatiq.Broker, close: Callable[[], Awaitable[None]]) -> None:
    """Await ``close()`` on the worker's event loop at shutdown: connection pools opened by jobs
    belong to that loop and must be closed on it."""
    broker.add_middleware(_RunOnWorkerLoopAtShutdown(close))


def close_broker(broker: dramatiq.Broker) -> None:
    """Release the broker's connections (the Redis pool is not closed by ``Broker.close``)."""
    broker.close()
    if isinstance(broker, RedisBroker):
        broker.client.close()


__all__ = [
    "DEFAULT_NAMESPACE",
    "QUEUE",
    "DramatiqBackend",
    "close_broker",
    "close_on_worker_shutdown",
    "declare_jobs",
    "prepare_broker",
    "setup_broker",
]
