"""What a payment's outcome does to its order group, and what happens to a group whose payment
never came. Both are driven by events or sweeps and derived from database state, so a
redelivered event or a second sweep changes nothing."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog.service import OutOfStock, reserve_stock
from mercato.kit import clock
from mercato.kit.outbox import announce
from mercato.orders import repository
from mercato.orders.events import PAID_TOPIC, OrderPaid, SoldLine
from mercato.orders.models import Order, OrderGroup, OrderTransition
from mercato.orders.policy import Actor, OrderStatus
from mercato.orders.service.checkout import GROUP_REFERENCE_PREFIX
from mercato.orders.service.lifecycle import move, release_group_stock
from mercato.payments.events import PaymentFailed, PaymentSucceeded
from mercato.payments.schemas import PaymentStatus
from mercato.payments.service import payment_status

log = structlog.get_logger(__name__)
EXPIRED_REASON = "Payment was not completed in time."
S = OrderStatus

# A payment that may still succeed keeps the reservation past its time: the bank transfer
# in flight, the buyer on the provider's page right now is cancelled by the sweep only once
# it has failed or been abandoned.
_STILL_PENDING = frozenset({PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED})


def group_id_of(purpose_reference: str) -> uuid.UUID | None:
    if not purpose_reference.startswith(GROUP_REFERENCE_PREFIX):
        return None
    try:
        return uuid.UUID(purpose_reference.removeprefix(GROUP_REFERENCE_PREFIX))
    except ValueError:
        return None


async def record_payment_succeeded(session: AsyncSession, event: PaymentSucceeded) -> bool:
    """Mark the group and its orders paid, with each order's captured share. False when the
    event is not about an order group or was already applied."""
    group_id = group_id_of(event.purpose_reference)
    group = await repository.lock_group(session, group_id) if group_id else None
    if group is None or group.paid_at is not None:
        return False
    orders = await repository.lock_orders_of_group(session, group.id)
    if group.status == S.CANCELED and not await _revive(session, group, orders, event):
        return False
    parts = dict(event.parts)
    now = clock.now()
    group.status, group.paid_at, group.payment_id = S.PAID.value, now, event.payment_id
    for order in orders:
        order.captured_minor = parts.get(order.escrow_account, 0)
        if order.captured_minor != order.total_minor:
            log.error("orders.capture_mismatch", order_id=str(order.id))
        await move(session, order, S.PAID, Actor.SYSTEM, note=f"payment {event.payment_id}")
        paid = _paid_event(group, order)
        announce(session, paid, PAID_TOPIC, paid.to_payload())
    return True


def _paid_event(group: OrderGroup, order: Order) -> OrderPaid:
    return OrderPaid(
        order.id,
        group.id,
        order.seller_id,
        group.buyer_id,
        order.total_minor,
        order.currency,
        order.escrow_account,
        number=order.number,
        kind=order.kind,
        items_minor=order.items_minor,
        shipping_minor=order.shipping_minor,
        captured_minor=order.captured_minor,
        paid_at=order.paid_at,
        lines=tuple(
            SoldLine(
                line.id,
                line.listing_id,
                line.variant_id,
                line.sku,
                line.title,
                line.quantity,
                line.unit_price_minor,
                line.line_total_minor,
            )
            for line in order.lines
        ),
    )


async def _revive(
    session: AsyncSession, group: OrderGroup, orders: list[Order], event: PaymentSucceeded
) -> bool:
    """The money arrived after the reservation lapsed: take the stock again if it is still
    there. If not, the group stays cancelled and its captured money is owed back to the
    buyer (the refund path of the money domain; logged for the operator)."""
    if group.cancel_reason != EXPIRED_REASON:
        return False  # cancelled by someone: not ours to undo
    lines = [line for order in orders for line in order.lines]
    try:
        async with session.begin_nested():
            await reserve_stock(session, [(line.variant_id, line.quantity) for line in lines])
    except OutOfStock:
        log.error(
            "orders.paid_after_expiry_without_stock",
            group_id=str(group.id),
            payment_id=str(event.payment_id),
        )
        group.cancel_reason = "Paid after the reservation lapsed; the items sold out: refund due."
        return False
    group.stock_released_at = None
    group.canceled_at = None
    group.cancel_reason = None
    for order in orders:
        # Outside the state machine on purpose: the cancellation was the system's own, and
        # the payment it assumed would never come has come.
        repository.add_transition(
            session,
            OrderTransition(
                order_id=order.id,
                from_status=order.status,
                to_status=S.AWAITING_PAYMENT.value,
                actor=Actor.SYSTEM.value,
                note="Payment arrived after the reservation lapsed; the stock was taken again.",
                created_at=clock.now(),
            ),
        )
        order.status = S.AWAITING_PAYMENT.value
        order.canceled_at, order.cancel_reason, order.canceled_by = None, None, None
    return True


async def record_payment_failed(session: AsyncSession, event: PaymentFailed) -> bool:
    """A failed payment leaves the group waiting: the buyer may pay again while the stock is
    reserved; the reservation sweep cancels it afterwards."""
    group_id = group_id_of(event.purpose_reference)
    if group_id is None:
        return False
    group = await repository.get_group(session, group_id)
    if group is None or group.status != S.AWAITING_PAYMENT:
        return False
    log.info("orders.payment_failed", group_id=str(group.id), code=event.failure_code)
    return True


async def expire_reservation(session: AsyncSession, group_id: uuid.UUID) -> bool:
    """Cancel an unpaid group whose reservation lapsed and give its stock back, unless its
    payment is still in flight. True when it was cancelled now."""
    group = await repository.get_group(session, group_id, for_update=True)
    if group is None or group.status != S.AWAITING_PAYMENT or group.reserved_until > clock.now():
        return False
    status = await payment_status(session, group.payment_id) if group.payment_id else None
    if status in _STILL_PENDING:
        return False
    await release_group_stock(session, group)
    group.status, group.canceled_at = S.CANCELED.value, clock.now()
    group.cancel_reason = EXPIRED_REASON
    for order in await repository.lock_orders_of_group(session, group.id):
        await move(session, order, S.CANCELED, Actor.SYSTEM, note=group.cancel_reason, group=group)
    return True


async def lapsed_reservations(session: AsyncSession, limit: int = 200) -> list[uuid.UUID]:
    return await repository.groups_with_lapsed_reservation(session, clock.now(), limit)
