"""The payments migrations build exactly the ledger tables the models declare."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mercato.tables import metadata


def _ledger_differences(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = []
    for difference in compare_metadata(context, metadata):
        flat = difference if isinstance(difference, list) else [difference]
        if any("payments_ledger" in repr(item) for item in flat):
            differences.append(difference)
    return differences


async def test_the_migrations_build_the_ledger_models(database):
    connection = database.bind
    assert connection is not None
    assert await connection.run_sync(_ledger_differences) == []
