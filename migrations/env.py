"""Alembic environment: runs migrations on the async engine of the configured database.

The URL is, in order: the connection handed in by code (``config.attributes["connection"]``),
the ``sqlalchemy.url`` option, or the settings (``MERCATO_DATABASE_URL``).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from mercato.config import Settings
from mercato.kit.crypto import EncryptedString
from mercato.kit.db import UTCDateTime, create_engine
from mercato.tables import metadata

config = context.config


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write portable column types into migrations, not the application's type decorators."""
    if type_ == "type" and isinstance(obj, EncryptedString):
        return "sa.Text()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Dialect-specific objects written by hand in migrations and not mapped (the full-text
# structures of search): autogenerate must not offer to drop them.
_HAND_WRITTEN_PREFIXES = ("search_fts",)
_HAND_WRITTEN_NAMES = {
    "search_term",
    "search_vector",
    "ix_search_document_search_vector",
    "ix_search_document_title_trgm",
}


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if reflected and compare_to is None and name is not None:
        return not (name in _HAND_WRITTEN_NAMES or name.startswith(_HAND_WRITTEN_PREFIXES))
    return True


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # Tests migrate one PostgreSQL schema per run; its version table must live there too,
        # not in a schema further down the search path.
        version_table_schema=config.attributes.get("version_table_schema"),
        compare_type=True,
        render_item=_render_item,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings().effective_database_url
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or Settings().effective_database_url,
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
