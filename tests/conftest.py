"""Shared fixtures.

Backends: SQLite always; PostgreSQL (``MERCATO_TEST_POSTGRES_URL``, default the local ``test``
database) and Redis (``MERCATO_TEST_REDIS_URL``) whenever reachable. With ``CI=true`` an
unreachable PostgreSQL or Redis fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from urllib.parse import urlparse

import pytest
from redis.asyncio import Redis

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get(
    "MERCATO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("MERCATO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def reachable(url: str) -> bool:
    parsed = urlparse(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), 1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str) -> None:
    """Skip a test needing ``name`` when it is down, except in CI where that is a failure."""
    if reachable(url):
        return
    if IN_CI:
        pytest.fail(f"{name} at {url} is not reachable, and CI must run its tests")
    pytest.skip(f"{name} not reachable at {url}")


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    """A Redis client on a dedicated database, flushed before and after the test."""
    require_service("Redis", REDIS_URL)
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


# --- database backends --------------------------------------------------------------------

from collections.abc import Iterator  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from mercato.config import Settings  # noqa: E402
from mercato.kit import clock as clock_module  # noqa: E402
from mercato.kit import jobs as jobs_module  # noqa: E402
from mercato.kit.db import Database, create_engine  # noqa: E402
from mercato.kit.migrate import upgrade_on  # noqa: E402
from mercato.kit.runtime import Runtime, build_runtime, install_runtime  # noqa: E402

TEST_KEYS = (
    "1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,2:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
)
BACKENDS = ["sqlite", "postgresql"]


# Each test run gets its own PostgreSQL schema, so runs in parallel never see each other's rows;
# extensions live in ``public``, which stays on the search path.
PG_SCHEMA = f"test_{os.getpid()}"


async def _drop_stale_schemas(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        names = await connection.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'test\\_%'")
        )
        for (name,) in names:
            pid = name.removeprefix("test_")
            if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
                await connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _migrated_engine(backend: str, tmp_dir: Path) -> AsyncEngine:
    if backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_dir / 'test.db'}")
    else:
        admin = create_engine(POSTGRES_URL, pool_size=1)
        await _drop_stale_schemas(admin)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        await admin.dispose()
        engine = create_engine(
            POSTGRES_URL,
            pool_size=5,
            connect_args={"server_settings": {"search_path": f"{PG_SCHEMA}, public"}},
        )
    schema = PG_SCHEMA if backend == "postgresql" else None
    async with engine.begin() as connection:
        await connection.run_sync(partial(upgrade_on, version_table_schema=schema))
    return engine


_engines: dict[str, AsyncEngine] = {}


@pytest.fixture(scope="session")
def test_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest, test_var_dir: Path) -> AsyncEngine:
    """A migrated engine per backend, created once per test session."""
    backend: str = request.param
    if backend == "postgresql":
        require_service("PostgreSQL", POSTGRES_URL)
    if backend not in _engines:
        _engines[backend] = await _migrated_engine(backend, test_var_dir)
    return _engines[backend]


@pytest.fixture
async def database(engine: AsyncEngine) -> AsyncIterator[Database]:
    """Everything the test does happens in one outer transaction, rolled back at the end."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield Database(str(engine.url), bind=connection)
        await transaction.rollback()


@pytest.fixture
def settings(test_var_dir: Path) -> Settings:
    return Settings(
        var_dir=test_var_dir,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        encryption_keys=TEST_KEYS,
        password_hash_memory_kib=1024,
        base_url="http://testserver",
        log_json=False,
    )


@pytest.fixture
async def runtime(settings: Settings, database: Database) -> AsyncIterator[Runtime]:
    runtime = build_runtime(settings, database=database)
    previous_backend = jobs_module.install_backend(jobs_module.InProcessBackend(eager=True))
    yield runtime
    jobs_module.install_backend(previous_backend)
    install_runtime(None)


@pytest.fixture
def frozen_clock() -> Iterator[clock_module.FrozenClock]:
    clock = clock_module.FrozenClock()
    previous = clock_module.use_clock(clock)
    yield clock
    clock_module.use_clock(previous)


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    from mercato.app import create_app

    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop this run's PostgreSQL schema (a killed run's schema is dropped by the next run)."""
    del session, exitstatus
    if "postgresql" not in _engines:
        return

    async def drop() -> None:
        await _engines.pop("postgresql").dispose()
        admin = create_engine(POSTGRES_URL, pool_size=1)
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        await admin.dispose()

    asyncio.run(drop())
