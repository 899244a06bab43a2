"""Background work of a web process: embedded (in-process jobs + scheduler) or production
(jobs sent to Dramatiq on Redis)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from mercato.config import Settings
from mercato.kit import jobs
from mercato.kit.background import (
    EmbeddedBackground,
    QueueConnection,
    configure_jobs,
    start_background,
)
from mercato.kit.db import Database
from mercato.kit.dramatiq_jobs import DEFAULT_NAMESPACE, QUEUE, DramatiqBackend
from mercato.kit.outbox import OutboxDelivery, add_message, outbox_handler
from mercato.kit.runtime import Runtime, build_runtime
from tests.conftest import REDIS_URL
from tests.kit.background_support import (
    committed_runtime,
    count_markers,
    process_globals_restored,
)

pings: list[str] = []


@outbox_handler("tests.background_ping")
async def on_ping(delivery: OutboxDelivery) -> None:
    pings.append(delivery.payload["n"])


@pytest.fixture
async def runtime_on_file(settings: Settings, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with committed_runtime(settings, tmp_path) as runtime:
        yield runtime


async def test_embedded_background_runs_the_scheduler_and_the_jobs_then_stops(
    runtime_on_file: Runtime,
) -> None:
    pings.clear()
    async with runtime_on_file.database.transaction() as session:
        add_message(session, "tests.background_ping", {"n": "first"})
    before = jobs.current_backend()

    background = start_background(runtime_on_file)
    assert isinstance(background, EmbeddedBackground)
    assert jobs.current_backend() is background.jobs
    # The scheduler's first tick enqueues kit.relay_outbox; the job queue runs it.
    async with asyncio.timeout(10):
        while pings != ["first"]:
            await asyncio.sleep(0.02)
    await background.stop()

    assert background._scheduler_task.done()
    assert jobs.current_backend() is before


async def test_stopping_embedded_background_finishes_the_queued_jobs(
    runtime_on_file: Runtime,
) -> None:
    background = start_background(runtime_on_file)
    await background.jobs.send("tests.record_marker", {"marker": "queued-at-stop"})

    await background.stop()

    assert await count_markers(runtime_on_file.database, "queued-at-stop") == 1


async def test_production_web_sends_jobs_to_dramatiq_when_redis_is_configured(
    settings: Settings, database: Database, redis_client: Redis
) -> None:
    with process_globals_restored():
        before = jobs.current_backend()
        runtime = build_runtime(
            settings.model_copy(update={"redis_url": REDIS_URL}), database=database
        )
        connection = configure_jobs(runtime)
        try:
            assert isinstance(connection, QueueConnection)
            assert isinstance(jobs.current_backend(), DramatiqBackend)
            await jobs.current_backend().send("tests.record_marker", {"marker": "to-redis"})
        finally:
            await connection.stop()
            await runtime.close()
        assert jobs.current_backend() is before

    [encoded] = await redis_client.hvals(f"{DEFAULT_NAMESPACE}:{QUEUE}.msgs")
    message = json.loads(encoded)
    assert (message["actor_name"], message["kwargs"]) == (
        "tests.record_marker",
        {"marker": "to-redis"},
    )


async def test_production_web_without_redis_keeps_its_backend(runtime: Runtime) -> None:
    before = jobs.current_backend()

    connection = configure_jobs(runtime)
    await connection.stop()

    assert jobs.current_backend() is before
