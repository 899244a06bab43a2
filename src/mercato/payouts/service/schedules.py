"""Payout schedules: when each seller is paid and the minimum per currency. A seller without a
schedule of its own is paid daily with the platform's default minimums."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal
from mercato.kit.errors import NotFound
from mercato.kit.ids import new_id
from mercato.payouts import repository
from mercato.payouts.calculations import (
    DEFAULT_SCHEDULE,
    Schedule,
    describe_schedule,
    validate_schedule,
)
from mercato.payouts.models import PayoutSchedule
from mercato.payouts.schemas import Interval, ScheduleIn, ScheduleOut
from mercato.payouts.service._common import own_seller_id, require_staff
from mercato.payouts.settings import payout_settings
from mercato.sellers.service import get_seller


def schedule_of(row: PayoutSchedule | None) -> Schedule:
    if row is None:
        return DEFAULT_SCHEDULE
    return Schedule(Interval(row.interval), row.weekly_anchor, row.monthly_anchor)


def _minimums(row: PayoutSchedule | None) -> dict[str, int]:
    found = dict(payout_settings().default_minimums)
    if row is not None:
        found.update({code: int(amount) for code, amount in row.minimums.items()})
    return found


def _out(seller_id: uuid.UUID, row: PayoutSchedule | None) -> ScheduleOut:
    schedule = schedule_of(row)
    return ScheduleOut(
        seller_id=seller_id,
        interval=schedule.interval,
        weekly_anchor=schedule.weekly_anchor,
        monthly_anchor=schedule.monthly_anchor,
        minimums=_minimums(row),
        is_default=row is None,
        description=describe_schedule(schedule),
    )


async def minimum_for(session: AsyncSession, seller_id: uuid.UUID, currency: str) -> int:
    """The seller's minimum payout in ``currency`` (at least one minor unit)."""
    row = await repository.get_schedule(session, seller_id)
    return max(_minimums(row).get(currency, 1), 1)


async def get_my_schedule(session: AsyncSession, principal: Principal) -> ScheduleOut:
    """The signed-in seller's payout schedule (the default one until it saves its own)."""
    seller_id = await own_seller_id(session, principal)
    return _out(seller_id, await repository.get_schedule(session, seller_id))


async def save_my_schedule(
    session: AsyncSession, principal: Principal, data: ScheduleIn
) -> ScheduleOut:
    """Set the signed-in seller's payout schedule."""
    seller_id = await own_seller_id(session, principal)
    return await _save(session, seller_id, data)


async def get_seller_schedule(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID
) -> ScheduleOut:
    """Any seller's schedule, for staff."""
    require_staff(principal)
    await _existing_seller(session, seller_id)
    return _out(seller_id, await repository.get_schedule(session, seller_id))


async def save_seller_schedule(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID, data: ScheduleIn
) -> ScheduleOut:
    """Set any seller's schedule (admins only)."""
    require_staff(principal, write=True)
    await _existing_seller(session, seller_id)
    return await _save(session, seller_id, data)


async def _existing_seller(session: AsyncSession, seller_id: uuid.UUID) -> None:
    if await get_seller(session, seller_id) is None:
        raise NotFound("No such seller.")


async def _save(session: AsyncSession, seller_id: uuid.UUID, data: ScheduleIn) -> ScheduleOut:
    schedule, minimums = validate_schedule(
        data.interval, data.weekly_anchor, data.monthly_anchor, data.minimums
    )
    row = await repository.get_schedule(session, seller_id, for_update=True)
    if row is None:
        row = PayoutSchedule(id=new_id(), seller_id=seller_id, created_at=clock.now())
        session.add(row)
    row.interval = schedule.interval.value
    row.weekly_anchor = schedule.weekly_anchor
    row.monthly_anchor = schedule.monthly_anchor
    row.minimums = minimums
    row.updated_at = clock.now()
    await session.flush()
    return _out(seller_id, row)
