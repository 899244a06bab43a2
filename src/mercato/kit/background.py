"""Where a web process sends its background work.

- Embedded mode (``mercato all``, :func:`start_background`): the jobs run on an in-process queue
  and the scheduler loop runs inside the web process.
- Production web (``mercato web``, :func:`configure_jobs`): jobs go to Dramatiq on Redis for the
  ``mercato worker`` processes; the ``mercato scheduler`` process enqueues the periodic ones.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import dramatiq

from mercato.kit.dramatiq_jobs import DramatiqBackend, close_broker, setup_broker
from mercato.kit.jobs import InProcessBackend, JobBackend, install_backend
from mercato.kit.runtime import Runtime
from mercato.kit.scheduler import Scheduler, build_run_claims


class Background(Protocol):
    async def stop(self) -> None: ...


@dataclass
class EmbeddedBackground:
    jobs: InProcessBackend
    scheduler: Scheduler
    previous_backend: JobBackend
    _stopping: asyncio.Event
    _scheduler_task: asyncio.Task[None]

    async def stop(self) -> None:
        """Stop scheduling first (so nothing new arrives), then finish the queued jobs, and
        the ones those jobs enqueued meanwhile."""
        self._stopping.set()
        await self._scheduler_task
        await self.jobs.stop()
        await self.jobs.drain()
        install_backend(self.previous_backend)


def start_background(runtime: Runtime) -> EmbeddedBackground:
    """Run jobs and the scheduler inside this process (call from within the event loop)."""
    jobs = InProcessBackend()
    previous = install_backend(jobs)
    jobs.start()
    scheduler = Scheduler(build_run_claims(runtime.redis), backend=jobs)
    stopping = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stopping), name="mercato-scheduler")
    return EmbeddedBackground(jobs, scheduler, previous, stopping, task)


@dataclass
class QueueConnection:
    broker: dramatiq.Broker
    previous_backend: JobBackend

    async def stop(self) -> None:
        install_backend(self.previous_backend)
        close_broker(self.broker)


class _NoBackgroundWork:
    async def stop(self) -> None:
        return None


def configure_jobs(runtime: Runtime) -> Background:
    """Production web: send jobs to Dramatiq when Redis is configured.

    Without Redis the process keeps its current backend (jobs run in-process right after the
    commit), which is what tests and a Redis-less ``mercato web`` rely on.
    """
    if not runtime.settings.redis_url:
        return _NoBackgroundWork()
    broker = setup_broker(runtime.settings.redis_url)
    previous = install_backend(DramatiqBackend(broker))
    return QueueConnection(broker, previous)


__all__ = [
    "Background",
    "EmbeddedBackground",
    "QueueConnection",
    "configure_jobs",
    "start_background",
]
