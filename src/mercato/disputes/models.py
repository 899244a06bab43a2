"""The disputes tables, each prefixed ``disputes_``.

A dispute and a return concern one order line. Orders, users and sellers are referred to by id;
the order's number and the line's title are copied so lists need no other domain's rows."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit import clock
from mercato.kit.db import Base, IdMixin, TimestampMixin


class Dispute(IdMixin, TimestampMixin, Base):
    """A buyer's complaint about one order line, from opening to its outcome."""

    __tablename__ = "disputes_dispute"
    __table_args__ = (
        Index("ix_disputes_dispute_order", "order_id"),
        Index("ix_disputes_dispute_buyer", "buyer_id", "created_at"),
        Index("ix_disputes_dispute_seller", "seller_id", "created_at"),
        Index("ix_disputes_dispute_status", "status", "answer_due_at"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"))
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_line.id"))
    # The line while the dispute is open, NULL once closed: the unique constraint allows one
    # open dispute per line, even under concurrent requests.
    open_line_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    order_number: Mapped[str] = mapped_column(String(24))
    line_title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # goods | service
    reason: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    # open -> seller_responded -> escalated -> decided; resolved | withdrawn
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    line_total_minor: Mapped[int] = mapped_column(BigInteger)
    answer: Mapped[str | None] = mapped_column(String(16))  # refund | replacement | rejected
    answer_note: Mapped[str | None] = mapped_column(Text)
    offered_refund_minor: Mapped[int | None] = mapped_column(BigInteger)
    answered_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts_user.id"))
    outcome: Mapped[str | None] = mapped_column(String(24))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts_user.id"))
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_id: Mapped[uuid.UUID | None]
    auto_escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    answer_due_at: Mapped[datetime]
    escalate_until: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    messages: Mapped[list[DisputeMessage]] = relationship(
        lazy="raise", order_by="DisputeMessage.created_at"
    )
    evidence: Mapped[list[DisputeEvidence]] = relationship(
        lazy="raise", order_by="DisputeEvidence.created_at"
    )


class DisputeMessage(IdMixin, Base):
    """One message of a dispute's thread (the buyer, the seller or the platform)."""

    __tablename__ = "disputes_message"
    __table_args__ = (Index("ix_disputes_message_dispute", "dispute_id", "created_at"),)

    dispute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disputes_dispute.id"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts_user.id"))
    author_role: Mapped[str] = mapped_column(String(10))  # buyer | seller | admin | system
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class DisputeEvidence(IdMixin, Base):
    """A file (photo or PDF) attached to a dispute; the bytes live in the file store."""

    __tablename__ = "disputes_evidence"
    __table_args__ = (Index("ix_disputes_evidence_dispute", "dispute_id", "created_at"),)

    dispute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disputes_dispute.id"))
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    author_role: Mapped[str] = mapped_column(String(10))
    file_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Return(IdMixin, TimestampMixin, Base):
    """A buyer's request to send back some units of a goods line, refunded on receipt."""

    __tablename__ = "disputes_return"
    __table_args__ = (
        Index("ix_disputes_return_order", "order_id"),
        Index("ix_disputes_return_buyer", "buyer_id", "created_at"),
        Index("ix_disputes_return_seller", "seller_id", "status", "created_at"),
        Index("ix_disputes_return_ship_back", "status", "ship_back_by"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"))
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_line.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    order_number: Mapped[str] = mapped_column(String(24))
    line_title: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    # changed_mind | defective | not_as_described | wrong_item; NULL before reasons were kept
    reason_code: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    # requested -> approved -> received -> refunded; requested -> rejected; approved -> expired
    status: Mapped[str] = mapped_column(String(16))
    instructions: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    # The restocking fee the buyer was shown when asking (0 unless a change of mind), and what
    # the seller kept of the refund on receipt.
    restocking_fee_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    restocking_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_id: Mapped[uuid.UUID | None]
    approved_at: Mapped[datetime | None]
    ship_back_by: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None]
