"""Applying the Alembic migrations from code (CLI, startup of embedded mode, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (idempotent)."""
    if url.startswith("sqlite"):
        database_file = url.split("///", 1)[-1]
        if database_file and database_file != ":memory:":
            Path(database_file).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "heads")


def upgrade_on(connection: Connection, *, version_table_schema: str | None = None) -> None:
    """Migrate through an existing (sync) connection: tests run migrations inside their own
    transaction (and schema) this way."""
    config = alembic_config()
    config.attributes["connection"] = connection
    config.attributes["version_table_schema"] = version_table_schema
    command.upgrade(config, "heads")
