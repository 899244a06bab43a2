"""Shared by the background-work tests: a job that writes a row, and helpers around it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from sqlalchemy import func, select

from mercato.config import Settings
from mercato.kit import db as db_module
from mercato.kit import jobs
from mercato.kit import runtime as runtime_module
from mercato.kit.db import Database, current_database
from mercato.kit.migrate import upgrade
from mercato.kit.outbox import OutboxMessage, add_message
from mercato.kit.runtime import Runtime, build_runtime

MARKER_TOPIC = "tests.marker"


@jobs.job("tests.record_marker")
async def record_marker(marker: str) -> None:
    """Writes one row in its own unit of work, exactly as a domain job does."""
    async with current_database().transaction() as session:
        add_message(session, MARKER_TOPIC, {"marker": marker})


async def count_markers(database: Database, marker: str) -> int:
    async with database.reading() as session:
        statement = select(func.count()).where(
            OutboxMessage.topic == MARKER_TOPIC,
            OutboxMessage.payload["marker"].as_string() == marker,
        )
        return int((await session.execute(statement)).scalar_one())


def migrated_sqlite_url(directory: Path) -> str:
    """A real SQLite file at the newest schema, for code that commits for real (a worker thread
    with its own event loop cannot share the test's rolled-back connection)."""
    url = f"sqlite+aiosqlite:///{directory / 'committed.db'}"
    upgrade(url)
    return url


@contextmanager
def process_globals_restored() -> Iterator[None]:
    """Put back the process-wide job backend, database and runtime a test replaced."""
    backend = jobs.current_backend()
    database = db_module._database
    runtime = runtime_module._runtime
    try:
        yield
    finally:
        jobs.install_backend(backend)
        db_module.install_database(database)
        runtime_module.install_runtime(runtime)


@asynccontextmanager
async def committed_runtime(settings: Settings, directory: Path) -> AsyncIterator[Runtime]:
    """The process runtime on a real SQLite file: background tasks run beside the test on
    their own connections, which the single rolled-back test connection cannot serve."""
    # Alembic's env runs its own event loop, so migrate from a thread.
    database = Database(await asyncio.to_thread(migrated_sqlite_url, directory))
    with process_globals_restored():
        runtime = build_runtime(settings, database=database)
        try:
            yield runtime
        finally:
            await runtime.close()
