"""The buyer's, seller's and admin's moves on an order: accept, ship, confirm delivery,
schedule, mark performed, confirm a service, cancel — each checked by the state machine for
this caller's role on this order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Forbidden, MercatoError, ValidationFailed
from mercato.orders.policy import Actor, OrderStatus
from mercato.orders.schemas import BulkOutcome, CancelIn, OrderOut, ScheduleIn, ShipIn
from mercato.orders.service._access import viewer_of, visible_order
from mercato.orders.service._views import order_out
from mercato.orders.service.lifecycle import move

S = OrderStatus


async def transition_order(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    target: OrderStatus,
    *,
    ship: ShipIn | None = None,
    schedule: ScheduleIn | None = None,
    cancel: CancelIn | None = None,
) -> OrderOut:
    """Move one order to ``target`` as the caller: 404 if they may not see it, 403 if their
    role may not make this move, 409 if the order's status does not allow it."""
    viewer = await viewer_of(session, principal)
    order, group = await visible_order(session, viewer, order_id, for_update=True)
    actor = viewer.actor_for(order)
    if actor is None:
        raise Forbidden("Support staff can look at orders but not change them.")
    note = None
    if target is S.SHIPPED:
        if ship is None:
            raise ValueError("shipping details are required")
        order.carrier, order.tracking_number = ship.carrier, ship.tracking_number.upper()
        note = f"{ship.carrier} {order.tracking_number}"
    elif target is S.SCHEDULED:
        if schedule is None:
            raise ValueError("a date is required")
        order.scheduled_for = schedule.scheduled_for
        note = f"for {schedule.scheduled_for:%Y-%m-%d %H:%M %Z}"
    elif target is S.CANCELED:
        note = (cancel.reason or "").strip() if cancel else ""
        if actor in (Actor.SELLER, Actor.ADMIN) and not note:
            raise ValidationFailed.on("reason", "Tell the buyer why the order is cancelled.")
    await move(session, order, target, actor, user_id=principal.user_id, note=note, group=group)
    await session.flush()
    await session.refresh(order, ["transitions"])
    return order_out(order, group, actor)


async def transition_orders(
    session: AsyncSession,
    principal: Principal,
    order_ids: Sequence[uuid.UUID],
    target: OrderStatus,
) -> list[BulkOutcome]:
    """The seller's bulk action (accept many, mark many performed): each order is tried in a
    savepoint, so one refusal never undoes the others; the outcome says which failed and why."""
    principal.require_role(Role.SELLER)
    outcomes = []
    for order_id in dict.fromkeys(order_ids):
        try:
            async with session.begin_nested():
                moved = await transition_order(session, principal, order_id, target)
            outcomes.append(BulkOutcome(order_id=order_id, ok=True, status=moved.status))
        except MercatoError as refused:
            outcomes.append(BulkOutcome(order_id=order_id, ok=False, error=refused.detail))
    return outcomes
