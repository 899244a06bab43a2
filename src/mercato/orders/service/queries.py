"""Reading orders: a buyer's checkouts and orders, a seller's shop orders, everyone's for
staff (search by number), one order with its lines and timeline."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.commission.service import order_fees
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound
from mercato.kit.pagination import Page
from mercato.orders import repository
from mercato.orders.policy import OrderStatus
from mercato.orders.schemas import (
    OrderGroupOut,
    OrderLedger,
    OrderMoney,
    OrderOut,
    OrderSummary,
    OrderWithMoney,
    StaffOrderView,
)
from mercato.orders.service._access import viewer_of, visible_order
from mercato.orders.service._views import group_out, order_out, order_summary
from mercato.payments.service import account_history, balance, get_payment
from mercato.settlement.service import escrow_of_order, refunds_for_order


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    *,
    statuses: Sequence[OrderStatus] = (),
    kind: str | None = None,
    number: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[OrderSummary]:
    """Newest first: a buyer's own orders, a seller's shop orders, everyone's for staff."""
    viewer = await viewer_of(session, principal)
    found = await repository.list_orders(
        session,
        buyer_id=viewer.buyer_id,
        seller_id=viewer.seller_id,
        statuses=[status.value for status in statuses],
        kind=kind,
        number=number,
        cursor=cursor,
        limit=limit,
    )
    addresses = await repository.shipping_addresses(
        session, list({order.group_id for order in found.rows})
    )
    items = []
    for order in found.rows:
        address = addresses.get(order.group_id) if order.kind == "goods" else None
        ship_to = f"{address.get('city')}, {address.get('country')}" if address else None
        items.append(order_summary(order).model_copy(update={"ship_to": ship_to}))
    return Page[OrderSummary](items=items, next_cursor=found.next_cursor)


async def get_order(session: AsyncSession, principal: Principal, order_id: uuid.UUID) -> OrderOut:
    viewer = await viewer_of(session, principal)
    order, group = await visible_order(session, viewer, order_id)
    return order_out(order, group, viewer.actor_for(order))


async def get_group(
    session: AsyncSession, principal: Principal, group_id: uuid.UUID
) -> OrderGroupOut:
    """A checkout with its orders: for its buyer and staff."""
    principal.require_user()
    group = await repository.get_group(session, group_id)
    if group is None or not (principal.is_staff or group.buyer_id == principal.user_id):
        raise NotFound("No such order.")
    return group_out(group)


async def list_my_groups(
    session: AsyncSession, principal: Principal, *, cursor: str | None = None, limit: int = 20
) -> Page[OrderGroupOut]:
    buyer_id = principal.require_role(Role.BUYER)
    found = await repository.list_groups_of_buyer(session, buyer_id, cursor=cursor, limit=limit)
    return Page[OrderGroupOut](
        items=[group_out(group) for group in found.rows], next_cursor=found.next_cursor
    )


async def get_order_ledger(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> OrderLedger:
    """The ledger journals on an order's escrow account and its balance: staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    order = await repository.get_order(session, order_id)
    if order is None:
        raise NotFound("No such order.")
    held = await balance(session, order.escrow_account, order.currency)
    return OrderLedger(
        escrow_account=order.escrow_account,
        currency=order.currency,
        escrow_balance_minor=held.amount_minor,
        journals=await account_history(session, order.escrow_account),
    )


async def get_order_for_staff(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> StaffOrderView:
    """The admin console's view of one order: staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    order = await get_order(session, principal, order_id)
    group = await get_group(session, principal, order.group_id)
    payment = await get_payment(session, principal, group.payment_id) if group.payment_id else None
    ledger = await get_order_ledger(session, principal, order_id)
    money = await _money_of(session, order.id, with_fees=True)
    return StaffOrderView(order=order, group=group, payment=payment, ledger=ledger, money=money)


async def get_order_with_money(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> OrderWithMoney:
    """One order as :func:`get_order` gives it, with what became of its money: refunds for
    its buyer; escrow, the itemised commission and refunds for its seller and staff."""
    order = await get_order(session, principal, order_id)
    money = await _money_of(session, order.id, with_fees=principal.role is not Role.BUYER)
    return OrderWithMoney(order=order, money=money)


async def _money_of(session: AsyncSession, order_id: uuid.UUID, *, with_fees: bool) -> OrderMoney:
    refunds = await refunds_for_order(session, order_id)
    if not with_fees:
        return OrderMoney(refunds=refunds)
    return OrderMoney(
        escrow=await escrow_of_order(session, order_id),
        fees=await order_fees(session, order_id),
        refunds=refunds,
    )


@dataclass(frozen=True)
class OrderTimeline:
    """An order's status timestamps, for SLA clocks and their preview (no money, no buyer
    details). ``accepted_at`` is when a goods order was accepted or a service scheduled."""

    order_id: uuid.UUID
    number: str
    seller_id: uuid.UUID
    seller_name: str
    kind: str
    status: str
    currency: str
    listing_ids: tuple[uuid.UUID, ...]
    paid_at: datetime
    accepted_at: datetime | None
    shipped_at: datetime | None
    performed_at: datetime | None
    completed_at: datetime | None
    canceled_at: datetime | None
    # Who cancelled (buyer | seller | admin | system) and the parcel's tracking number: what
    # seller performance reads.
    canceled_by: str | None = None
    tracking_number: str | None = None


async def order_timelines(
    session: AsyncSession,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    seller_id: uuid.UUID | None = None,
    order_ids: Sequence[uuid.UUID] | None = None,
) -> list[OrderTimeline]:
    """The orders paid in ``[since, until)``, oldest first, with their status timestamps (for
    the system: callers apply their own authorization)."""
    orders = await repository.orders_paid_between(
        session, since, until, seller_id=seller_id, order_ids=order_ids
    )
    services = [order.id for order in orders if order.kind == "service"]
    scheduled = await repository.first_transitions_to(session, services, OrderStatus.SCHEDULED)
    return [
        OrderTimeline(
            order_id=order.id,
            number=order.number,
            seller_id=order.seller_id,
            seller_name=order.seller_name,
            kind=order.kind,
            status=order.status,
            currency=order.currency,
            listing_ids=tuple(line.listing_id for line in order.lines),
            paid_at=order.paid_at,
            accepted_at=order.accepted_at or scheduled.get(order.id),
            shipped_at=order.shipped_at,
            performed_at=order.performed_at,
            completed_at=order.completed_at,
            canceled_at=order.canceled_at,
            canceled_by=order.canceled_by,
            tracking_number=order.tracking_number,
        )
        for order in orders
        if order.paid_at is not None
    ]


async def order_timeline(session: AsyncSession, order_id: uuid.UUID) -> OrderTimeline | None:
    """One paid order's status timestamps (None when it does not exist or was never paid)."""
    found = await order_timelines(session, order_ids=[order_id])
    return found[0] if found else None
