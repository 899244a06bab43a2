"""All SQL of the disputes domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.disputes.models import Dispute, DisputeEvidence, DisputeMessage, Return
from mercato.kit.repository import Slice, newest_first

ACTIVE_STATUSES = ("open", "seller_responded", "escalated")
COUNTED_RETURN_STATUSES = ("requested", "approved", "received", "refunded")


def add(session: AsyncSession, row: object) -> None:
    session.add(row)


async def get_dispute(
    session: AsyncSession, dispute_id: uuid.UUID, *, for_update: bool = False, full: bool = False
) -> Dispute | None:
    statement = select(Dispute).where(Dispute.id == dispute_id)
    if full:
        statement = statement.options(
            selectinload(Dispute.messages), selectinload(Dispute.evidence)
        )
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def disputes_of_order(session: AsyncSession, order_id: uuid.UUID) -> Sequence[Dispute]:
    statement = select(Dispute).where(Dispute.order_id == order_id).order_by(Dispute.created_at)
    return list((await session.execute(statement)).scalars())


async def active_on_line(session: AsyncSession, line_id: uuid.UUID) -> Dispute | None:
    statement = select(Dispute).where(Dispute.open_line_id == line_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def count_active_on_order(session: AsyncSession, order_id: uuid.UUID) -> int:
    statement = select(func.count()).where(
        Dispute.order_id == order_id, Dispute.status.in_(ACTIVE_STATUSES)
    )
    return int((await session.execute(statement)).scalar_one())


async def refunded_on_line(session: AsyncSession, line_id: uuid.UUID) -> int:
    """What disputes of this line refunded so far (by amount, outside the line's quantities)."""
    statement = select(func.coalesce(func.sum(Dispute.refunded_minor), 0)).where(
        Dispute.order_line_id == line_id
    )
    return int((await session.execute(statement)).scalar_one())


async def list_disputes(
    session: AsyncSession,
    *,
    buyer_id: uuid.UUID | None,
    seller_id: uuid.UUID | None,
    statuses: Sequence[str],
    cursor: str | None,
    limit: int,
) -> Slice[Dispute]:
    statement = select(Dispute)
    if buyer_id is not None:
        statement = statement.where(Dispute.buyer_id == buyer_id)
    if seller_id is not None:
        statement = statement.where(Dispute.seller_id == seller_id)
    if statuses:
        statement = statement.where(Dispute.status.in_(statuses))
    return await newest_first(session, statement, Dispute.id, cursor=cursor, limit=limit)


async def staff_queue(session: AsyncSession, limit: int = 200) -> Sequence[Dispute]:
    """Escalated first (oldest escalation first), then the other active disputes, then the
    most recently closed ones."""
    rank = case(
        (Dispute.status == "escalated", 0),
        (Dispute.status.in_(ACTIVE_STATUSES), 1),
        else_=2,
    )
    statement = (
        select(Dispute)
        .order_by(rank, func.coalesce(Dispute.escalated_at, Dispute.created_at), Dispute.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def overdue_unanswered(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    statement = (
        select(Dispute.id)
        .where(Dispute.status == "open", Dispute.answer_due_at <= now)
        .order_by(Dispute.answer_due_at)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def lapsed_answers(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    statement = (
        select(Dispute.id)
        .where(Dispute.status == "seller_responded", Dispute.escalate_until <= now)
        .order_by(Dispute.escalate_until)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def disputed_order_ids(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime
) -> set[uuid.UUID]:
    statement = select(Dispute.order_id).where(
        Dispute.seller_id == seller_id, Dispute.created_at >= since
    )
    return set((await session.execute(statement)).scalars())


async def get_message_count(session: AsyncSession, dispute_id: uuid.UUID) -> int:
    statement = select(func.count()).where(DisputeMessage.dispute_id == dispute_id)
    return int((await session.execute(statement)).scalar_one())


async def get_evidence(session: AsyncSession, evidence_id: uuid.UUID) -> DisputeEvidence | None:
    return await session.get(DisputeEvidence, evidence_id)


async def count_evidence(session: AsyncSession, dispute_id: uuid.UUID) -> int:
    statement = select(func.count()).where(DisputeEvidence.dispute_id == dispute_id)
    return int((await session.execute(statement)).scalar_one())


# --- returns ---------------------------------------------------------------------------------


async def get_return(
    session: AsyncSession, return_id: uuid.UUID, *, for_update: bool = False
) -> Return | None:
    statement = select(Return).where(Return.id == return_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def returns_of_order(session: AsyncSession, order_id: uuid.UUID) -> Sequence[Return]:
    statement = select(Return).where(Return.order_id == order_id).order_by(Return.created_at)
    return list((await session.execute(statement)).scalars())


async def returned_quantity(session: AsyncSession, line_id: uuid.UUID) -> int:
    """Units of the line already asked back (rejected returns do not count)."""
    statement = select(func.coalesce(func.sum(Return.quantity), 0)).where(
        Return.order_line_id == line_id, Return.status.in_(COUNTED_RETURN_STATUSES)
    )
    return int((await session.execute(statement)).scalar_one())


async def fees_kept_outside_escrow(session: AsyncSession, line_id: uuid.UUID) -> int:
    """Restocking fees of the line's returns that kept the whole amount, so no refund (and no
    escrow line) records their units: a dispute must not refund that money again."""
    statement = select(func.coalesce(func.sum(Return.restocking_fee_minor), 0)).where(
        Return.order_line_id == line_id,
        Return.status == "refunded",
        Return.refund_id.is_(None),
    )
    return int((await session.execute(statement)).scalar_one())


async def overdue_returns(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    """Approved returns whose ship-back time ran out, oldest deadline first."""
    statement = (
        select(Return.id)
        .where(Return.status == "approved", Return.ship_back_by <= now)
        .order_by(Return.ship_back_by, Return.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def claim_expiry(session: AsyncSession, return_id: uuid.UUID, now: datetime) -> bool:
    """Expire an approved return that is overdue at ``now``; False when it was received,
    expired by another run, or is not due (a conditional update: runs never act twice)."""
    statement = (
        update(Return)
        .where(Return.id == return_id, Return.status == "approved", Return.ship_back_by <= now)
        .values(status="expired", expired_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def list_returns(
    session: AsyncSession,
    *,
    buyer_id: uuid.UUID | None,
    seller_id: uuid.UUID | None,
    statuses: Sequence[str],
    cursor: str | None,
    limit: int,
) -> Slice[Return]:
    statement = select(Return)
    if buyer_id is not None:
        statement = statement.where(Return.buyer_id == buyer_id)
    if seller_id is not None:
        statement = statement.where(Return.seller_id == seller_id)
    if statuses:
        statement = statement.where(Return.status.in_(statuses))
    return await newest_first(session, statement, Return.id, cursor=cursor, limit=limit)
