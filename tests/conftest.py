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


def pytest_configure(config: pytest.Config) -> None:
    # Keep event-loop policy default; nothing to configure yet beyond markers in pyproject.
    del config
    asyncio.get_event_loop_policy()


# --- database backends --------------------------------------------------------------------

from collections.abc import Iterator  # noqa: E402
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


async def _migrated_engine(backend: str, tmp_dir: Path) -> AsyncEngine:
    if backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_dir / 'test.db'}")
    else:
        engine = create_engine(POSTGRES_URL, pool_size=5)
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    async with engine.begin() as connection:
        await connection.run_sync(upgrade_on)
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
