"""All SQL of search, behind one interface whatever the engine.

Writes (:func:`upsert_entry`, :func:`delete_entry`) are plain SQL on the index tables; the
engine keeps its full-text structures current by itself (a generated tsvector on PostgreSQL,
triggers feeding FTS5 on SQLite). Reads go through :func:`find`, which picks the text matcher of
the session's dialect (:mod:`.postgres` or :mod:`.sqlite`) and shares everything else: filters,
facets, sorting and paging (:mod:`._query`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.search.models import (
    SearchCategory,
    SearchEntry,
    SearchEntryAttribute,
    SearchEntryCategory,
    SuppressedSeller,
)
from mercato.search.repository import postgres, sqlite
from mercato.search.repository._query import Found, TextMatcher, run_search
from mercato.search.schemas import SearchQuery

__all__ = [
    "Found",
    "count_by_top_category",
    "count_entries",
    "delete_entry",
    "find",
    "get_entry",
    "list_indexed_listing_ids",
    "rebuild_vocabulary",
    "set_rating",
    "upsert_entry",
]


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def matcher_for(session: AsyncSession) -> TextMatcher:
    return postgres.MATCHER if dialect_of(session) == "postgresql" else sqlite.MATCHER


async def find(session: AsyncSession, query: SearchQuery) -> Found:
    """Run ``query``: one page of matches, the total, and the facet counts."""
    return await run_search(session, query, matcher_for(session))


async def get_entry(session: AsyncSession, listing_id: uuid.UUID) -> SearchEntry | None:
    statement = select(SearchEntry).where(SearchEntry.listing_id == listing_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def _stale_categories(
    session: AsyncSession, categories: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The category rows that are missing or read differently. Only those are written: an
    upsert locks the row even when nothing changes, and every listing of a category shares
    it, so writing them all would queue concurrent reindexes (each checkout's) behind one
    another."""
    if not categories:
        return []
    statement = select(
        SearchCategory.id, SearchCategory.parent_id, SearchCategory.depth, SearchCategory.name
    ).where(SearchCategory.id.in_([category["id"] for category in categories]))
    known = {row.id: row for row in await session.execute(statement)}
    return [
        category
        for category in categories
        if (row := known.get(category["id"])) is None
        or (row.parent_id, row.depth, row.name)
        != (category["parent_id"], category["depth"], category["name"])
    ]


async def upsert_entry(
    session: AsyncSession,
    values: dict[str, Any],
    categories: Sequence[dict[str, Any]],
    attributes: Sequence[dict[str, Any]],
) -> int:
    """Insert or replace the entry of ``values["listing_id"]``, keeping its integer key (the
    full-text index's document id) stable; returns that key. ``categories`` is the chain
    (id, parent_id, depth, name) root first."""
    postgres_engine = dialect_of(session) == "postgresql"
    build = postgresql_insert if postgres_engine else sqlite_insert
    insert_row = build(SearchEntry).values(**values)
    upsert = insert_row.on_conflict_do_update(
        index_elements=[SearchEntry.listing_id],
        set_={name: insert_row.excluded[name] for name in values if name != "listing_id"},
    ).returning(SearchEntry.id)
    document_id: int = (await session.execute(upsert)).scalar_one()
    for category in await _stale_categories(session, categories):
        named = build(SearchCategory).values(**category)
        await session.execute(
            named.on_conflict_do_update(
                index_elements=[SearchCategory.id],
                set_={name: named.excluded[name] for name in ("parent_id", "depth", "name")},
            )
        )
    await session.execute(
        delete(SearchEntryCategory).where(SearchEntryCategory.document_id == document_id)
    )
    await session.execute(
        delete(SearchEntryAttribute).where(SearchEntryAttribute.document_id == document_id)
    )
    if categories:
        await session.execute(
            insert(SearchEntryCategory),
            [{"document_id": document_id, "category_id": row["id"]} for row in categories],
        )
    if attributes:
        await session.execute(
            insert(SearchEntryAttribute),
            [{**row, "document_id": document_id} for row in attributes],
        )
    await matcher_for(session).index_terms(session, document_id)
    return document_id


async def rebuild_vocabulary(session: AsyncSession) -> None:
    """Rebuild the typo-correction vocabulary from the indexed documents (drops words that no
    listing uses any more)."""
    await matcher_for(session).rebuild_terms(session)


async def delete_entry(session: AsyncSession, listing_id: uuid.UUID) -> uuid.UUID | None:
    """Remove the listing from the index; returns its seller, or None if it was not indexed.
    Category and attribute rows go with it (ON DELETE CASCADE)."""
    statement = (
        delete(SearchEntry)
        .where(SearchEntry.listing_id == listing_id)
        .returning(SearchEntry.seller_id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def set_rating(session: AsyncSession, listing_id: uuid.UUID, count: int, tenths: int) -> bool:
    """Set an indexed listing's rating; False when the listing is not indexed. Only these two
    columns change, so the full-text index is left alone on PostgreSQL (SQLite's update
    trigger re-reads the same text)."""
    statement = (
        update(SearchEntry)
        .where(SearchEntry.listing_id == listing_id)
        .values(rating_count=count, rating_tenths=tenths)
        .returning(SearchEntry.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def list_indexed_listing_ids(session: AsyncSession) -> list[uuid.UUID]:
    return list((await session.execute(select(SearchEntry.listing_id))).scalars())


async def count_by_top_category(session: AsyncSession) -> dict[uuid.UUID, int]:
    """Listings under each top-level category (an index-only count, for the home page)."""
    statement = (
        select(SearchEntryCategory.category_id, func.count())
        .join(SearchCategory, SearchCategory.id == SearchEntryCategory.category_id)
        .where(SearchCategory.depth == 0)
        .group_by(SearchEntryCategory.category_id)
    )
    rows = (await session.execute(statement)).all()
    return {row[0]: row[1] for row in rows}


async def count_entries(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(SearchEntry))).scalar_one()


async def set_seller_suppressed(
    session: AsyncSession, seller_id: uuid.UUID, suppressed: bool, at: datetime
) -> bool:
    """Put the seller on (or take it off) the suppressed list; False when nothing changed."""
    present = await session.get(SuppressedSeller, seller_id)
    if suppressed and present is None:
        session.add(SuppressedSeller(seller_id=seller_id, suppressed_at=at))
        await session.flush()
        return True
    if not suppressed and present is not None:
        await session.delete(present)
        await session.flush()
        return True
    return False
