"""The seller terms dates migration: versions published before it apply from their
publication, with a reason saying none was recorded; the table it builds is exactly the model;
downgrading drops the two columns again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from mercato.tables import metadata
from tests.settlement.test_migration import insert, migrate, now, on_fresh_database

BEFORE, AFTER = "b0d6f2a8c4e7", "c1e7a3b9d5f8"
TABLE = "sellers_terms_version"


def table_differences(connection: Connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [d for d in compare_metadata(context, metadata) if TABLE in repr(d)]


def dated_and_back(connection: Connection, schema: str | None) -> None:
    migrate(connection, BEFORE, schema, down=False)
    published = now(connection)
    insert(connection, TABLE, version=1, title="Terms", body="Be fair.", published_at=published)
    migrate(connection, AFTER, schema, down=False)
    row = connection.execute(sa.text(f"SELECT reason, effective_from, published_at FROM {TABLE}"))
    reason, effective_from, published_at = row.one()
    assert reason == "Published before reasons were recorded."
    assert effective_from == published_at
    assert table_differences(connection) == []
    migrate(connection, BEFORE, schema, down=True)
    columns = {c["name"] for c in sa.inspect(connection).get_columns(TABLE)}
    assert "reason" not in columns and "effective_from" not in columns


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_earlier_versions_apply_from_their_publication(backend, tmp_path):
    await on_fresh_database(backend, tmp_path, dated_and_back)
