"""Each paid order's escrow: opened when the order is paid (with its fee assessed once), made
releasable when the order completes, frozen while a dispute is open; and what it holds."""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.commission.schemas import FeeRequest, FeeRequestLine
from mercato.commission.service import assess_order_fees
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound
from mercato.kit.pagination import Page
from mercato.orders.events import OrderCompleted, OrderPaid
from mercato.settlement import repository
from mercato.settlement.models import Escrow, EscrowLine
from mercato.settlement.schemas import EscrowOut, EscrowStatus
from mercato.settlement.service._views import escrow_out
from mercato.settlement.service.holds import order_hold_period
from mercato.settlement.settings import settlement_settings

log = structlog.get_logger(__name__)


class EscrowNotOpened(Conflict):
    """The order's payment has not been settled into an escrow yet (its event is on the way)."""

    slug, title = "escrow-not-opened", "The order's escrow is not open yet"


async def open_escrow(session: AsyncSession, event: OrderPaid) -> bool:
    """Record the escrow of a paid order, with its lines and its fee assessed now from the
    rules in force. False when it already exists (the event came again)."""
    if await repository.get_escrow_of_order(session, event.order_id) is not None:
        return False
    paid_at = event.paid_at or clock.now()
    captured = event.captured_minor or event.total_minor
    fees = await assess_order_fees(session, _fee_request(event, paid_at))
    escrow = Escrow(
        order_id=event.order_id,
        group_id=event.group_id,
        seller_id=event.seller_id,
        buyer_id=event.buyer_id,
        number=event.number,
        kind=event.kind,
        currency=event.currency,
        escrow_account=event.escrow_account,
        status=EscrowStatus.HELD.value,
        captured_minor=captured,
        shipping_minor=event.shipping_minor,
        fee_minor=min(fees.fee_minor, captured),
        refunded_minor=0,
        refunded_fee_minor=0,
        released_minor=0,
        released_fee_minor=0,
        paid_at=paid_at,
        horizon_alert_at=paid_at + settlement_settings().horizon_alert_after,
        lines=[
            EscrowLine(
                position=position,
                line_id=line.line_id,
                listing_id=line.listing_id,
                variant_id=line.variant_id,
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                line_total_minor=line.line_total_minor,
                refunded_quantity=0,
                refunded_minor=0,
            )
            for position, line in enumerate(event.lines)
        ],
    )
    repository.add(session, escrow)
    await session.flush()
    log.info("settlement.escrow_opened", order_id=str(event.order_id), fee_minor=escrow.fee_minor)
    return True


def _fee_request(event: OrderPaid, paid_at: datetime) -> FeeRequest:
    return FeeRequest(
        order_id=event.order_id,
        seller_id=event.seller_id,
        currency=event.currency,
        paid_at=paid_at,
        lines=[
            FeeRequestLine(
                line_id=line.line_id,
                listing_id=line.listing_id,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                line_total_minor=line.line_total_minor,
            )
            for line in event.lines
        ],
    )


async def mark_completed(session: AsyncSession, event: OrderCompleted) -> bool:
    """The order completed: its escrow becomes releasable after the seller's hold period.
    False when already done; :class:`EscrowNotOpened` (retried later) before the escrow
    exists."""
    escrow = await repository.get_escrow_of_order(session, event.order_id, for_update=True)
    if escrow is None:
        raise EscrowNotOpened(f"Order {event.order_id} has no escrow yet.")
    if escrow.status != EscrowStatus.HELD.value:
        return False
    completed_at = event.completed_at or clock.now()
    escrow.status = EscrowStatus.RELEASABLE.value
    escrow.completed_at = completed_at
    escrow.release_after = completed_at + await order_hold_period(session, escrow)
    await session.flush()
    return True


async def freeze_escrow(session: AsyncSession, order_id: uuid.UUID, reason: str) -> EscrowOut:
    """Block the order's release and refunds while a dispute is open (idempotent; the first
    reason is kept). 404 when the order has no escrow."""
    escrow = await _locked(session, order_id)
    if escrow.frozen_at is None:
        escrow.frozen_at, escrow.frozen_reason = clock.now(), reason
        await session.flush()
    return escrow_out(escrow, clock.now())


async def unfreeze_escrow(session: AsyncSession, order_id: uuid.UUID) -> EscrowOut:
    """Lift a freeze: the sweep releases the escrow again once it is due (idempotent)."""
    escrow = await _locked(session, order_id)
    if escrow.frozen_at is not None:
        escrow.frozen_at, escrow.frozen_reason = None, None
        await session.flush()
    return escrow_out(escrow, clock.now())


async def freeze_by_admin(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, reason: str
) -> EscrowOut:
    """:func:`freeze_escrow` by hand, for admins."""
    principal.require_role(Role.ADMIN)
    return await freeze_escrow(session, order_id, reason)


async def unfreeze_by_admin(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> EscrowOut:
    """:func:`unfreeze_escrow` by hand, for admins."""
    principal.require_role(Role.ADMIN)
    return await unfreeze_escrow(session, order_id)


async def _locked(session: AsyncSession, order_id: uuid.UUID) -> Escrow:
    escrow = await repository.get_escrow_of_order(session, order_id, for_update=True)
    if escrow is None:
        raise NotFound("This order has no escrow.")
    return escrow


async def escrow_held_minor(session: AsyncSession, seller_id: uuid.UUID, currency: str) -> int:
    """Money still in escrow for the seller's paid, unreleased orders, after refunds."""
    return await repository.held_sum(session, seller_id, currency, frozen_only=False)


async def frozen_minor(session: AsyncSession, seller_id: uuid.UUID, currency: str) -> int:
    """The part of :func:`escrow_held_minor` frozen by open disputes."""
    return await repository.held_sum(session, seller_id, currency, frozen_only=True)


async def get_escrow(session: AsyncSession, principal: Principal, order_id: uuid.UUID) -> EscrowOut:
    """One order's escrow with its lines: staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    escrow = await repository.get_escrow_of_order(session, order_id)
    if escrow is None:
        raise NotFound("This order has no escrow.")
    return escrow_out(escrow, clock.now(), with_lines=True)


async def escrow_of_order(session: AsyncSession, order_id: uuid.UUID) -> EscrowOut | None:
    """The order's escrow (for the orders domain, which has already checked who may see the
    order); None before the payment is settled."""
    escrow = await repository.get_escrow_of_order(session, order_id)
    return None if escrow is None else escrow_out(escrow, clock.now(), with_lines=True)


async def list_escrows(
    session: AsyncSession,
    principal: Principal,
    *,
    status: EscrowStatus | None = None,
    frozen: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[EscrowOut]:
    """Escrows newest first, by status (held / releasable / released / refunded) or frozen:
    staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    found = await repository.list_escrows(
        session,
        status=status.value if status else None,
        frozen=frozen,
        seller_id=None,
        cursor=cursor,
        limit=limit,
    )
    now = clock.now()
    return Page[EscrowOut](
        items=[escrow_out(e, now) for e in found.rows], next_cursor=found.next_cursor
    )
