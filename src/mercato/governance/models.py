"""The governance tables, each prefixed ``governance_``: versioned policies (buyer terms, SLA)
with who changed them and why, buyers' acceptances of the terms, the SLA deadlines of every
paid order, the breaches found by the sweep and the warnings sent to sellers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit import clock
from mercato.kit.db import Base, IdMixin


class PolicyVersion(IdMixin, Base):
    """One version of a policy of ``kind`` (buyer_terms | sla). Created as a draft; once
    activated it is in force from ``effective_from`` until a later activated version starts.
    Activated versions are never edited: a change is a new version."""

    __tablename__ = "governance_policy_version"
    __table_args__ = (
        UniqueConstraint("kind", "version"),
        Index("ix_governance_policy_version_in_force", "kind", "status", "effective_from"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # draft | active
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # SLA: the base durations; overrides: [{"category_id": "...", "parameters": {...}}].
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overrides: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    effective_from: Mapped[datetime | None]
    activated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts_user.id"))
    activated_at: Mapped[datetime | None]
    activation_reason: Mapped[str | None] = mapped_column(Text)


class TermsAcceptance(IdMixin, Base):
    """A user accepted one version of the buyer terms: when, and from which address."""

    __tablename__ = "governance_terms_acceptance"
    __table_args__ = (UniqueConstraint("user_id", "version_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("governance_policy_version.id"))
    accepted_at: Mapped[datetime]
    ip_address: Mapped[str] = mapped_column(String(64))


class SlaDeadline(IdMixin, Base):
    """One deadline of one paid order (``kind``: accept | ship | confirm | auto_cancel |
    respond), computed from the SLA version in force at payment. Each outcome is a timestamp
    set once, by a conditional update, so concurrent sweeps never act twice: ``met_at`` (the
    seller did it in time), ``breached_at`` (found late; for auto_cancel: the order was
    cancelled), ``stopped_at`` (the order ended before the deadline mattered).

    An order has one deadline of each kind, except the respond-by deadlines: one per buyer
    message that opened one (``message_id``), as many as the buyer waited for answers."""

    __tablename__ = "governance_sla_deadline"
    __table_args__ = (
        Index(
            "uq_governance_sla_deadline_order_kind",
            "order_id",
            "kind",
            unique=True,
            postgresql_where=text("message_id IS NULL"),
            sqlite_where=text("message_id IS NULL"),
        ),
        Index("ix_governance_sla_deadline_due", "due_at"),
        Index("ix_governance_sla_deadline_remind", "remind_at"),
        Index("ix_governance_sla_deadline_seller", "seller_id", "due_at"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    policy_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("governance_policy_version.id")
    )
    order_number: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(20))
    # A respond-by deadline: the buyer's message that opened it.
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("orders_message.id"), unique=True
    )
    due_at: Mapped[datetime]
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    met_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]


class SlaBreach(IdMixin, Base):
    """A deadline that passed without the seller acting, as the sweep found it."""

    __tablename__ = "governance_sla_breach"
    __table_args__ = (Index("ix_governance_sla_breach_seller", "seller_id", "detected_at"),)

    deadline_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("governance_sla_deadline.id"), unique=True
    )
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    order_number: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[datetime]
    detected_at: Mapped[datetime]


class SellerWarning(IdMixin, Base):
    """A warning the seller received (by email and in the portal), here for a breach."""

    __tablename__ = "governance_seller_warning"
    __table_args__ = (Index("ix_governance_seller_warning_seller", "seller_id", "created_at"),)

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    breach_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("governance_sla_breach.id"), unique=True
    )
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
