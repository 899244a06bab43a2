"""Payouts tables: each seller's payout schedule and the payouts themselves.

The money of a payout lives in the ledger (payments); a payout row records the decision, its
idempotency key and what the provider answered."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.db import Base, IdMixin, TimestampMixin


class PayoutSchedule(IdMixin, TimestampMixin, Base):
    """When a seller's available balance is paid out. A seller without a row is paid daily
    with the platform's default minimums."""

    __tablename__ = "payouts_schedule"

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"), unique=True)
    interval: Mapped[str] = mapped_column(String(16))  # daily | weekly | monthly | manual
    weekly_anchor: Mapped[int | None] = mapped_column(SmallInteger)  # 0 = Monday
    monthly_anchor: Mapped[int | None] = mapped_column(SmallInteger)  # 1..31
    # Minimum payout per currency, in minor units ({"EUR": 2500}).
    minimums: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Payout(IdMixin, TimestampMixin, Base):
    """One payment of a seller's available balance to its bank account."""

    __tablename__ = "payouts_payout"
    __table_args__ = (
        Index("ix_payouts_payout_seller", "seller_id", "currency", "created_at"),
        Index("ix_payouts_payout_status", "status", "created_at"),
    )

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    # pending -> in_transit -> paid | failed; pending -> canceled
    status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(16))  # scheduled | seller | admin | retry
    # payout:<seller>:<currency>:<period> for the sweep, request:<seller>:<key> on demand.
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(20))
    destination_last4: Mapped[str] = mapped_column(String(4))
    provider_payout_id: Mapped[str | None] = mapped_column(String(255))
    # The transfer to the seller's account at the provider that preceded the payout (Stripe
    # Connect); taken back if the payout fails.
    provider_transfer_id: Mapped[str | None] = mapped_column(String(255))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    retry_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payouts_payout.id"))
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts_user.id"))
    sent_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    canceled_at: Mapped[datetime | None]
