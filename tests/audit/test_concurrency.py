"""Many appends racing from separate sessions on PostgreSQL, each in its own committed
transaction: the chain head's row lock queues them, so the result is one unbroken chain with
no fork and no gap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from mercato.audit import record, service
from mercato.audit.models import GENESIS_HASH, AuditEntry
from mercato.kit.db import Database
from mercato.kit.runtime import Runtime, build_runtime, install_runtime
from tests.conftest import POSTGRES_URL
from tests.fixtures.postgres import migrated_schema

pytestmark = pytest.mark.postgres
RACERS = 40


@pytest.fixture
async def pg_runtime(settings) -> AsyncIterator[Runtime]:
    async with migrated_schema("audit_race", pool_size=12) as engine:
        try:
            yield build_runtime(settings, database=Database(POSTGRES_URL, engine=engine))
        finally:
            install_runtime(None)


async def _append(runtime: Runtime, n: int) -> int:
    async with runtime.database.transaction() as session:
        entry = await record(session, action="test.race", subject_type="racer", detail={"n": n})
        # Hold the transaction open a little: the others must wait, not chain to a stale head.
        await asyncio.sleep(0.005)
        return entry.seq


async def test_racing_appends_make_one_chain(pg_runtime):
    seqs = await asyncio.gather(*(_append(pg_runtime, n) for n in range(RACERS)))
    assert sorted(seqs) == list(range(1, RACERS + 1))
    async with pg_runtime.database.reading() as session:
        statement = select(AuditEntry.detail, AuditEntry.prev_hash, AuditEntry.hash)
        rows = (await session.execute(statement.order_by(AuditEntry.seq))).all()
        result = await service.verify_chain(session)
    assert sorted(row.detail["n"] for row in rows) == list(range(RACERS))
    previous = GENESIS_HASH
    for row in rows:
        assert row.prev_hash == previous
        previous = row.hash
    assert len({row.prev_hash for row in rows}) == RACERS  # no two entries share a parent
    assert (result.ok, result.checked, result.last_hash) == (True, RACERS, previous)
