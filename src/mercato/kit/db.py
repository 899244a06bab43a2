"""Database engines, sessions and the one-commit-per-unit-of-work rule.

A unit of work (an HTTP request or a job) opens one session, lets exactly one service function
flush its changes, then commits once through :func:`commit`. Events and jobs recorded during the
unit of work are buffered on the session and only released after the commit succeeds; a rollback
drops them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, Uuid

from mercato.kit import clock
from mercato.kit.errors import MercatoError
from mercato.kit.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite has no timezone type)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


AfterCommit = Callable[[], Awaitable[None]]
_AFTER_COMMIT_KEY = "mercato.after_commit"


def after_commit(session: AsyncSession, action: AfterCommit) -> None:
    """Run ``action`` once the session's transaction has committed; drop it on rollback."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(action)


async def commit(session: AsyncSession) -> None:
    """Commit the unit of work, then release its buffered events and jobs in order."""
    await session.commit()
    actions: list[AfterCommit] = session.info.pop(_AFTER_COMMIT_KEY, [])
    for action in actions:
        await action()


async def rollback(session: AsyncSession) -> None:
    session.info.pop(_AFTER_COMMIT_KEY, None)
    await session.rollback()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin: the module's own
    # implicit transactions break SAVEPOINT handling.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the single writer; busy_timeout queues writers instead of
    # failing them with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITES_OPTION = "mercato_writes"


def _sqlite_begin(connection: Any) -> None:
    # A unit of work that will write takes SQLite's write lock up front (BEGIN IMMEDIATE): a
    # deferred transaction that reads, then writes after another writer committed, fails with
    # "database is locked" instead of waiting. Read-only units stay deferred and concurrent.
    writes = connection.get_execution_options().get(WRITES_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _refuse_closed_connection(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    # A pooled connection the server closed (a restart, an idle timeout, a terminated backend)
    # is noticed by asyncpg as soon as the event loop reads the end of its socket. Raising
    # DisconnectionError makes the pool discard it and hand out a fresh one. This replaces
    # ``pool_pre_ping``, which spends three round trips (BEGIN, ping, ROLLBACK) on every
    # checkout: a unit of work that took the connection before the close was noticed fails
    # once, and the pool then replaces every connection of that generation.
    if record.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_engine(url: str, **options: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # asyncpg prepares every statement once per connection and keeps it in an LRU: the
    # default of 100 is smaller than the set of statements a busy worker runs, and every
    # miss costs a round trip and a parse on the server.
    options["connect_args"] = {
        "prepared_statement_cache_size": 1000,
        **options.get("connect_args", {}),
    }
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 20)
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


class Database:
    """Owns the engine and hands out sessions; one per process.

    ``bind`` lets tests run everything on one connection inside an outer transaction that is
    rolled back at the end: every ``commit`` then only releases a savepoint.
    """

    def __init__(
        self,
        url: str,
        *,
        bind: AsyncConnection | None = None,
        engine: AsyncEngine | None = None,
    ) -> None:
        self.url = url
        self.engine: AsyncEngine | None = None
        self.bind = bind
        # An engine handed in belongs to the caller, who disposes of it.
        self._owns_engine = engine is None
        if bind is None:
            self.engine = engine or create_engine(url)
            self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        else:
            self._sessions = async_sessionmaker(
                bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )

    @property
    def dialect(self) -> str:
        return self.url.split(":", 1)[0].split("+", 1)[0]

    def session(self) -> AsyncSession:
        return self._sessions()

    @asynccontextmanager
    async def transaction(self, *, writes: bool = True) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success (then release events and jobs), else roll back.
        ``writes=False`` (e.g. a GET request) lets SQLite run it beside other readers."""
        async with self._sessions() as session:
            if writes and self.engine is not None and self.dialect == "sqlite":
                await session.connection(execution_options={WRITES_OPTION: True})
            try:
                yield session
            except MercatoError as error:
                await (commit(session) if error.keep_changes else rollback(session))
                raise
            except BaseException:
                await rollback(session)
                raise
            await commit(session)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only: nothing it does is ever committed.

        On PostgreSQL its statements run without a transaction around them, which saves the
        BEGIN and ROLLBACK round trips (every signed-in request reads its user this way): under
        READ COMMITTED each statement sees its own snapshot either way. Row locks taken here
        would end with their statement, so a reading session never locks."""
        async with self._sessions() as session:
            if self.engine is not None and self.dialect == "postgresql":
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            try:
                yield session
            finally:
                await rollback(session)

    async def dispose(self) -> None:
        if self.engine is not None and self._owns_engine:
            await self.engine.dispose()


_database: Database | None = None


def install_database(database: Database | None) -> None:
    """Make ``database`` the process's database (used by jobs, handlers and the CLI)."""
    global _database
    _database = database


def current_database() -> Database:
    if _database is None:
        raise RuntimeError("no database installed; call install_database() at startup")
    return _database
