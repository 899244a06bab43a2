"""Background jobs behind one facade.

A job is an async function registered under a dotted name (``"<domain>.<verb_noun>"``) taking
JSON-serialisable keyword arguments. Services call :func:`enqueue` inside their unit of work; the
job is handed to the backend only after the commit. The same job code runs on the in-process
backend (embedded mode, tests) and on Dramatiq (production); see :mod:`mercato.kit.dramatiq_jobs`.
A job opens its own unit of work with ``current_database().transaction()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import after_commit

log = structlog.get_logger(__name__)

JobFunction = Callable[..., Awaitable[None]]
_registry: dict[str, JobFunction] = {}


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated coroutine function as the job ``name``."""

    def register(function: JobFunction) -> JobFunction:
        existing = _registry.get(name)
        if existing is not None and existing is not function:
            raise ValueError(f"job name {name!r} is already registered")
        _registry[name] = function
        return function

    return register


def registered_jobs() -> dict[str, JobFunction]:
    return dict(_registry)


async def run_job(name: str, kwargs: dict[str, Any]) -> None:
    """Execute one job in this process (what every backend ends up calling)."""
    function = _registry.get(name)
    if function is None:
        raise LookupError(f"unknown job {name!r}")
    await function(**kwargs)


class JobBackend(Protocol):
    async def send(self, name: str, kwargs: dict[str, Any]) -> None: ...


class InProcessBackend:
    """Runs jobs on the event loop of this process, one at a time, in the order sent.

    ``eager=True`` (tests) runs each job right away inside ``send``; otherwise a background task
    consumes the queue once :meth:`start` has been called.
    """

    def __init__(self, *, eager: bool = False) -> None:
        self.eager = eager
        # None is the "stop consuming" marker put behind the jobs already queued.
        self._queue: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def send(self, name: str, kwargs: dict[str, Any]) -> None:
        if self.eager:
            await run_job(name, kwargs)
        else:
            self._queue.put_nowait((name, kwargs))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._consume(), name="mercato-jobs")

    async def stop(self, grace_seconds: float = 30.0) -> None:
        """Let the consumer finish the running job and those queued before this call, then stop.

        A job still running after ``grace_seconds`` is cancelled (its unit of work rolls back).
        """
        if self._task is None:
            return
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace_seconds)
        except TimeoutError:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def drain(self) -> None:
        """Run every queued job now (tests, and at shutdown once the consumer has stopped)."""
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is not None:
                await self._run_safely(*item)

    async def _consume(self) -> None:
        while (item := await self._queue.get()) is not None:
            await self._run_safely(*item)

    async def _run_safely(self, name: str, kwargs: dict[str, Any]) -> None:
        try:
            await run_job(name, kwargs)
        except Exception:
            log.exception("job_failed", job=name)


_backend: JobBackend = InProcessBackend(eager=True)


def install_backend(backend: JobBackend) -> JobBackend:
    """Install ``backend`` for the process; returns the previous one."""
    global _backend
    previous, _backend = _backend, backend
    return previous


def current_backend() -> JobBackend:
    return _backend


def enqueue(session: AsyncSession, name: str, **kwargs: Any) -> None:
    """Queue job ``name`` to run after the session commits (dropped on rollback)."""
    if name not in _registry:
        raise LookupError(f"unknown job {name!r}")

    async def send() -> None:
        await _backend.send(name, kwargs)

    after_commit(session, send)
