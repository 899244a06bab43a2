"""All SQL of the settlement domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.kit import clock
from mercato.kit.repository import Slice, newest_first
from mercato.settlement.models import Escrow, EscrowLine, Refund, SellerHold
from mercato.settlement.schemas import EscrowStatus

OPEN = (EscrowStatus.HELD.value, EscrowStatus.RELEASABLE.value)


def _with_lines() -> Select[Escrow]:
    return select(Escrow).options(selectinload(Escrow.lines))


async def get_escrow_of_order(
    session: AsyncSession, order_id: uuid.UUID, *, for_update: bool = False
) -> Escrow | None:
    statement = _with_lines().where(Escrow.order_id == order_id)
    if for_update:
        # Re-read after the lock: a concurrent release or refund may have changed the row.
        statement = statement.with_for_update(of=Escrow).execution_options(populate_existing=True)
    return (await session.execute(statement)).scalar_one_or_none()


def add(session: AsyncSession, row: Escrow | EscrowLine | Refund | SellerHold) -> None:
    session.add(row)


async def list_escrows(
    session: AsyncSession,
    *,
    status: str | None,
    frozen: bool | None,
    seller_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Slice[Escrow]:
    statement = select(Escrow)
    if status:
        statement = statement.where(Escrow.status == status)
    if frozen is not None:
        statement = statement.where(
            Escrow.frozen_at.is_not(None) if frozen else Escrow.frozen_at.is_(None)
        )
    if seller_id is not None:
        statement = statement.where(Escrow.seller_id == seller_id)
    return await newest_first(session, statement, Escrow.id, cursor=cursor, limit=limit)


async def claim_release(
    session: AsyncSession, escrow_id: uuid.UUID, due_by: datetime | None
) -> bool:
    """Mark a releasable escrow released, only if it still is (and, with ``due_by``, its hold
    period is over): of two sweeps, or a sweep and an admin's "release now", one wins the row."""
    conditions = [
        Escrow.id == escrow_id,
        Escrow.status == EscrowStatus.RELEASABLE.value,
        Escrow.frozen_at.is_(None),
    ]
    if due_by is not None:
        conditions.append(Escrow.release_after <= due_by)
    now = clock.now()
    statement = (
        update(Escrow)
        .where(*conditions)
        .values(status=EscrowStatus.RELEASED.value, released_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0) == 1)


async def due_for_release(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(order id, seller id) of the escrows due longest, at most ``limit``."""
    statement = (
        select(Escrow.order_id, Escrow.seller_id)
        .where(
            Escrow.status == EscrowStatus.RELEASABLE.value,
            Escrow.frozen_at.is_(None),
            Escrow.release_after <= now,
        )
        .order_by(Escrow.release_after, Escrow.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def near_horizon(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    statement = (
        select(Escrow.order_id)
        .where(
            Escrow.status.in_(OPEN),
            Escrow.horizon_alerted_at.is_(None),
            Escrow.horizon_alert_at <= now,
        )
        .order_by(Escrow.horizon_alert_at, Escrow.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def claim_horizon_alert(session: AsyncSession, order_id: uuid.UUID, now: datetime) -> bool:
    statement = (
        update(Escrow)
        .where(Escrow.order_id == order_id, Escrow.horizon_alerted_at.is_(None))
        .values(horizon_alerted_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(await session.execute(statement), "rowcount", 0) == 1)


async def held_sum(
    session: AsyncSession, seller_id: uuid.UUID, currency: str, *, frozen_only: bool
) -> int:
    statement = select(func.coalesce(func.sum(Escrow.captured_minor - Escrow.refunded_minor), 0))
    statement = statement.where(
        Escrow.seller_id == seller_id, Escrow.currency == currency, Escrow.status.in_(OPEN)
    )
    if frozen_only:
        statement = statement.where(Escrow.frozen_at.is_not(None))
    return int((await session.execute(statement)).scalar_one())


async def get_refund_by_key(session: AsyncSession, key: str) -> Refund | None:
    statement = select(Refund).where(Refund.idempotency_key == key)
    return (await session.execute(statement)).scalar_one_or_none()


async def refunds_of_order(session: AsyncSession, order_id: uuid.UUID) -> list[Refund]:
    statement = select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)
    return list((await session.execute(statement)).scalars())


async def list_refunds(
    session: AsyncSession, *, seller_id: uuid.UUID | None, cursor: str | None, limit: int
) -> Slice[Refund]:
    statement = select(Refund)
    if seller_id is not None:
        statement = statement.where(Refund.seller_id == seller_id)
    return await newest_first(session, statement, Refund.id, cursor=cursor, limit=limit)


async def get_seller_hold(session: AsyncSession, seller_id: uuid.UUID) -> SellerHold | None:
    statement = select(SellerHold).where(SellerHold.seller_id == seller_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def list_seller_holds(session: AsyncSession) -> Sequence[SellerHold]:
    statement = select(SellerHold).order_by(SellerHold.updated_at.desc())
    return list((await session.execute(statement)).scalars())


async def seller_hold_days(
    session: AsyncSession, seller_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """The own hold period of each of these sellers that has one."""
    if not seller_ids:
        return {}
    statement = select(SellerHold.seller_id, SellerHold.hold_days).where(
        SellerHold.seller_id.in_(seller_ids)
    )
    return {row[0]: row[1] for row in (await session.execute(statement)).all()}


async def escrows_completed_between(
    session: AsyncSession, since: datetime, until: datetime
) -> Sequence[Escrow]:
    """The escrows of the orders completed from ``since`` up to ``until`` (both included),
    with their lines, oldest completion first."""
    statement = (
        _with_lines()
        .where(Escrow.completed_at >= since, Escrow.completed_at <= until)
        .order_by(Escrow.completed_at, Escrow.id)
    )
    return list((await session.execute(statement)).scalars())


# --- invariants (``mercato payments ledger-check``) -----------------------------------------


async def settled_escrows(session: AsyncSession) -> Sequence[tuple[uuid.UUID, str, str]]:
    """(order id, escrow account, currency) of every released or fully refunded escrow."""
    statement = select(Escrow.order_id, Escrow.escrow_account, Escrow.currency).where(
        Escrow.status.in_((EscrowStatus.RELEASED.value, EscrowStatus.REFUNDED.value))
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(statement)).all()]


async def refund_totals_above_captured(
    session: AsyncSession,
) -> Sequence[tuple[uuid.UUID, int, int]]:
    """(order id, captured, sum of refunds) where the refunds exceed what was captured."""
    refunded = (
        select(Refund.escrow_id, func.sum(Refund.amount_minor).label("total"))
        .group_by(Refund.escrow_id)
        .subquery()
    )
    statement = (
        select(Escrow.order_id, Escrow.captured_minor, refunded.c.total)
        .join(refunded, refunded.c.escrow_id == Escrow.id)
        .where(refunded.c.total > Escrow.captured_minor)
    )
    return [(r[0], int(r[1]), int(r[2])) for r in (await session.execute(statement)).all()]


async def refund_totals_out_of_step(
    session: AsyncSession,
) -> Sequence[tuple[uuid.UUID, int, int]]:
    """(order id, escrow's refunded total, sum of its refund rows) where they differ."""
    refunded = (
        select(Refund.escrow_id, func.sum(Refund.amount_minor).label("total"))
        .group_by(Refund.escrow_id)
        .subquery()
    )
    total = func.coalesce(refunded.c.total, 0)
    statement = (
        select(Escrow.order_id, Escrow.refunded_minor, total)
        .outerjoin(refunded, refunded.c.escrow_id == Escrow.id)
        .where(total != Escrow.refunded_minor)
    )
    return [(r[0], int(r[1]), int(r[2])) for r in (await session.execute(statement)).all()]


async def overspent_escrows(session: AsyncSession) -> Sequence[tuple[uuid.UUID, int, int, int]]:
    """(order id, captured, released, refunded from escrow) where what left the escrow, by
    release or by refunds before it, exceeds what was captured. Refunds after the release
    come from the seller's balance, not from the escrow."""
    from_escrow = (
        select(Refund.escrow_id, func.sum(Refund.amount_minor).label("total"))
        .where(Refund.phase == "before_release")
        .group_by(Refund.escrow_id)
        .subquery()
    )
    refunded = func.coalesce(from_escrow.c.total, 0)
    statement = (
        select(Escrow.order_id, Escrow.captured_minor, Escrow.released_minor, refunded)
        .outerjoin(from_escrow, from_escrow.c.escrow_id == Escrow.id)
        .where(Escrow.released_minor + refunded > Escrow.captured_minor)
    )
    rows = (await session.execute(statement)).all()
    return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]
