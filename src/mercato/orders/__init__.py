"""Orders: checkout of a multi-seller cart into an order group with one order per seller,
stock reservation, each order's fulfilment lifecycle (goods and services), and the messages
between an order's buyer and its seller.

Other domains use the events (``OrderPaid``, ``OrderStatusChanged``, ``OrderCompleted``,
``OrderCanceled``, ``BuyerWrote``, ``SellerReplied``) and the read functions of
:mod:`mercato.orders.service`.
"""

from mercato.orders.events import (
    BUYER_WROTE_TOPIC,
    CANCELED_TOPIC,
    COMPLETED_TOPIC,
    PAID_TOPIC,
    SELLER_REPLIED_TOPIC,
    BuyerWrote,
    OrderCanceled,
    OrderCompleted,
    OrderPaid,
    OrderStatusChanged,
    SellerReplied,
    SoldLine,
)

__all__ = [
    "BUYER_WROTE_TOPIC",
    "CANCELED_TOPIC",
    "COMPLETED_TOPIC",
    "PAID_TOPIC",
    "SELLER_REPLIED_TOPIC",
    "BuyerWrote",
    "OrderCanceled",
    "OrderCompleted",
    "OrderPaid",
    "OrderStatusChanged",
    "SellerReplied",
    "SoldLine",
]
