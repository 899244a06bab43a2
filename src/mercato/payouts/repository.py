"""All SQL of the payouts domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.repository import Slice, newest_first
from mercato.payouts.models import Payout, PayoutSchedule


async def get_schedule(
    session: AsyncSession, seller_id: uuid.UUID, *, for_update: bool = False
) -> PayoutSchedule | None:
    statement = select(PayoutSchedule).where(PayoutSchedule.seller_id == seller_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def schedules_of(
    session: AsyncSession, seller_ids: list[uuid.UUID]
) -> dict[uuid.UUID, PayoutSchedule]:
    if not seller_ids:
        return {}
    statement = select(PayoutSchedule).where(PayoutSchedule.seller_id.in_(seller_ids))
    return {row.seller_id: row for row in (await session.execute(statement)).scalars()}


async def get_payout(
    session: AsyncSession, payout_id: uuid.UUID, *, for_update: bool = False
) -> Payout | None:
    statement = select(Payout).where(Payout.id == payout_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def get_by_key(session: AsyncSession, key: str) -> Payout | None:
    statement = select(Payout).where(Payout.idempotency_key == key)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_by_provider_id(
    session: AsyncSession, provider: str, provider_payout_id: str
) -> Payout | None:
    statement = (
        select(Payout)
        .where(Payout.provider == provider, Payout.provider_payout_id == provider_payout_id)
        .with_for_update()
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def list_payouts(
    session: AsyncSession,
    *,
    seller_id: uuid.UUID | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[Payout]:
    statement = select(Payout)
    if seller_id is not None:
        statement = statement.where(Payout.seller_id == seller_id)
    if status is not None:
        statement = statement.where(Payout.status == status)
    return await newest_first(session, statement, Payout.id, cursor=cursor, limit=limit)


async def previous_payout(session: AsyncSession, payout: Payout) -> Payout | None:
    """The seller's last payout in the same currency before ``payout`` whose money left (not
    failed or canceled): where its statement starts."""
    statement = (
        select(Payout)
        .where(
            Payout.seller_id == payout.seller_id,
            Payout.currency == payout.currency,
            Payout.id < payout.id,
            Payout.status.in_(("pending", "in_transit", "paid")),
        )
        .order_by(Payout.id.desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def pending_payout_ids(
    session: AsyncSession, created_before: datetime, limit: int = 100
) -> list[uuid.UUID]:
    """Payouts recorded before ``created_before`` but not yet handed to the provider (a crash,
    a lost job)."""
    statement = (
        select(Payout.id)
        .where(Payout.status == "pending", Payout.created_at < created_before)
        .order_by(Payout.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())
