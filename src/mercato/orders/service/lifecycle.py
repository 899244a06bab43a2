"""Moving orders through their state machine: by the buyer, the seller, an admin, or the
system (payment, timers). Every move is checked against :mod:`mercato.orders.policy`, recorded
with its actor and time, announced as an event after the commit, and mailed to the party that
needs to know."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog.service import release_stock
from mercato.kit import clock, events
from mercato.kit.errors import Conflict, Forbidden
from mercato.kit.outbox import announce
from mercato.orders import repository
from mercato.orders.events import (
    CANCELED_TOPIC,
    COMPLETED_TOPIC,
    OrderCanceled,
    OrderCompleted,
    OrderStatusChanged,
)
from mercato.orders.models import Order, OrderGroup, OrderTransition
from mercato.orders.policy import (
    RESTOCK_ON_CANCEL,
    Actor,
    Kind,
    OrderStatus,
    TransitionRefused,
    check_transition,
    due_after,
)
from mercato.orders.service.notices import notify_transition
from mercato.orders.settings import order_settings

S = OrderStatus

_STAMPS = {
    S.PAID: "paid_at",
    S.ACCEPTED: "accepted_at",
    S.SHIPPED: "shipped_at",
    S.DELIVERED: "delivered_at",
    S.PERFORMED: "performed_at",
    S.CONFIRMED: "confirmed_at",
    S.COMPLETED: "completed_at",
    S.CANCELED: "canceled_at",
}


async def move(
    session: AsyncSession,
    order: Order,
    target: OrderStatus,
    actor: Actor,
    *,
    user_id: uuid.UUID | None = None,
    note: str | None = None,
    group: OrderGroup | None = None,
) -> None:
    """Move ``order`` to ``target`` or raise (409 when the machine refuses, 403 when this
    actor may not). The caller has set the fields the new status needs (tracking, date)."""
    current = OrderStatus(order.status)
    try:
        check_transition(Kind(order.kind), current, target, actor, note)
    except TransitionRefused as refused:
        raise (Forbidden if refused.forbidden else Conflict)(str(refused)) from None
    now = clock.now()
    order.status = target.value
    if target in _STAMPS:
        setattr(order, _STAMPS[target], now)
    order.due_at = _due_at(order, target, now)
    repository.add_transition(
        session,
        OrderTransition(
            order_id=order.id,
            from_status=current.value,
            to_status=target.value,
            actor=actor.value,
            actor_user_id=user_id,
            note=(note or "").strip() or None,
            created_at=now,
        ),
    )
    if target is S.CANCELED:
        await _on_cancel(session, order, current, actor, note, group)
    events.record(
        session,
        OrderStatusChanged(order.id, order.seller_id, current.value, target.value, actor, now),
    )
    if target is S.COMPLETED:
        completed = OrderCompleted(
            order.id,
            order.seller_id,
            order.captured_minor,
            order.currency,
            order.escrow_account,
            completed_at=now,
        )
        announce(session, completed, COMPLETED_TOPIC, completed.to_payload())
    await notify_transition(session, order, target)


def _due_at(order: Order, status: OrderStatus, now: datetime) -> datetime | None:
    settings = order_settings()
    automatic = due_after(
        Kind(order.kind),
        status,
        auto_deliver_days=settings.auto_deliver_days,
        auto_confirm_days=settings.auto_confirm_days,
        complete_after_days=settings.complete_after_days,
    )
    return None if automatic is None else now + timedelta(days=automatic[1])


async def _on_cancel(
    session: AsyncSession,
    order: Order,
    previous: OrderStatus,
    actor: Actor,
    reason: str | None,
    group: OrderGroup | None,
) -> None:
    order.cancel_reason = (reason or "").strip() or None
    order.canceled_by = actor.value
    # An unpaid group gives its stock back all at once (see ``release_group_stock``).
    if previous in RESTOCK_ON_CANCEL and previous is not S.AWAITING_PAYMENT:
        await release_stock(session, [(line.variant_id, line.quantity) for line in order.lines])
    canceled = OrderCanceled(
        order.id,
        order.seller_id,
        was_paid=previous is not S.AWAITING_PAYMENT,
        reason=order.cancel_reason,
        actor=actor.value,
        canceled_at=order.canceled_at,
    )
    announce(session, canceled, CANCELED_TOPIC, canceled.to_payload())


async def release_group_stock(session: AsyncSession, group: OrderGroup) -> None:
    """Give back everything an unpaid group reserved, once."""
    if group.stock_released_at is not None:
        return
    lines = [line for order in group.orders for line in order.lines]
    await release_stock(session, [(line.variant_id, line.quantity) for line in lines])
    group.stock_released_at = clock.now()


async def advance_due_order(session: AsyncSession, order_id: uuid.UUID) -> OrderStatus | None:
    """The system's own move for one order whose timer ran out: auto-delivery,
    auto-confirmation, completion. Derived from the row, so running it twice is harmless."""
    order = await repository.get_order(session, order_id, for_update=True)
    if order is None or order.due_at is None or order.due_at > clock.now():
        return None
    settings = order_settings()
    automatic = due_after(
        Kind(order.kind),
        OrderStatus(order.status),
        auto_deliver_days=settings.auto_deliver_days,
        auto_confirm_days=settings.auto_confirm_days,
        complete_after_days=settings.complete_after_days,
    )
    if automatic is None:
        order.due_at = None
        return None
    target = automatic[0]
    note = None if target is S.COMPLETED else f"automatically after {automatic[1]} days"
    await move(session, order, target, Actor.SYSTEM, note=note)
    return target


async def orders_due(session: AsyncSession, limit: int = 200) -> list[uuid.UUID]:
    """Orders whose automatic step is due now."""
    return await repository.orders_due(session, clock.now(), limit)


async def cancel_by_system(session: AsyncSession, order_id: uuid.UUID, reason: str) -> bool:
    """Cancel a paid order that is not shipped yet (or a service not performed yet) as the
    system, e.g. the SLA's automatic cancellation. A paid order is then refunded in full by
    settlement. False when the order is gone or already past the point of cancelling."""
    order = await repository.get_order(session, order_id, for_update=True)
    if order is None:
        return False
    try:
        check_transition(
            Kind(order.kind), OrderStatus(order.status), S.CANCELED, Actor.SYSTEM, reason
        )
    except TransitionRefused:
        return False
    await move(session, order, S.CANCELED, Actor.SYSTEM, note=reason)
    return True
