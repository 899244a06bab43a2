"""Units of work: one commit per unit, reads never write, UTC datetimes on every engine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from mercato.kit.db import Database, create_engine
from mercato.kit.errors import Conflict
from mercato.kit.migrate import upgrade
from mercato.notifications.models import Mail


def mail(subject: str, created_at: datetime | None = None) -> Mail:
    return Mail(
        to_address="db@example.com",
        subject=subject,
        body_text="x",
        status="outbox",
        created_at=created_at or datetime(2026, 3, 1, 12, tzinfo=UTC),
    )


async def count(runtime) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(Mail))).scalar_one()


async def test_transaction_commits_once_at_the_end(runtime):
    async with runtime.database.transaction() as session:
        session.add(mail("kept"))
    assert await count(runtime) == 1


async def test_failure_rolls_back_everything(runtime):
    with pytest.raises(ValueError):
        async with runtime.database.transaction() as session:
            session.add(mail("first"))
            await session.flush()
            session.add(mail("second"))
            raise ValueError("half-way")
    assert await count(runtime) == 0


async def test_refusal_rolls_back_unless_it_keeps_changes(runtime):
    with pytest.raises(Conflict):
        async with runtime.database.transaction() as session:
            session.add(mail("dropped"))
            raise Conflict("no")
    with pytest.raises(Conflict):
        async with runtime.database.transaction() as session:
            session.add(mail("kept"))
            raise Conflict("no, but keep it", keep_changes=True)
    assert await count(runtime) == 1


async def test_a_reading_session_never_writes(runtime):
    async with runtime.database.reading() as session:
        session.add(mail("ignored"))
        await session.flush()
    assert await count(runtime) == 0


async def test_datetimes_come_back_aware_and_in_utc(runtime):
    paris = timezone(timedelta(hours=1))
    async with runtime.database.transaction() as session:
        session.add(mail("tz", datetime(2026, 3, 1, 13, 30, tzinfo=paris)))
    async with runtime.database.reading() as session:
        stored = (await session.execute(select(Mail.created_at))).scalar_one()
    assert stored == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert stored.tzinfo is not None


async def test_naive_datetimes_are_refused(runtime):
    with pytest.raises(Exception, match="naive datetime"):
        async with runtime.database.transaction() as session:
            session.add(mail("naive", datetime(2026, 3, 1, 12)))
    assert await count(runtime) == 0


async def test_sqlite_writers_queue_instead_of_failing(tmp_path):
    """Two units of work that read, then write, interleaved on a real SQLite file: with the
    write lock taken up front the second waits for the first instead of failing."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'concurrent.db'}"
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    both_read = asyncio.Barrier(2)

    async def read_then_write(subject: str) -> None:
        async with database.transaction() as session:
            await session.execute(select(func.count()).select_from(Mail))
            try:
                async with asyncio.timeout(0.5):
                    await both_read.wait()  # the second writer is queued behind the first
            except TimeoutError:
                pass
            session.add(mail(subject))

    try:
        await asyncio.gather(read_then_write("one"), read_then_write("two"))
        async with database.reading() as session:
            total = (await session.execute(select(func.count()).select_from(Mail))).scalar_one()
        assert total == 2
    finally:
        await database.dispose()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_a_connection_the_server_closed_is_replaced_at_checkout(engine):
    """No ping per checkout: a pooled connection whose backend was terminated is noticed as
    closed, discarded, and the next unit of work runs on a fresh one."""
    own = create_engine(str(engine.url.render_as_string(hide_password=False)), pool_size=1)
    database = Database(str(own.url), engine=own)
    try:
        async with database.reading() as session:
            first = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with engine.connect() as admin:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        await asyncio.sleep(0.2)  # the event loop reads the end of the closed socket
        async with database.reading() as session:
            second = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await own.dispose()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_a_reading_session_runs_its_statements_without_a_transaction(engine):
    """No BEGIN and ROLLBACK around a reading session on PostgreSQL: each statement is its own
    transaction (now() moves between them), while a unit of work keeps one (now() stays)."""
    database = Database(str(engine.url), engine=engine)
    now = text("SELECT now()")

    async def two_readings(session) -> tuple[datetime, datetime]:
        first = (await session.execute(now)).scalar_one()
        await asyncio.sleep(0.01)
        return first, (await session.execute(now)).scalar_one()

    async with database.reading() as session:
        first, second = await two_readings(session)
    assert second > first
    async with database.transaction(writes=False) as session:
        first, second = await two_readings(session)
    assert second == first
    async with database.reading() as session:  # the pooled connection is back to normal after
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
