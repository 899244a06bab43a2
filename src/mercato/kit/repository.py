"""Repository building blocks shared by every domain's ``repository.py``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from mercato.kit.pagination import clamp_limit, decode_cursor, next_cursor

Row = TypeVar("Row")


@dataclass(frozen=True)
class Slice(Generic[Row]):
    """One page of rows, newest first, and the cursor of the next page (None at the end)."""

    rows: Sequence[Row]
    next_cursor: str | None


async def newest_first(
    session: AsyncSession,
    statement: Select[Row],
    id_column: InstrumentedAttribute[uuid.UUID],
    *,
    cursor: str | None,
    limit: int,
) -> Slice[Row]:
    """Keyset pagination on a uuid7 id column: stable while rows are added, no OFFSET scans."""
    limit = clamp_limit(limit)
    after = decode_cursor(cursor)
    if after is not None:
        statement = statement.where(id_column < after)
    statement = statement.order_by(id_column.desc()).limit(limit + 1)
    rows = list((await session.execute(statement)).scalars())
    ids: list[uuid.UUID] = [getattr(row, id_column.key) for row in rows]
    return Slice(rows=rows[:limit], next_cursor=next_cursor(ids, limit))
