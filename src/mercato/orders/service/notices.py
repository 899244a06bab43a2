"""Order emails to the buyer and the seller, queued in the same unit of work as the change
they announce (so a rolled-back change sends nothing). Templates live in
``templates/orders/email``; their context is described in ``_context.txt`` there."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.schemas import Contact
from mercato.accounts.service import get_contact
from mercato.kit.money import format_money
from mercato.notifications.service import queue_templated_email
from mercato.orders.models import Order, OrderGroup, OrderMessage
from mercato.orders.policy import Kind, OrderStatus
from mercato.sellers.service import get_seller_contact

S = OrderStatus

# Which templates a new status sends, to whom.
_BUYER = {
    S.PAID: "order_paid_buyer",
    S.SHIPPED: "order_shipped_buyer",
    S.DELIVERED: "order_delivered_buyer",
    S.SCHEDULED: "service_scheduled_buyer",
    S.CANCELED: "order_cancelled_buyer",
}
_SELLER = {
    S.PAID: "order_paid_seller",
    S.DELIVERED: "order_delivered_seller",
    S.CONFIRMED: "order_delivered_seller",
    S.CANCELED: "order_cancelled_seller",
}
_STATUS_WORDS = {S.CANCELED: "cancelled", S.AWAITING_PAYMENT: "placed"}


def buyer_order_path(order: Order) -> str:
    return f"/orders/{order.id}"


def seller_order_path(order: Order) -> str:
    return f"/seller/orders/{order.id}"


def group_path(group: OrderGroup) -> str:
    return f"/orders/groups/{group.id}"


async def notify_placed(session: AsyncSession, group: OrderGroup) -> None:
    """The buyer's receipt for a checkout, payment still pending: one email per order."""
    buyer = await get_contact(session, group.buyer_id)
    if buyer is None:
        return
    for order in group.orders:
        context = _context(order, group, buyer.name, buyer.name, buyer_order_path(order))
        await queue_templated_email(
            session, buyer.email, "orders/email/order_placed_buyer", context
        )


async def notify_transition(session: AsyncSession, order: Order, status: OrderStatus) -> None:
    if status not in _BUYER and status not in _SELLER:
        return  # accepted, performed, completed: nobody is mailed, nothing to look up
    buyer = await get_contact(session, order.buyer_id)
    buyer_name = buyer.name if buyer else ""
    if status in _BUYER and buyer is not None:
        context = _context(order, None, buyer.name, buyer_name, buyer_order_path(order))
        await queue_templated_email(session, buyer.email, f"orders/email/{_BUYER[status]}", context)
    # A seller hears of an order once it is paid, never of an unpaid one lapsing.
    if status not in _SELLER or order.paid_at is None:
        return
    seller = await _seller_contact(session, order)
    if seller is not None:
        context = _context(order, None, seller.name, buyer_name, seller_order_path(order))
        await queue_templated_email(
            session, seller.email, f"orders/email/{_SELLER[status]}", context
        )


async def notify_message(session: AsyncSession, order: Order, message: OrderMessage) -> None:
    """Mail a new message to the other party of the order, with a link to reply."""
    buyer = await get_contact(session, order.buyer_id)
    seller = await _seller_contact(session, order)
    if message.author == "buyer":
        recipient, sender = seller, buyer.name if buyer else "The buyer"
        url, template = seller_order_path(order), "message_to_seller"
    else:
        recipient, sender = buyer, order.seller_name
        url, template = buyer_order_path(order), "message_to_buyer"
    if recipient is None:
        return
    context = {
        "recipient_name": recipient.name,
        "sender_name": sender,
        "order_number": order.number,
        "seller_name": order.seller_name,
        "body": message.body,
        "url": f"{url}#messages",
    }
    await queue_templated_email(
        session, recipient.email, f"orders/message_email/{template}", context
    )


async def _seller_contact(session: AsyncSession, order: Order) -> Contact | None:
    seller = await get_seller_contact(session, order.seller_id)
    if seller is None:
        return None
    if seller.email:
        return Contact(email=seller.email, name=seller.name)
    owner = await get_contact(session, seller.owner_user_id)
    return None if owner is None else Contact(email=owner.email, name=seller.name)


def _context(
    order: Order, group: OrderGroup | None, recipient: str, buyer_name: str, url: str
) -> dict[str, Any]:
    def money(amount: int) -> str:
        return format_money(amount, order.currency)

    status = OrderStatus(order.status)
    return {
        "recipient_name": recipient,
        "order": {
            "number": order.number,
            "status": _STATUS_WORDS.get(status, status.value),
            "kind": order.kind,
            "seller_name": order.seller_name,
            "buyer_name": buyer_name,
            "currency": order.currency,
            "items_label": money(order.items_minor),
            "shipping_label": money(order.shipping_minor) if order.kind == Kind.GOODS else None,
            "total_label": money(order.total_minor),
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "scheduled_for_label": (
                order.scheduled_for.strftime("%a %d %b %Y, %H:%M UTC")
                if order.scheduled_for
                else None
            ),
            "cancel_reason": order.cancel_reason,
            "url": url,
            "lines": [
                {
                    "title": line.title,
                    "options_label": ", ".join((line.options or {}).values()) or None,
                    "quantity": line.quantity,
                    "unit_price_label": money(line.unit_price_minor),
                    "line_total_label": money(line.line_total_minor),
                }
                for line in order.lines
            ],
        },
        "group": (
            None
            if group is None or len(group.orders) < 2
            else {
                "number": group.number,
                "total_label": money(group.total_minor),
                "url": group_path(group),
            }
        ),
    }
