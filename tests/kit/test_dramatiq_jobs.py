"""The same job code runs on the in-process backend (embedded mode, tests) and on a Dramatiq
worker (production): both end up in ``run_job`` and the job opens its own unit of work."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO
from redis.asyncio import Redis

from mercato.kit import jobs
from mercato.kit.db import Database, install_database
from mercato.kit.dramatiq_jobs import (
    QUEUE,
    DramatiqBackend,
    close_broker,
    close_on_worker_shutdown,
    prepare_broker,
    setup_broker,
)
from mercato.kit.runtime import Runtime
from mercato.kit.scheduler import periodic_jobs
from tests.conftest import REDIS_URL
from tests.kit.background_support import (
    count_markers,
    migrated_sqlite_url,
    process_globals_restored,
)

worker_calls: list[str] = []
worker_calls_lock = threading.Lock()


@jobs.job("tests.remember_on_worker")
async def remember_on_worker(label: str) -> None:
    with worker_calls_lock:
        worker_calls.append(label)


@jobs.job("tests.always_fail")
async def always_fail() -> None:
    raise RuntimeError("this job always fails")


release_job = asyncio.Event()
job_states: list[str] = []


@jobs.job("tests.wait_for_release")
async def wait_for_release() -> None:
    job_states.append("running")
    try:
        await release_job.wait()
    except asyncio.CancelledError:
        job_states.append("cancelled")
        raise
    job_states.append("finished")


def new_marker() -> str:
    return uuid.uuid4().hex


async def wait_until(
    count: Callable[[], Awaitable[int]], expected: int, timeout: float = 15.0
) -> None:
    """Poll until ``count()`` reaches ``expected`` (a worker runs on its own schedule)."""
    async with asyncio.timeout(timeout):
        while await count() != expected:
            await asyncio.sleep(0.05)


@pytest.fixture
def committed_database_url(tmp_path: Path) -> str:
    return migrated_sqlite_url(tmp_path)


# --- in-process backend ---------------------------------------------------------------------


async def test_eager_backend_runs_the_job_right_after_commit(
    runtime: Runtime, database: Database
) -> None:
    marker = new_marker()
    async with database.transaction() as session:
        jobs.enqueue(session, "tests.record_marker", marker=marker)
        assert await count_markers(database, marker) == 0  # not before the commit
    assert await count_markers(database, marker) == 1


async def test_a_rolled_back_unit_of_work_never_runs_its_job(
    runtime: Runtime, database: Database
) -> None:
    marker = new_marker()
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            jobs.enqueue(session, "tests.record_marker", marker=marker)
            raise RuntimeError("the service failed")
    assert await count_markers(database, marker) == 0


async def test_queued_backend_runs_jobs_when_drained(runtime: Runtime, database: Database) -> None:
    backend = jobs.InProcessBackend()
    jobs.install_backend(backend)  # the runtime fixture puts the previous one back
    marker = new_marker()
    async with database.transaction() as session:
        jobs.enqueue(session, "tests.record_marker", marker=marker)
    assert await count_markers(database, marker) == 0

    await backend.drain()
    assert await count_markers(database, marker) == 1


async def test_started_backend_runs_jobs_in_the_background_past_a_failing_one(
    committed_database_url: str,
) -> None:
    # The consumer runs beside the test, so they need a real pool, not one shared connection.
    database = Database(committed_database_url)
    backend = jobs.InProcessBackend()
    marker = new_marker()
    with process_globals_restored():
        install_database(database)
        jobs.install_backend(backend)
        backend.start()
        try:
            async with database.transaction() as session:
                jobs.enqueue(session, "tests.always_fail")
                jobs.enqueue(session, "tests.record_marker", marker=marker)
            await wait_until(lambda: count_markers(database, marker), 1)
        finally:
            await backend.stop()
            await database.dispose()


async def test_stopping_the_backend_lets_the_running_job_finish() -> None:
    release_job.clear()
    job_states.clear()
    backend = jobs.InProcessBackend()
    backend.start()
    await backend.send("tests.wait_for_release", {})
    while job_states != ["running"]:
        await asyncio.sleep(0.01)

    stopping = asyncio.create_task(backend.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waiting for the job, not cancelling it
    release_job.set()
    await stopping

    assert job_states == ["running", "finished"]


async def test_a_job_overrunning_the_stop_timeout_is_cancelled() -> None:
    release_job.clear()
    job_states.clear()
    backend = jobs.InProcessBackend()
    backend.start()
    await backend.send("tests.wait_for_release", {})

    await backend.stop(grace_seconds=0.1)

    assert job_states == ["running", "cancelled"]


# --- Dramatiq -------------------------------------------------------------------------------


def test_every_registered_job_becomes_an_async_actor_on_the_default_queue() -> None:
    broker = prepare_broker(StubBroker())

    assert set(broker.actors) == set(jobs.registered_jobs())
    assert {actor.queue_name for actor in broker.actors.values()} == {QUEUE}
    assert sum(isinstance(m, AsyncIO) for m in broker.middleware) == 1
    prepare_broker(broker)  # idempotent: no second AsyncIO middleware, no duplicate actor
    assert sum(isinstance(m, AsyncIO) for m in broker.middleware) == 1


def test_periodic_jobs_are_not_retried_by_dramatiq_their_next_run_is_the_retry() -> None:
    broker = prepare_broker(StubBroker())

    for name in periodic_jobs():
        assert broker.actors[name].options == {"max_retries": 0}
    assert broker.actors["tests.record_marker"].options == {}


async def test_backend_refuses_an_unknown_job() -> None:
    backend = DramatiqBackend(prepare_broker(StubBroker()))
    with pytest.raises(LookupError, match=r"tests\.no_such_job"):
        await backend.send("tests.no_such_job", {})


async def test_a_job_registered_after_the_broker_is_declared_when_sent() -> None:
    broker = StubBroker()
    broker.add_middleware(AsyncIO())
    backend = DramatiqBackend(broker)  # no actors declared yet

    await backend.send("tests.remember_on_worker", {"label": "late"})

    assert "tests.remember_on_worker" in broker.actors
    assert broker.queues[QUEUE].qsize() == 1


async def test_stub_broker_worker_runs_the_job_with_its_keyword_arguments() -> None:
    worker_calls.clear()
    broker = prepare_broker(StubBroker())
    await DramatiqBackend(broker).send("tests.remember_on_worker", {"label": "from the queue"})
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        await asyncio.to_thread(broker.join, QUEUE, timeout=10_000)
        await asyncio.to_thread(worker.join)
    finally:
        await asyncio.to_thread(worker.stop)
    assert worker_calls == ["from the queue"]


async def test_redis_worker_runs_the_job_against_a_committed_database(
    redis_client: Redis, committed_database_url: str
) -> None:
    marker = new_marker()
    closed_on: list[asyncio.AbstractEventLoop] = []
    worker_database = Database(committed_database_url)

    async def close_worker_database() -> None:
        await worker_database.dispose()
        closed_on.append(asyncio.get_running_loop())

    # A namespace of its own keeps the test's queue apart from anything else in this Redis.
    broker = setup_broker(REDIS_URL, namespace=f"mercato-test-{uuid.uuid4().hex}")
    close_on_worker_shutdown(broker, close_worker_database)
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    reader = Database(committed_database_url)
    with process_globals_restored():
        install_database(worker_database)
        await DramatiqBackend(broker).send("tests.record_marker", {"marker": marker})
        assert await redis_client.hlen(f"{broker.namespace}:{QUEUE}.msgs") == 1
        worker.start()
        try:
            await wait_until(lambda: count_markers(reader, marker), 1)
        finally:
            await asyncio.to_thread(worker.stop)
            close_broker(broker)
            await reader.dispose()

    # The job's connections were closed on the worker's own loop, before it stopped.
    assert len(closed_on) == 1
    assert closed_on[0] is not asyncio.get_running_loop()
    assert await redis_client.hlen(f"{broker.namespace}:{QUEUE}.msgs") == 0
