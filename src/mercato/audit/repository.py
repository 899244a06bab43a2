"""All SQL of the audit domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.audit.models import CHAIN_HEAD_ID, GENESIS_HASH, AuditEntry, ChainHead
from mercato.kit import clock


async def lock_chain_head(session: AsyncSession) -> ChainHead:
    """The chain head, locked until the transaction ends: appends queue here, one at a time, so
    two can never chain to the same entry. On SQLite the writing transaction already holds the
    database's single write lock (``FOR UPDATE`` compiles to nothing there)."""
    statement = (
        select(ChainHead)
        .where(ChainHead.id == CHAIN_HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = (await session.execute(statement)).scalar_one_or_none()
    if head is None:
        # Only on a database whose migration did not create the head (tables built another way).
        head = ChainHead(
            id=CHAIN_HEAD_ID, last_seq=0, last_hash=GENESIS_HASH, updated_at=clock.now()
        )
        session.add(head)
        await session.flush()
    return head


async def get_chain_head(session: AsyncSession) -> ChainHead | None:
    return await session.get(ChainHead, CHAIN_HEAD_ID)


async def get_by_dedup_key(session: AsyncSession, key: str) -> AuditEntry | None:
    statement = select(AuditEntry).where(AuditEntry.dedup_key == key)
    return (await session.execute(statement)).scalar_one_or_none()


def add(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)


async def list_entries(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID | None,
    actor_role: str | None,
    actor_email: str | None,
    action_prefix: str | None,
    subject_type: str | None,
    subject_id: str | None,
    since: datetime | None,
    before: datetime | None,
    older_than: int | None,
    limit: int,
) -> Sequence[AuditEntry]:
    """Up to ``limit`` matching entries, newest (highest sequence) first."""
    statement: Select[AuditEntry] = select(AuditEntry)
    if actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    if actor_role is not None:
        statement = statement.where(AuditEntry.actor_role == actor_role)
    if actor_email is not None:
        statement = statement.where(AuditEntry.actor_email == actor_email)
    if action_prefix:
        statement = statement.where(AuditEntry.action.startswith(action_prefix, autoescape=True))
    if subject_type:
        statement = statement.where(AuditEntry.subject_type == subject_type)
    if subject_id:
        statement = statement.where(AuditEntry.subject_id == subject_id)
    if since is not None:
        statement = statement.where(AuditEntry.occurred_at >= since)
    if before is not None:
        statement = statement.where(AuditEntry.occurred_at < before)
    if older_than is not None:
        statement = statement.where(AuditEntry.seq < older_than)
    statement = statement.order_by(AuditEntry.seq.desc()).limit(limit)
    return list((await session.execute(statement)).scalars())


async def entries_after(session: AsyncSession, seq: int, batch: int) -> Sequence[Row[Any]]:
    """The next ``batch`` entries in chain order after sequence ``seq``, as plain rows (a walk
    of the whole chain must not fill the session's identity map)."""
    table = AuditEntry.__table__
    statement = select(*table.c).where(table.c.seq > seq).order_by(table.c.seq).limit(batch)
    return list((await session.execute(statement)).all())


async def count_entries(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one())
