"""Orders tables: an order group per checkout (one payment), one order per seller, the order
lines (a snapshot of what was bought, at what price), every status change, and the messages
between an order's buyer and its seller."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit import clock
from mercato.kit.db import Base, IdMixin, TimestampMixin


class OrderGroup(IdMixin, TimestampMixin, Base):
    """One checkout: the buyer's whole cart, paid by one payment, split into one order per
    seller. It holds the stock reservation until the payment succeeds or the time runs out."""

    __tablename__ = "orders_group"
    __table_args__ = (
        UniqueConstraint("buyer_id", "idempotency_key"),
        Index("ix_orders_group_buyer", "buyer_id", "id"),
        Index("ix_orders_group_reservation", "status", "reserved_until"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    # The client's Idempotency-Key and a hash of the request it came with.
    idempotency_key: Mapped[str] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # awaiting_payment | paid | canceled
    currency: Mapped[str] = mapped_column(String(3))
    items_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    # Where the goods go: a copy, so editing the address book never rewrites an order.
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payment_method: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments_payment.id"))
    # The idempotency key of the current payment (a retry's key, once retried).
    payment_key: Mapped[str | None] = mapped_column(String(255))
    payment_attempts: Mapped[int] = mapped_column(Integer, default=1)
    reserved_until: Mapped[datetime]
    # Set once the reserved stock went back to the catalog (expiry or cancellation).
    stock_released_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    canceled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    orders: Mapped[list[Order]] = relationship(lazy="raise", order_by="Order.position")


class Order(IdMixin, TimestampMixin, Base):
    __tablename__ = "orders_order"
    __table_args__ = (
        CheckConstraint("total_minor = items_minor + shipping_minor", name="total"),
        Index("ix_orders_order_seller", "seller_id", "status", "id"),
        Index("ix_orders_order_buyer", "buyer_id", "id"),
        Index("ix_orders_order_group", "group_id"),
        Index("ix_orders_order_due", "status", "due_at"),
    )

    number: Mapped[str] = mapped_column(String(24), unique=True)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_group.id"))
    position: Mapped[int] = mapped_column(Integer)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    seller_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # goods | service
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    items_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    # The order's escrow account and what the payment's capture put there.
    escrow_account: Mapped[str] = mapped_column(String(200))
    captured_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    shipping_profile_id: Mapped[uuid.UUID | None]
    shipping_name: Mapped[str | None] = mapped_column(String(80))
    handling_days: Mapped[int | None] = mapped_column(Integer)
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    scheduled_for: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    canceled_by: Mapped[str | None] = mapped_column(String(10))
    # When the system moves the order on by itself (auto-delivery, auto-confirmation,
    # completion); recomputed at each transition so the sweep only reads an index.
    due_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    performed_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    canceled_at: Mapped[datetime | None]

    lines: Mapped[list[OrderLine]] = relationship(lazy="raise", order_by="OrderLine.position")
    transitions: Mapped[list[OrderTransition]] = relationship(
        lazy="raise", order_by="OrderTransition.created_at"
    )


class OrderLine(IdMixin, Base):
    """What was bought, as it was at checkout: the listing may change or vanish later."""

    __tablename__ = "orders_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("line_total_minor = unit_price_minor * quantity", name="line_total"),
        Index("ix_orders_line_order", "order_id"),
        Index("ix_orders_line_variant", "variant_id"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"))
    position: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalog_variant.id"))
    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalog_listing.id"))
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    line_total_minor: Mapped[int] = mapped_column(BigInteger)
    weight_grams: Mapped[int | None] = mapped_column(Integer)


class OrderTransition(IdMixin, Base):
    """Every status change: who (role and user), when, and why."""

    __tablename__ = "orders_transition"
    __table_args__ = (Index("ix_orders_transition_order", "order_id", "created_at"),)

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(10))  # buyer | seller | admin | system
    actor_user_id: Mapped[uuid.UUID | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class OrderMessage(IdMixin, Base):
    """One message of an order's thread, from its buyer or its seller. A buyer's message waits
    for the seller: the seller's next message sets ``answered_at`` (its own time) on every
    buyer message still waiting, so the seller's queue and the response times read one index.
    The seller's id is copied from the order for that index."""

    __tablename__ = "orders_message"
    __table_args__ = (
        Index("ix_orders_message_order", "order_id", "created_at"),
        Index("ix_orders_message_waiting", "seller_id", "author", "answered_at"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    author: Mapped[str] = mapped_column(String(10))  # buyer | seller
    author_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # Buyer messages only: when the seller replied (None while the buyer waits).
    answered_at: Mapped[datetime | None]
