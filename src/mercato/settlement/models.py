"""Settlement tables: one escrow per paid order (with a snapshot of its lines and what was
refunded of them), the refunds, and the sellers' own hold periods (the escrow hold policy, with
its category periods, is governance's).

The ledger is the source of truth for money; these rows record the business state that decides
what the next journal may be (what is left to release or refund, whether a dispute froze it).
"""

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


class Escrow(IdMixin, TimestampMixin, Base):
    """The buyer's money held for one paid order until it is released to the seller or
    refunded. ``status``: held (paid, not completed) | releasable (completed, waiting for its
    hold period) | released | refunded (nothing left: canceled or refunded in full)."""

    __tablename__ = "settlement_escrow"
    __table_args__ = (
        CheckConstraint("refunded_minor >= 0 AND refunded_minor <= captured_minor", name="refunds"),
        CheckConstraint("fee_minor >= 0 AND fee_minor <= captured_minor", name="fee"),
        CheckConstraint("refunded_fee_minor >= 0 AND refunded_fee_minor <= fee_minor", name="rfee"),
        Index("ix_settlement_escrow_due", "status", "release_after"),
        Index("ix_settlement_escrow_seller", "seller_id", "currency", "status"),
        Index("ix_settlement_escrow_horizon", "status", "horizon_alert_at"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"), unique=True)
    group_id: Mapped[uuid.UUID] = mapped_column()
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    number: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    escrow_account: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    captured_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    # The order's commission, assessed once at payment.
    fee_minor: Mapped[int] = mapped_column(BigInteger)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # The part of the fee given up by refunds (reversed from platform revenue after release,
    # or simply no longer due before it).
    refunded_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    released_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    released_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    release_after: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    release_journal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payments_ledger_journal.id")
    )
    canceled_at: Mapped[datetime | None]
    # An open dispute: no release, no refund outside the dispute's own resolution.
    frozen_at: Mapped[datetime | None]
    frozen_reason: Mapped[str | None] = mapped_column(Text)
    # When the provider's maximum holding time comes close; alerted once.
    horizon_alert_at: Mapped[datetime]
    horizon_alerted_at: Mapped[datetime | None]

    lines: Mapped[list[EscrowLine]] = relationship(
        lazy="raise", order_by="EscrowLine.position", back_populates="escrow"
    )


class EscrowLine(IdMixin, Base):
    """One order line as sold, and how much of it was refunded."""

    __tablename__ = "settlement_escrow_line"
    __table_args__ = (
        UniqueConstraint("escrow_id", "line_id"),
        CheckConstraint(
            "refunded_quantity >= 0 AND refunded_quantity <= quantity", name="quantity"
        ),
        CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= line_total_minor", name="amount"
        ),
    )

    escrow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("settlement_escrow.id"))
    position: Mapped[int] = mapped_column(Integer)
    line_id: Mapped[uuid.UUID] = mapped_column()
    listing_id: Mapped[uuid.UUID] = mapped_column()
    variant_id: Mapped[uuid.UUID] = mapped_column()
    sku: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    line_total_minor: Mapped[int] = mapped_column(BigInteger)
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # What the seller kept of the refunded units (a restocking fee): the units count as
    # refunded, so the line's next refund starts after them.
    kept_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    escrow: Mapped[Escrow] = relationship(lazy="raise", back_populates="lines")


class Refund(IdMixin, TimestampMixin, Base):
    """Money given back to the buyer of one order. Written, with its idempotency key, before
    the provider is called: a retry after a crash finds it and reuses the key.
    ``status``: pending (provider not answered yet) | succeeded | failed."""

    __tablename__ = "settlement_refund"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount"),
        CheckConstraint("fee_share_minor >= 0 AND fee_share_minor <= amount_minor", name="fee"),
        Index("ix_settlement_refund_order", "order_id", "id"),
        Index("ix_settlement_refund_seller", "seller_id", "id"),
        Index("ix_settlement_refund_status", "status", "id"),
    )

    escrow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("settlement_escrow.id"))
    order_id: Mapped[uuid.UUID] = mapped_column()
    seller_id: Mapped[uuid.UUID] = mapped_column()
    buyer_id: Mapped[uuid.UUID] = mapped_column()
    number: Mapped[str] = mapped_column(String(24))
    # ``refund:order:<order id>:<the caller's key>``: unique, so a double click is one refund.
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    # before_release (from escrow) | after_release (from the seller's balance)
    phase: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    fee_share_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    # [{"line_id", "quantity", "amount_minor"}]; empty for a refund by amount.
    lines: Mapped[list[Any]] = mapped_column(JSON)
    requested_by: Mapped[uuid.UUID | None] = mapped_column()
    requested_role: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[uuid.UUID | None] = mapped_column()
    provider_refund_id: Mapped[str | None] = mapped_column(String(255))
    journal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments_ledger_journal.id"))
    failure_message: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]


class SellerHold(IdMixin, Base):
    """A seller's own hold period (a new or risky shop waits longer, a trusted one less): a
    risk decision that replaces the escrow hold policy's base period, with who set it, when
    and why."""

    __tablename__ = "settlement_seller_hold"

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"), unique=True)
    hold_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    # None for a hold set before the author was recorded.
    set_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts_user.id"))
    reason: Mapped[str] = mapped_column(Text)
