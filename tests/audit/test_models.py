"""The audit tables built by the migration are exactly the models, and the chain head exists
from the start."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from mercato.audit.models import GENESIS_HASH, ChainHead
from mercato.tables import metadata

AUDIT_TABLES = {"audit_entry", "audit_chain_head"}


def _audit_differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = []
    for difference in compare_metadata(context, metadata):
        flat = difference if isinstance(difference, list) else [difference]
        if any("audit_" in repr(item) for item in flat):
            differences.append(difference)
    return differences


async def test_the_migration_builds_the_models(database):
    connection = database.bind
    assert connection is not None
    assert await connection.run_sync(_audit_differences) == []


async def test_the_chain_head_starts_at_the_genesis_hash(runtime):
    async with runtime.database.reading() as session:
        head = (await session.execute(select(ChainHead))).scalar_one()
        assert (head.id, head.last_seq, head.last_hash) == (1, 0, GENESIS_HASH)
