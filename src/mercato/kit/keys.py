"""Re-encrypting every encrypted column with the primary key after a key rotation."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Table, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from mercato.kit.crypto import EncryptedString, KeyRing
from mercato.kit.db import Base

BATCH = 500


def encrypted_columns() -> list[tuple[Table, list[str]]]:
    found = []
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.columns if isinstance(c.type, EncryptedString)]
        if names:
            found.append((table, names))
    return found


async def reencrypt_table(
    session: AsyncSession,
    table: Table,
    columns: list[str],
    keyring: KeyRing,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rewrite every value of ``columns`` not yet under the primary key; returns rows changed.
    Values are read raw (as stored text) so nothing is decrypted with the wrong key."""
    raw = [type_coerce(table.c[name], Text).label(name) for name in columns]
    primary_key = next(iter(table.primary_key.columns))
    changed = 0
    last = None
    while True:
        statement = select(primary_key, *raw).order_by(primary_key).limit(BATCH)
        if last is not None:
            statement = statement.where(primary_key > last)
        rows = (await session.execute(statement)).all()
        if not rows:
            return changed
        for row in rows:
            values = {
                name: keyring.encrypt(keyring.decrypt(value))
                for name, value in zip(columns, row[1:], strict=True)
                if value is not None and keyring.needs_reencryption(value)
            }
            if values:
                await session.execute(
                    update(table)
                    .where(primary_key == row[0])
                    .values({table.c[k]: type_coerce(v, Text) for k, v in values.items()})
                )
                changed += 1
        last = rows[-1][0]
        if progress:
            progress(len(rows))
