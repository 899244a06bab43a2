"""All SQL of the orders domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.kit.repository import Slice, newest_first
from mercato.orders.models import Order, OrderGroup, OrderLine, OrderMessage, OrderTransition


def _with_orders() -> Select[OrderGroup]:
    return select(OrderGroup).options(selectinload(OrderGroup.orders).selectinload(Order.lines))


def _with_details() -> Select[Order]:
    return select(Order).options(selectinload(Order.lines), selectinload(Order.transitions))


async def get_group(
    session: AsyncSession, group_id: uuid.UUID, *, for_update: bool = False
) -> OrderGroup | None:
    statement = _with_orders().where(OrderGroup.id == group_id)
    if for_update:
        statement = statement.with_for_update(of=OrderGroup)
    return (await session.execute(statement)).scalar_one_or_none()


async def lock_group(session: AsyncSession, group_id: uuid.UUID) -> OrderGroup | None:
    """The group alone, row-locked: for a caller that locks its orders next."""
    statement = select(OrderGroup).where(OrderGroup.id == group_id).with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def get_group_by_key(
    session: AsyncSession, buyer_id: uuid.UUID, idempotency_key: str
) -> OrderGroup | None:
    statement = _with_orders().where(
        OrderGroup.buyer_id == buyer_id, OrderGroup.idempotency_key == idempotency_key
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def get_order(
    session: AsyncSession, order_id: uuid.UUID, *, for_update: bool = False
) -> Order | None:
    statement = _with_details().where(Order.id == order_id)
    if for_update:
        statement = statement.with_for_update(of=Order)
    return (await session.execute(statement)).scalar_one_or_none()


async def list_groups_of_buyer(
    session: AsyncSession, buyer_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Slice[OrderGroup]:
    statement = _with_orders().where(OrderGroup.buyer_id == buyer_id)
    return await newest_first(session, statement, OrderGroup.id, cursor=cursor, limit=limit)


async def list_orders(
    session: AsyncSession,
    *,
    buyer_id: uuid.UUID | None = None,
    seller_id: uuid.UUID | None = None,
    statuses: Sequence[str] = (),
    kind: str | None = None,
    number: str | None = None,
    cursor: str | None,
    limit: int,
) -> Slice[Order]:
    """Orders newest first, narrowed to one buyer or one seller (None: everyone's)."""
    statement = select(Order).options(selectinload(Order.lines))
    if buyer_id is not None:
        statement = statement.where(Order.buyer_id == buyer_id)
    if seller_id is not None:
        statement = statement.where(Order.seller_id == seller_id)
    if statuses:
        statement = statement.where(Order.status.in_(list(statuses)))
    if kind is not None:
        statement = statement.where(Order.kind == kind)
    if number:
        prefix = number.strip().upper()
        statement = statement.where(
            or_(Order.number.startswith(prefix), Order.id == _as_uuid(number))
        )
    return await newest_first(session, statement, Order.id, cursor=cursor, limit=limit)


async def shipping_addresses(
    session: AsyncSession, group_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, str | None]]:
    """The shipping address of each group that has one."""
    statement = select(OrderGroup.id, OrderGroup.shipping_address).where(
        OrderGroup.id.in_(list(group_ids))
    )
    rows = await session.execute(statement)
    return {row.id: row.shipping_address for row in rows if row.shipping_address}


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


async def lock_orders_of_group(session: AsyncSession, group_id: uuid.UUID) -> list[Order]:
    statement = (
        select(Order)
        .options(selectinload(Order.lines))
        .where(Order.group_id == group_id)
        .order_by(Order.position)
        .with_for_update(of=Order)
    )
    return list((await session.execute(statement)).scalars())


async def groups_with_lapsed_reservation(
    session: AsyncSession, now: datetime, limit: int
) -> list[uuid.UUID]:
    statement = (
        select(OrderGroup.id)
        .where(OrderGroup.status == "awaiting_payment", OrderGroup.reserved_until <= now)
        .order_by(OrderGroup.reserved_until)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def orders_due(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    statement = (
        select(Order.id)
        .where(Order.due_at.is_not(None), Order.due_at <= now)
        .order_by(Order.due_at)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


def add_transition(session: AsyncSession, transition: OrderTransition) -> None:
    session.add(transition)


async def lines_of_orders(session: AsyncSession, order_ids: Sequence[uuid.UUID]) -> list[OrderLine]:
    statement = select(OrderLine).where(OrderLine.order_id.in_(list(order_ids)))
    return list((await session.execute(statement)).scalars())


async def orders_paid_between(
    session: AsyncSession,
    since: datetime | None,
    until: datetime | None,
    *,
    seller_id: uuid.UUID | None = None,
    order_ids: Sequence[uuid.UUID] | None = None,
) -> list[Order]:
    """Orders paid in ``[since, until)`` with their lines (SLA clocks and their preview)."""
    statement = (
        select(Order)
        .options(selectinload(Order.lines))
        .where(Order.paid_at.is_not(None))
        .order_by(Order.paid_at, Order.id)
    )
    if since is not None:
        statement = statement.where(Order.paid_at >= since)
    if until is not None:
        statement = statement.where(Order.paid_at < until)
    if seller_id is not None:
        statement = statement.where(Order.seller_id == seller_id)
    if order_ids is not None:
        statement = statement.where(Order.id.in_(order_ids))
    return list((await session.execute(statement)).scalars())


async def first_transitions_to(
    session: AsyncSession, order_ids: Sequence[uuid.UUID], status: str
) -> dict[uuid.UUID, datetime]:
    """When each order first reached ``status`` (a status without its own timestamp column)."""
    if not order_ids:
        return {}
    statement = (
        select(OrderTransition.order_id, func.min(OrderTransition.created_at))
        .where(OrderTransition.order_id.in_(order_ids), OrderTransition.to_status == status)
        .group_by(OrderTransition.order_id)
    )
    rows = (await session.execute(statement)).all()
    return {row[0]: row[1] for row in rows}


# --- messages --------------------------------------------------------------------------------

BUYER, SELLER = "buyer", "seller"


def add_message(session: AsyncSession, message: OrderMessage) -> None:
    session.add(message)


async def list_messages(session: AsyncSession, order_id: uuid.UUID) -> list[OrderMessage]:
    """An order's thread, oldest first."""
    statement = (
        select(OrderMessage)
        .where(OrderMessage.order_id == order_id)
        .order_by(OrderMessage.created_at, OrderMessage.id)
    )
    return list((await session.execute(statement)).scalars())


def _waiting(seller_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    conditions = [OrderMessage.author == BUYER, OrderMessage.answered_at.is_(None)]
    if seller_id is not None:
        conditions.append(OrderMessage.seller_id == seller_id)
    return conditions


async def first_waiting_at(session: AsyncSession, order_id: uuid.UUID) -> datetime | None:
    """When the oldest buyer message the seller has not answered was written."""
    statement = select(func.min(OrderMessage.created_at)).where(
        OrderMessage.order_id == order_id, *_waiting()
    )
    found: datetime | None = (await session.execute(statement)).scalar_one()
    return found


async def answer_waiting(session: AsyncSession, order_id: uuid.UUID, at: datetime) -> None:
    """Mark every buyer message still waiting on the order as answered at ``at``."""
    statement = (
        update(OrderMessage)
        .where(OrderMessage.order_id == order_id, *_waiting())
        .values(answered_at=at)
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)


async def waiting_messages(
    session: AsyncSession, seller_id: uuid.UUID, limit: int
) -> list[tuple[OrderMessage, str]]:
    """The seller's unanswered buyer messages with their order's number, oldest first."""
    statement = (
        select(OrderMessage, Order.number)
        .join(Order, Order.id == OrderMessage.order_id)
        .where(*_waiting(seller_id))
        .order_by(OrderMessage.created_at, OrderMessage.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def reply_waits(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """(first buyer message, the seller's reply) of each wait the seller answered, for the
    waits that began in ``[since, until)``: one reply answers every buyer message before it,
    so the messages it answered share its time."""
    first = func.min(OrderMessage.created_at)
    statement = (
        select(first, OrderMessage.answered_at)
        .where(
            OrderMessage.seller_id == seller_id,
            OrderMessage.author == BUYER,
            OrderMessage.answered_at >= since,
        )
        .group_by(OrderMessage.order_id, OrderMessage.answered_at)
        .having(first >= since, first < until)
    )
    rows = (await session.execute(statement)).all()
    return [(row[0], row[1]) for row in rows if row[1] is not None]
