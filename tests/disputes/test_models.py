"""The disputes tables built by the migration are exactly the models (and the escrow line's
restocking fee column, which returns fill)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mercato.tables import metadata


def _disputes_differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = []
    for difference in compare_metadata(context, metadata):
        flat = difference if isinstance(difference, list) else [difference]
        if any(
            "disputes_" in repr(item) or "settlement_escrow_line" in repr(item) for item in flat
        ):
            differences.append(difference)
    return differences


async def test_the_migration_builds_the_models(database):
    connection = database.bind
    assert connection is not None
    assert await connection.run_sync(_disputes_differences) == []
