"""Turning order rows into response models."""

from __future__ import annotations

from mercato.orders.models import Order, OrderGroup
from mercato.orders.policy import Actor, Kind, OrderStatus, next_steps
from mercato.orders.schemas import (
    OrderGroupOut,
    OrderLineOut,
    OrderOut,
    OrderSummary,
    TransitionOut,
)


def order_summary(order: Order) -> OrderSummary:
    return OrderSummary(
        id=order.id,
        number=order.number,
        group_id=order.group_id,
        buyer_id=order.buyer_id,
        seller_id=order.seller_id,
        seller_name=order.seller_name,
        kind=order.kind,
        status=OrderStatus(order.status),
        currency=order.currency,
        items_minor=order.items_minor,
        shipping_minor=order.shipping_minor,
        total_minor=order.total_minor,
        item_count=sum(line.quantity for line in order.lines),
        created_at=order.created_at,
        paid_at=order.paid_at,
    )


def order_out(order: Order, group: OrderGroup, viewer: Actor | None) -> OrderOut:
    """The whole order; ``next_actions`` are what ``viewer`` may do (none for support)."""
    actions = next_steps(Kind(order.kind), OrderStatus(order.status), viewer) if viewer else []
    return OrderOut(
        **order_summary(order).model_dump(),
        escrow_account=order.escrow_account,
        captured_minor=order.captured_minor,
        shipping_name=order.shipping_name,
        shipping_address=group.shipping_address if order.kind == Kind.GOODS else None,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        scheduled_for=order.scheduled_for,
        cancel_reason=order.cancel_reason,
        canceled_by=order.canceled_by,
        due_at=order.due_at,
        lines=[
            OrderLineOut(
                id=line.id,
                variant_id=line.variant_id,
                listing_id=line.listing_id,
                sku=line.sku,
                title=line.title,
                options=dict(line.options or {}),
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                line_total_minor=line.line_total_minor,
            )
            for line in order.lines
        ],
        transitions=[
            TransitionOut(
                from_status=item.from_status,
                to_status=item.to_status,
                actor=item.actor,
                note=item.note,
                created_at=item.created_at,
            )
            for item in order.transitions
        ],
        next_actions=[step for step in actions if step != OrderStatus.COMPLETED],
    )


def group_out(group: OrderGroup) -> OrderGroupOut:
    return OrderGroupOut(
        id=group.id,
        number=group.number,
        buyer_id=group.buyer_id,
        status=group.status,
        currency=group.currency,
        items_minor=group.items_minor,
        shipping_minor=group.shipping_minor,
        total_minor=group.total_minor,
        payment_method=group.payment_method,
        payment_id=group.payment_id,
        reserved_until=group.reserved_until,
        created_at=group.created_at,
        paid_at=group.paid_at,
        cancel_reason=group.cancel_reason,
        orders=[order_summary(order) for order in group.orders],
    )
