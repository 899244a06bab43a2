"""Orders use cases. Adapters call exactly one of these per request; the handlers and sweeps
call the payment-outcome and timer functions."""

from mercato.orders.service.actions import transition_order, transition_orders
from mercato.orders.service.checkout import (
    CartChanged,
    CheckoutResult,
    checkout,
    confirmation_path,
    register_checkout_check,
    retry_payment,
)
from mercato.orders.service.lifecycle import advance_due_order, cancel_by_system, orders_due
from mercato.orders.service.messages import (
    ThreadMessage,
    awaiting_replies,
    list_messages,
    message_thread,
    post_message,
    reply_seconds,
)
from mercato.orders.service.payment_outcome import (
    expire_reservation,
    lapsed_reservations,
    record_payment_failed,
    record_payment_succeeded,
)
from mercato.orders.service.queries import (
    OrderTimeline,
    get_group,
    get_order,
    get_order_for_staff,
    get_order_ledger,
    get_order_with_money,
    list_my_groups,
    list_orders,
    order_timeline,
    order_timelines,
)

__all__ = [
    "CartChanged",
    "CheckoutResult",
    "OrderTimeline",
    "ThreadMessage",
    "advance_due_order",
    "awaiting_replies",
    "cancel_by_system",
    "checkout",
    "confirmation_path",
    "expire_reservation",
    "get_group",
    "get_order",
    "get_order_for_staff",
    "get_order_ledger",
    "get_order_with_money",
    "lapsed_reservations",
    "list_messages",
    "list_my_groups",
    "list_orders",
    "message_thread",
    "order_timeline",
    "order_timelines",
    "orders_due",
    "post_message",
    "record_payment_failed",
    "record_payment_succeeded",
    "register_checkout_check",
    "reply_seconds",
    "retry_payment",
    "transition_order",
    "transition_orders",
]
