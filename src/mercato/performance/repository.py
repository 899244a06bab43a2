"""All performance SQL: threshold versions and the one in force, standings, level changes,
appeals and the sellers' dispute response times."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.performance.models import (
    Appeal,
    DisputeResponse,
    Standing,
    StandingChange,
    ThresholdVersion,
)

# --- thresholds ------------------------------------------------------------------------------


async def threshold_in_force(session: AsyncSession, at: datetime) -> ThresholdVersion | None:
    statement = (
        select(ThresholdVersion)
        .where(ThresholdVersion.effective_from <= at)
        .order_by(ThresholdVersion.effective_from.desc(), ThresholdVersion.version.desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def next_threshold_version(session: AsyncSession) -> int:
    statement = select(func.max(ThresholdVersion.version))
    return int((await session.execute(statement)).scalar_one() or 0) + 1


async def list_thresholds(session: AsyncSession) -> list[ThresholdVersion]:
    statement = select(ThresholdVersion).order_by(ThresholdVersion.version.desc())
    return list((await session.execute(statement)).scalars())


# --- standings -------------------------------------------------------------------------------


async def get_standing(
    session: AsyncSession, seller_id: uuid.UUID, *, for_update: bool = False
) -> Standing | None:
    statement = select(Standing).where(Standing.seller_id == seller_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def list_standings(session: AsyncSession, level: int | None = None) -> list[Standing]:
    statement = select(Standing).order_by(Standing.level.desc(), Standing.seller_name)
    if level is not None:
        statement = statement.where(Standing.level == level)
    return list((await session.execute(statement)).scalars())


async def sellers_with_standing(session: AsyncSession) -> list[uuid.UUID]:
    return list((await session.execute(select(Standing.seller_id))).scalars())


# --- changes and appeals ---------------------------------------------------------------------


async def list_changes(
    session: AsyncSession, seller_id: uuid.UUID, limit: int = 100
) -> list[StandingChange]:
    statement = (
        select(StandingChange)
        .where(StandingChange.seller_id == seller_id)
        .order_by(StandingChange.created_at.desc(), StandingChange.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def latest_change(session: AsyncSession, seller_id: uuid.UUID) -> StandingChange | None:
    found = await list_changes(session, seller_id, limit=1)
    return found[0] if found else None


async def get_appeal(
    session: AsyncSession, appeal_id: uuid.UUID, *, for_update: bool = False
) -> Appeal | None:
    statement = select(Appeal).where(Appeal.id == appeal_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def appeal_of_change(session: AsyncSession, change_id: uuid.UUID) -> Appeal | None:
    statement = select(Appeal).where(Appeal.change_id == change_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def list_appeals(
    session: AsyncSession, *, seller_id: uuid.UUID | None = None, status: str | None = None
) -> list[Appeal]:
    statement = select(Appeal).order_by(Appeal.created_at.desc(), Appeal.id)
    if seller_id is not None:
        statement = statement.where(Appeal.seller_id == seller_id)
    if status is not None:
        statement = statement.where(Appeal.status == status)
    return list((await session.execute(statement.limit(200))).scalars())


# --- dispute response times ------------------------------------------------------------------


async def get_dispute_response(
    session: AsyncSession, dispute_id: uuid.UUID
) -> DisputeResponse | None:
    statement = select(DisputeResponse).where(DisputeResponse.dispute_id == dispute_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def response_seconds(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime, until: datetime
) -> list[int]:
    """Seconds from opening to the seller's first answer, of the answered disputes opened in
    ``[since, until)``."""
    statement = select(DisputeResponse.opened_at, DisputeResponse.answered_at).where(
        DisputeResponse.seller_id == seller_id,
        DisputeResponse.opened_at >= since,
        DisputeResponse.opened_at < until,
        DisputeResponse.answered_at.is_not(None),
    )
    rows = (await session.execute(statement)).all()
    return [int((answered - opened).total_seconds()) for opened, answered in rows if answered]
