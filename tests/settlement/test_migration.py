"""The escrow hold migration: the category hold periods become the overrides of an active
escrow hold version in the name of the first admin (none when there were none), their table
goes, and a seller's hold gets its author and reason columns; downgrading brings the category
holds back. Run on a database of its own, SQLite and PostgreSQL; the tables it builds are
exactly the models."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from mercato.kit.db import create_engine
from mercato.kit.migrate import alembic_config
from mercato.tables import metadata
from tests.conftest import POSTGRES_URL, require_service

BEFORE, AFTER = "d6f2b8c4e0a3", "e7a3c9d5f1b4"
TABLES = ("settlement_seller_hold", "governance_policy_version", "settlement_category_hold")


def migrate(connection: Connection, revision: str, schema: str | None, down: bool) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    config.attributes["version_table_schema"] = schema
    (command.downgrade if down else command.upgrade)(config, revision)


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path) -> AsyncIterator[tuple[Any, str | None]]:
    """An empty database of its own (a SQLite file, or a PostgreSQL schema dropped after):
    its engine and its schema."""
    if backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'migration.db'}")
        try:
            yield engine, None
        finally:
            await engine.dispose()
        return
    require_service("PostgreSQL", POSTGRES_URL)
    schema = f"migration_{os.getpid()}"
    admin = create_engine(POSTGRES_URL, pool_size=1)
    async with admin.begin() as connection:
        await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(
        POSTGRES_URL,
        pool_size=1,
        connect_args={"server_settings": {"search_path": f"{schema}, public"}},
    )
    try:
        yield engine, schema
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


def now(connection: Connection) -> datetime:
    moment = datetime.now(UTC)
    return moment.replace(tzinfo=None) if connection.dialect.name == "sqlite" else moment


def insert(connection: Connection, table: str, **values: Any) -> uuid.UUID:
    values = {"id": uuid.uuid4(), **values}
    columns = [
        sa.column(name, sa.Uuid() if isinstance(value, uuid.UUID) else None)
        for name, value in values.items()
    ]
    connection.execute(sa.table(table, *columns).insert().values(**values))
    return values["id"]


def seed_before(connection: Connection, *, category_holds: bool) -> dict[str, uuid.UUID]:
    moment = now(connection)
    stamps = {"created_at": moment, "updated_at": moment}
    people = {}
    # The buyer signed up first, then the first admin, then a second admin.
    for minutes, (email, role) in enumerate(
        (("buyer@x.test", "buyer"), ("admin@x.test", "admin"), ("b@x.test", "admin"))
    ):
        joined = moment - timedelta(minutes=10 - minutes)
        people[email] = insert(
            connection,
            "accounts_user",
            email=email,
            password_hash="x",
            role=role,
            display_name="x",
            is_active=True,
            created_at=joined,
            updated_at=joined,
        )
    home = insert(connection, "catalog_category", name="Home", slug="home", position=0, **stamps)
    lamps = insert(
        connection,
        "catalog_category",
        name="Lamps",
        slug="lamps",
        position=0,
        parent_id=home,
        **stamps,
    )
    seller = insert(
        connection,
        "sellers_seller",
        owner_user_id=people["buyer@x.test"],
        business_name="Shop",
        status="admitted",
        **stamps,
    )
    insert(connection, "settlement_seller_hold", seller_id=seller, hold_days=5, updated_at=moment)
    if category_holds:
        for category, days in ((home, 4), (lamps, 9)):
            insert(
                connection,
                "settlement_category_hold",
                category_id=category,
                hold_days=days,
                updated_at=moment,
            )
    return {"admin": people["admin@x.test"], "home": home, "lamps": lamps}


def model_differences(connection: Connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    found = []
    for difference in compare_metadata(context, metadata):
        flat = difference if isinstance(difference, list) else [difference]
        if any(table in repr(item) for item in flat for table in TABLES):
            found.append(difference)
    return found


def versions(connection: Connection) -> list[sa.Row]:
    return connection.execute(
        sa.text(
            "SELECT kind, version, status, parameters, overrides, reason, created_by, "
            "activated_by, effective_from FROM governance_policy_version"
        )
    ).all()


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def as_uuid(value: Any) -> uuid.UUID:
    """SQLite hands back the 32 hex digits, PostgreSQL a UUID."""
    return uuid.UUID(str(value))


def carried_over_and_back(connection: Connection, schema: str | None) -> None:
    migrate(connection, BEFORE, schema, down=False)
    ids = seed_before(connection, category_holds=True)
    migrate(connection, AFTER, schema, down=False)
    assert model_differences(connection) == []
    assert not sa.inspect(connection).has_table("settlement_category_hold")
    [version] = versions(connection)
    assert tuple(version[:3]) == ("escrow_hold", 1, "active")
    assert as_json(version[3]) == {}  # no base: the platform default keeps applying
    assert sorted(
        (item["category_id"], item["parameters"]["hold_days"]) for item in as_json(version[4])
    ) == sorted([(str(ids["home"]), 4), (str(ids["lamps"]), 9)])
    assert version[5] == "Carried over from the category hold periods"
    assert as_uuid(version[6]) == as_uuid(version[7]) == ids["admin"]  # the first admin
    assert version[8] is not None
    hold = connection.execute(
        sa.text("SELECT hold_days, reason, set_by FROM settlement_seller_hold")
    ).one()
    assert tuple(hold) == (5, "Set before reasons were recorded.", None)

    migrate(connection, BEFORE, schema, down=True)
    restored = connection.execute(
        sa.text("SELECT category_id, hold_days FROM settlement_category_hold")
    ).all()
    assert sorted((as_uuid(c), days) for c, days in restored) == sorted(
        [(ids["home"], 4), (ids["lamps"], 9)]
    )
    assert versions(connection) == []
    columns = {c["name"] for c in sa.inspect(connection).get_columns("settlement_seller_hold")}
    assert "reason" not in columns and "set_by" not in columns


def nothing_to_carry_over(connection: Connection, schema: str | None) -> None:
    migrate(connection, BEFORE, schema, down=False)
    seed_before(connection, category_holds=False)
    migrate(connection, AFTER, schema, down=False)
    assert versions(connection) == []
    assert not sa.inspect(connection).has_table("settlement_category_hold")


async def on_fresh_database(backend: str, tmp_path: Path, steps: Any) -> None:
    """Run the synchronous ``steps(connection, schema)`` on a database of its own."""
    async with fresh_database(backend, tmp_path) as (engine, schema):
        connection = await engine.connect()
        try:
            async with connection.begin():
                await connection.run_sync(partial(steps, schema=schema))
        finally:
            await connection.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_category_holds_become_an_active_escrow_hold_version_and_come_back(backend, tmp_path):
    await on_fresh_database(backend, tmp_path, carried_over_and_back)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_without_category_holds_no_version_is_created(backend, tmp_path):
    await on_fresh_database(backend, tmp_path, nothing_to_carry_over)
