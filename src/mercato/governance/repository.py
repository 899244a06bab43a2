"""All governance SQL: policy versions and the one in force, terms acceptances, SLA deadlines
(claimed by conditional updates so concurrent sweeps act once), breaches and warnings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.governance.models import (
    PolicyVersion,
    SellerWarning,
    SlaBreach,
    SlaDeadline,
    TermsAcceptance,
)

# --- policy versions -------------------------------------------------------------------------


async def next_version_number(session: AsyncSession, kind: str) -> int:
    statement = select(func.max(PolicyVersion.version)).where(PolicyVersion.kind == kind)
    return int((await session.execute(statement)).scalar_one() or 0) + 1


async def get_version(
    session: AsyncSession, version_id: uuid.UUID, *, for_update: bool = False
) -> PolicyVersion | None:
    statement = select(PolicyVersion).where(PolicyVersion.id == version_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def list_versions(session: AsyncSession, kind: str | None = None) -> list[PolicyVersion]:
    statement = select(PolicyVersion).order_by(PolicyVersion.kind, PolicyVersion.version.desc())
    if kind is not None:
        statement = statement.where(PolicyVersion.kind == kind)
    return list((await session.execute(statement)).scalars())


async def version_in_force(session: AsyncSession, kind: str, at: datetime) -> PolicyVersion | None:
    """The latest activated version of ``kind`` whose ``effective_from`` is not after ``at``."""
    statement = (
        select(PolicyVersion)
        .where(
            PolicyVersion.kind == kind,
            PolicyVersion.status == "active",
            PolicyVersion.effective_from <= at,
        )
        .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.version.desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def get_version_by_number(
    session: AsyncSession, kind: str, version: int
) -> PolicyVersion | None:
    statement = select(PolicyVersion).where(
        PolicyVersion.kind == kind, PolicyVersion.version == version
    )
    return (await session.execute(statement)).scalar_one_or_none()


# --- terms acceptances -----------------------------------------------------------------------


async def get_acceptance(
    session: AsyncSession, user_id: uuid.UUID, version_id: uuid.UUID
) -> TermsAcceptance | None:
    statement = select(TermsAcceptance).where(
        TermsAcceptance.user_id == user_id, TermsAcceptance.version_id == version_id
    )
    return (await session.execute(statement)).scalar_one_or_none()


# --- SLA deadlines ---------------------------------------------------------------------------


async def deadlines_of_order(session: AsyncSession, order_id: uuid.UUID) -> list[SlaDeadline]:
    statement = select(SlaDeadline).where(SlaDeadline.order_id == order_id)
    return list((await session.execute(statement.order_by(SlaDeadline.due_at))).scalars())


async def get_deadline(session: AsyncSession, deadline_id: uuid.UUID) -> SlaDeadline | None:
    return await session.get(SlaDeadline, deadline_id, populate_existing=True)


def _open() -> list[ColumnElement[bool]]:
    return [
        SlaDeadline.met_at.is_(None),
        SlaDeadline.breached_at.is_(None),
        SlaDeadline.stopped_at.is_(None),
    ]


async def deadlines_to_remind(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    statement = (
        select(SlaDeadline.id)
        .where(
            SlaDeadline.remind_at <= now,
            SlaDeadline.due_at > now,
            SlaDeadline.reminded_at.is_(None),
            *_open(),
        )
        .order_by(SlaDeadline.remind_at)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def open_deadlines(
    session: AsyncSession, *, due_by: datetime | None, limit: int
) -> list[uuid.UUID]:
    """Open deadlines, the most urgent first (only those due by ``due_by`` when given)."""
    statement = select(SlaDeadline.id).where(*_open())
    if due_by is not None:
        statement = statement.where(SlaDeadline.due_at <= due_by)
    statement = statement.order_by(SlaDeadline.due_at).limit(limit)
    return list((await session.execute(statement)).scalars())


async def claim_deadline(
    session: AsyncSession, deadline_id: uuid.UUID, outcome: str, now: datetime
) -> bool:
    """Set ``outcome`` (met_at | breached_at | stopped_at | reminded_at) on an open deadline;
    False when another sweep (or an event) settled it first."""
    conditions = [SlaDeadline.id == deadline_id, *_open()]
    if outcome == "reminded_at":
        conditions.append(SlaDeadline.reminded_at.is_(None))
    statement = (
        update(SlaDeadline)
        .where(*conditions)
        .values({outcome: now})
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def seller_open_deadlines(
    session: AsyncSession, seller_id: uuid.UUID, limit: int = 200
) -> list[SlaDeadline]:
    statement = (
        select(SlaDeadline)
        .where(SlaDeadline.seller_id == seller_id, *_open())
        .order_by(SlaDeadline.due_at)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


# --- breaches and warnings -------------------------------------------------------------------


async def list_breaches(
    session: AsyncSession, seller_id: uuid.UUID | None, limit: int = 200
) -> list[SlaBreach]:
    statement = select(SlaBreach).order_by(SlaBreach.detected_at.desc(), SlaBreach.id)
    if seller_id is not None:
        statement = statement.where(SlaBreach.seller_id == seller_id)
    return list((await session.execute(statement.limit(limit))).scalars())


async def list_warnings(
    session: AsyncSession, seller_id: uuid.UUID | None, limit: int = 200
) -> list[SellerWarning]:
    statement = select(SellerWarning).order_by(SellerWarning.created_at.desc(), SellerWarning.id)
    if seller_id is not None:
        statement = statement.where(SellerWarning.seller_id == seller_id)
    return list((await session.execute(statement.limit(limit))).scalars())


async def orders_with_deadlines(
    session: AsyncSession, order_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    if not order_ids:
        return set()
    statement = select(SlaDeadline.order_id).where(SlaDeadline.order_id.in_(order_ids))
    return set((await session.execute(statement)).scalars())


async def deadlines_of_orders(
    session: AsyncSession, order_ids: Sequence[uuid.UUID], kind: str
) -> list[SlaDeadline]:
    """The ``kind`` deadline of each of the orders that have one."""
    if not order_ids:
        return []
    statement = select(SlaDeadline).where(
        SlaDeadline.order_id.in_(order_ids), SlaDeadline.kind == kind
    )
    return list((await session.execute(statement)).scalars())
