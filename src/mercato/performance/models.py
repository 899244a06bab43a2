"""The performance tables, each prefixed ``performance_``: the versioned thresholds (who, when,
why), each seller's standing (its escalation level and the last metrics the evaluation saw),
every level change with its reason, the sellers' appeals, and the response times of sellers
to the disputes opened against them (their replies to buyers' order messages are read from
the orders domain)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit import clock
from mercato.kit.db import Base, IdMixin


class ThresholdVersion(IdMixin, Base):
    """One version of the performance thresholds, in force from ``effective_from`` until a
    later version starts. Never edited: a change is a new version, with its reason."""

    __tablename__ = "performance_threshold_version"

    version: Mapped[int] = mapped_column(Integer, unique=True)
    defect_max_bp: Mapped[int] = mapped_column(Integer)
    cancellation_max_bp: Mapped[int] = mapped_column(Integer)
    late_shipment_max_bp: Mapped[int] = mapped_column(Integer)
    valid_tracking_min_bp: Mapped[int] = mapped_column(Integer)
    min_orders: Mapped[int] = mapped_column(Integer)
    cooldown_days: Mapped[int] = mapped_column(Integer)
    protection_days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    effective_from: Mapped[datetime]


class Standing(IdMixin, Base):
    """A seller's current escalation level (0 good standing … 4 suspended) and the metrics of
    its last evaluation, so the staff table reads one row per seller."""

    __tablename__ = "performance_standing"

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"), unique=True)
    seller_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(SmallInteger, default=0)
    changed_at: Mapped[datetime | None]
    protected_until: Mapped[datetime | None]
    evaluated_at: Mapped[datetime | None]
    breaching: Mapped[bool] = mapped_column(default=False)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StandingChange(IdMixin, Base):
    """One level change: from, to, why (with the metric values), by the evaluation or an
    accepted appeal."""

    __tablename__ = "performance_standing_change"
    __table_args__ = (Index("ix_performance_standing_change_seller", "seller_id", "created_at"),)

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    from_level: Mapped[int] = mapped_column(SmallInteger)
    to_level: Mapped[int] = mapped_column(SmallInteger)
    cause: Mapped[str] = mapped_column(String(16))  # evaluation | appeal
    reason: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class Appeal(IdMixin, Base):
    """A seller's appeal of one level change (at most one per change), and the admin's
    decision."""

    __tablename__ = "performance_appeal"
    __table_args__ = (Index("ix_performance_appeal_status", "status", "created_at"),)

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    change_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("performance_standing_change.id"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # pending | accepted | rejected
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts_user.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class DisputeResponse(IdMixin, Base):
    """When a dispute against the seller opened and when the seller first answered it."""

    __tablename__ = "performance_dispute_response"
    __table_args__ = (Index("ix_performance_dispute_response_seller", "seller_id", "opened_at"),)

    dispute_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    opened_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
