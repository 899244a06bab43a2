"""The messages table and the SLA deadlines it feeds, built by the migration, are exactly the
models; the deadlines allow several respond-by deadlines per order, one per opening message,
and still one deadline of every other kind."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mercato.tables import metadata

TABLES = ("orders_message", "governance_sla_deadline")


def _differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = []
    for difference in compare_metadata(context, metadata):
        flat = difference if isinstance(difference, list) else [difference]
        if any(table in repr(item) for item in flat for table in TABLES):
            differences.append(difference)
    return differences


async def test_the_migration_builds_the_models(database):
    connection = database.bind
    assert connection is not None
    assert await connection.run_sync(_differences) == []
