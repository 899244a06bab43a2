"""Orders: checkout of a multi-seller cart into an order group with one order per seller,
stock reservation, and each order's fulfilment lifecycle (goods and services).

Other domains use the events (``OrderPaid``, ``OrderStatusChanged``, ``OrderCompleted``,
``OrderCanceled``) and the read functions of :mod:`mercato.orders.service`.
"""

from mercato.orders.events import (
    CANCELED_TOPIC,
    COMPLETED_TOPIC,
    PAID_TOPIC,
    OrderCanceled,
    OrderCompleted,
    OrderPaid,
    OrderStatusChanged,
    SoldLine,
)

__all__ = [
    "CANCELED_TOPIC",
    "COMPLETED_TOPIC",
    "PAID_TOPIC",
    "OrderCanceled",
    "OrderCompleted",
    "OrderPaid",
    "OrderStatusChanged",
    "SoldLine",
]
