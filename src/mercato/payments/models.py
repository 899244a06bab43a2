"""Payments tables: the double-entry ledger, our payments and their transitions, the webhook
inbox, and the sandbox provider's own state (``payments_sandbox_*``).

Ledger journals and postings are append-only; the migration installs triggers that refuse any
UPDATE or DELETE of them. Corrections are reversing journals.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit import clock
from mercato.kit.db import Base, IdMixin, TimestampMixin

# --- ledger --------------------------------------------------------------------------------------


class LedgerJournal(IdMixin, Base):
    """One balanced movement of money: its postings sum to zero per currency."""

    __tablename__ = "payments_ledger_journal"
    # The finance figures read one kind of journal over a span of days.
    __table_args__ = (Index("ix_payments_ledger_journal_kind_created", "kind", "created_at"),)

    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(200), index=True)
    # sha256 of kind, reference and the postings: a replay must match it exactly.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # A journal is reversed at most once.
    reverses_journal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payments_ledger_journal.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    postings: Mapped[list[LedgerPosting]] = relationship(
        lazy="raise", order_by="LedgerPosting.position", back_populates="journal"
    )


class LedgerPosting(IdMixin, Base):
    """A signed amount on one account: positive credits it (money held for that party),
    negative debits it. The provider clearing account goes negative by what the provider holds
    for us, so every currency's postings sum to zero."""

    __tablename__ = "payments_ledger_posting"
    __table_args__ = (
        CheckConstraint("amount_minor <> 0", name="nonzero"),
        Index("ix_payments_ledger_posting_account", "account", "currency"),
        Index("ix_payments_ledger_posting_journal", "journal_id"),
    )

    journal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_ledger_journal.id"))
    position: Mapped[int] = mapped_column(SmallInteger)
    account: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    journal: Mapped[LedgerJournal] = relationship(lazy="raise", back_populates="postings")


class LedgerBalance(IdMixin, Base):
    """Cached balance of one account in one currency, updated in the journal's transaction.
    Always recomputable from the postings; ``mercato payments ledger-check`` compares them."""

    __tablename__ = "payments_ledger_balance"
    __table_args__ = (
        UniqueConstraint("account", "currency"),
        # Most accounts end at zero (an order's escrow once released): the finance figures sum
        # only the others, by account prefix, through this small index.
        Index(
            "ix_payments_ledger_balance_held",
            "account",
            postgresql_ops={"account": "text_pattern_ops"},
            postgresql_where=text("balance_minor <> 0"),
            sqlite_where=text("balance_minor <> 0"),
        ),
    )

    account: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class LedgerDailyCapture(Base):
    """What buyers paid on one closed UTC day in one currency, summed once from the capture
    journals. The ledger is append-only, so a day that ended more than a day ago never changes:
    the finance figures add these rows to a live sum over the days not rolled up yet instead of
    re-reading the whole history on every view. ``ledger-check`` compares them with the
    postings."""

    __tablename__ = "payments_ledger_daily_capture"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    captured_minor: Mapped[int] = mapped_column(BigInteger)
    rolled_at: Mapped[datetime]


# --- payments ------------------------------------------------------------------------------------


class Payment(IdMixin, TimestampMixin, Base):
    __tablename__ = "payments_payment"
    __table_args__ = (
        UniqueConstraint("payer_id", "idempotency_key"),
        UniqueConstraint("provider", "provider_payment_id"),
        Index("ix_payments_payment_payer", "payer_id"),
        Index("ix_payments_payment_reference", "purpose_reference"),
    )

    payer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    # The client's Idempotency-Key and a hash of the request it came with.
    idempotency_key: Mapped[str] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(20))
    # The key sent to the provider: derived from (payer, Idempotency-Key), so a retry after a
    # crash between the provider call and our commit gets the provider's first answer back.
    provider_idempotency_key: Mapped[str] = mapped_column(String(255))
    provider_payment_id: Mapped[str | None] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    purpose_reference: Mapped[str] = mapped_column(String(200))
    return_url: Mapped[str] = mapped_column(Text)
    redirect_url: Mapped[str | None] = mapped_column(Text)
    # [[escrow account, weight], ...]: where the captured amount goes, by largest remainder.
    split: Mapped[list[Any]] = mapped_column(JSON)
    # What the provider's tokenisation gives us; never the card number or the CVC.
    card_token: Mapped[str | None] = mapped_column(String(255))
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_exp_month: Mapped[int | None] = mapped_column(SmallInteger)
    card_exp_year: Mapped[int | None] = mapped_column(SmallInteger)
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    capture_journal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payments_ledger_journal.id")
    )
    succeeded_at: Mapped[datetime | None]

    transitions: Mapped[list[PaymentTransition]] = relationship(
        lazy="raise", order_by="PaymentTransition.id", back_populates="payment"
    )


class PaymentTransition(IdMixin, Base):
    """Every status change of a payment, with what caused it (api, provider, webhook:<id>)."""

    __tablename__ = "payments_payment_transition"
    __table_args__ = (Index("ix_payments_payment_transition_payment", "payment_id"),)

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_payment.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    payment: Mapped[Payment] = relationship(lazy="raise", back_populates="transitions")


class WebhookInbox(IdMixin, Base):
    """Every authentic webhook received, once per provider event id."""

    __tablename__ = "payments_webhook_inbox"
    __table_args__ = (
        UniqueConstraint("provider", "event_id"),
        Index("ix_payments_webhook_inbox_payment", "provider", "provider_payment_id"),
    )

    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    provider_payment_id: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    processed_at: Mapped[datetime | None]
    # applied | ignored (stale or not about a payment) | pending (payment not known yet)
    # | refused (amount or currency mismatch)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)


# --- the sandbox provider's own state ------------------------------------------------------------


class SandboxPayment(Base):
    __tablename__ = "payments_sandbox_payment"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    params_fingerprint: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    captured_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    return_url: Mapped[str] = mapped_column(Text)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    card_token: Mapped[str | None] = mapped_column(ForeignKey("payments_sandbox_card_token.id"))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    # A processing payment the sandbox settles at this time (bank transfers, "fails later").
    settle_at: Mapped[datetime | None] = mapped_column(index=True)
    settle_outcome: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class SandboxCardToken(Base):
    """The sandbox's vault entry: what tokenisation keeps of a card (the number and the CVC
    are dropped on the spot; the test card's scripted behaviour is all that survives)."""

    __tablename__ = "payments_sandbox_card_token"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand: Mapped[str] = mapped_column(String(20))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int] = mapped_column(SmallInteger)
    exp_year: Mapped[int] = mapped_column(SmallInteger)
    behaviour: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SandboxOperation(Base):
    """Captures, refunds, transfers and payouts the sandbox performed, one per idempotency key."""

    __tablename__ = "payments_sandbox_operation"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    params_fingerprint: Mapped[str] = mapped_column(String(64))
    payment_id: Mapped[str | None] = mapped_column(ForeignKey("payments_sandbox_payment.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    destination: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SandboxEvent(Base):
    """A webhook the sandbox sends; signed at each delivery attempt (fresh timestamp)."""

    __tablename__ = "payments_sandbox_event"
    __table_args__ = (Index("ix_payments_sandbox_event_pending", "delivered_at", "id"),)

    # "evt_" + a uuid7 in hex: sorts in creation order.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[datetime | None]
    abandoned_at: Mapped[datetime | None]
    # A delivery run claims the event until then, so concurrent runs send disjoint events.
    claimed_until: Mapped[datetime | None]


# --- reconciliation with the provider ----------------------------------------------------------


class ReconciliationRun(IdMixin, Base):
    """One comparison of a day of journals on a provider's clearing account with the
    provider's own balance transactions; kept so that staff see the history."""

    __tablename__ = "payments_reconciliation_run"
    __table_args__ = (Index("ix_payments_reconciliation_run_day", "day", "provider"),)

    day: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(20))
    # ok (everything matched) | mismatches | failed (the provider could not be read)
    status: Mapped[str] = mapped_column(String(20))
    ledger_entries: Mapped[int] = mapped_column(Integer, default=0)
    provider_transactions: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]

    mismatches: Mapped[list[ReconciliationMismatch]] = relationship(
        lazy="raise", order_by="ReconciliationMismatch.position", back_populates="run"
    )


class ReconciliationMismatch(IdMixin, Base):
    """Something a human must look at: money the provider moved that our ledger does not
    know of, a journal the provider has no trace of, or the two disagreeing on the amount."""

    __tablename__ = "payments_reconciliation_mismatch"
    __table_args__ = (Index("ix_payments_reconciliation_mismatch_run", "run_id"),)

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_reconciliation_run.id"))
    position: Mapped[int] = mapped_column(Integer)
    # missing_in_ledger | missing_at_provider | amount_differs
    kind: Mapped[str] = mapped_column(String(30))
    currency: Mapped[str] = mapped_column(String(3))
    # Signed from the platform's side at the provider: money in is positive.
    ledger_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    provider_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    journal_key: Mapped[str | None] = mapped_column(String(255))
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    occurred_at: Mapped[datetime]
    detail: Mapped[str] = mapped_column(Text)

    run: Mapped[ReconciliationRun] = relationship(lazy="raise", back_populates="mismatches")
