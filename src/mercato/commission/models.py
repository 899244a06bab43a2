"""Commission tables: versioned rules, seller plans and their subscriptions, incentives, and the
fee of every paid order line, frozen once computed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit import clock
from mercato.kit.db import Base, IdMixin


class CommissionRule(IdMixin, Base):
    """A rule's identity: what it applies to. What it charges lives in its versions."""

    __tablename__ = "commission_rule"

    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(20))  # default | category
    category_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    versions: Mapped[list[CommissionRuleVersion]] = relationship(
        lazy="raise", order_by="desc(CommissionRuleVersion.version)", back_populates="rule"
    )


class CommissionRuleVersion(IdMixin, Base):
    """What a rule charges from ``effective_from`` until ``effective_to`` (open when None).
    Editing a rule adds a version; the versions of one rule never overlap."""

    __tablename__ = "commission_rule_version"
    __table_args__ = (
        UniqueConstraint("rule_id", "version", name="uq_commission_rule_version_rule_version"),
        CheckConstraint("rate_bps >= 0 AND rate_bps <= 10000", name="rate_range"),
        CheckConstraint("fixed_per_item_minor >= 0", name="fixed_item_nonneg"),
        CheckConstraint("fixed_per_order_minor >= 0", name="fixed_order_nonneg"),
    )

    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commission_rule.id"))
    version: Mapped[int] = mapped_column(Integer)
    rate_bps: Mapped[int] = mapped_column(Integer)
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    tier_mode: Mapped[str] = mapped_column(String(20))
    fixed_per_item_minor: Mapped[int] = mapped_column(BigInteger)
    fixed_per_order_minor: Mapped[int] = mapped_column(BigInteger)
    min_fee_minor: Mapped[int | None] = mapped_column(BigInteger)
    max_fee_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    effective_from: Mapped[datetime] = mapped_column(index=True)
    effective_to: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    rule: Mapped[CommissionRule] = relationship(lazy="raise", back_populates="versions")


class CommissionPlan(IdMixin, Base):
    """A seller plan: a monthly fee, a listing limit and a commission override or discount."""

    __tablename__ = "commission_plan"
    __table_args__ = (
        CheckConstraint("monthly_fee_minor >= 0", name="fee_nonneg"),
        CheckConstraint("discount_bps >= 0 AND discount_bps <= 10000", name="discount_range"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    monthly_fee_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    listing_limit: Mapped[int | None] = mapped_column(Integer)
    rate_bps: Mapped[int | None] = mapped_column(Integer)
    discount_bps: Mapped[int] = mapped_column(Integer)
    is_default: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class CommissionSubscription(IdMixin, Base):
    """A seller on a plan from ``started_at`` until ``ended_at`` (current when None)."""

    __tablename__ = "commission_subscription"
    __table_args__ = (Index("ix_commission_subscription_seller", "seller_id", "started_at"),)

    seller_id: Mapped[uuid.UUID] = mapped_column()
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commission_plan.id"))
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None]


class CommissionIncentive(IdMixin, Base):
    """A time-, volume- or campaign-boxed reduced rate."""

    __tablename__ = "commission_incentive"
    __table_args__ = (CheckConstraint("rate_bps >= 0 AND rate_bps <= 10000", name="rate_range"),)

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    rate_bps: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column()
    valid_to: Mapped[datetime | None]
    new_seller_days: Mapped[int | None] = mapped_column(Integer)
    volume_cap_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    category_id: Mapped[uuid.UUID | None] = mapped_column()
    seller_ids: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class CommissionFeeLine(IdMixin, Base):
    """The fee of one paid order line, computed once and never changed. ``snapshot`` keeps the
    rule terms and the inputs that produced it."""

    __tablename__ = "commission_fee_line"
    __table_args__ = (
        CheckConstraint("fee_minor >= 0 AND fee_minor <= gross_minor", name="fee_range"),
        CheckConstraint("fee_minor + net_minor = gross_minor", name="split_exact"),
        Index("ix_commission_fee_line_seller_paid", "seller_id", "currency", "paid_at"),
    )

    line_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    order_id: Mapped[uuid.UUID] = mapped_column(index=True)
    seller_id: Mapped[uuid.UUID] = mapped_column()
    position: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime] = mapped_column()
    listing_id: Mapped[uuid.UUID] = mapped_column()
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    fee_minor: Mapped[int] = mapped_column(BigInteger)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    rule_id: Mapped[uuid.UUID | None] = mapped_column()
    rule_version_id: Mapped[uuid.UUID | None] = mapped_column()
    rule_name: Mapped[str] = mapped_column(String(120))
    explanation: Mapped[str] = mapped_column(String(300))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
