"""Sellers tables: the seller (its application, payout account and storefront), its documents,
the automatic check results, the status audit trail, admission criteria and seller terms."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.crypto import EncryptedString
from mercato.kit.db import Base, IdMixin, TimestampMixin


class Seller(IdMixin, TimestampMixin, Base):
    __tablename__ = "sellers_seller"

    # One seller account per owning user; the user row belongs to the accounts domain.
    owner_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="RESTRICT"), unique=True
    )
    business_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="applying")
    # The reviewer's latest words to the seller: what to add, why rejected or suspended.
    status_reason: Mapped[str | None] = mapped_column(Text)

    # --- application; personal data is encrypted at rest ---
    legal_form: Mapped[str | None] = mapped_column(String(24))
    country: Mapped[str | None] = mapped_column(String(2))
    tax_id: Mapped[str | None] = mapped_column(EncryptedString())
    # Blind index of the business key (e.g. "FR:<SIREN>"): finds duplicates without decrypting.
    tax_id_index: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_name: Mapped[str | None] = mapped_column(EncryptedString())
    contact_email: Mapped[str | None] = mapped_column(EncryptedString())
    contact_phone: Mapped[str | None] = mapped_column(EncryptedString())
    sells_goods: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sells_services: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    category_interests: Mapped[str | None] = mapped_column(String(300))
    submission_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    admitted_at: Mapped[datetime | None]

    # --- payout account ---
    payout_iban: Mapped[str | None] = mapped_column(EncryptedString())
    payout_iban_index: Mapped[str | None] = mapped_column(String(64), index=True)
    payout_iban_last4: Mapped[str | None] = mapped_column(String(4))
    payout_holder: Mapped[str | None] = mapped_column(EncryptedString())
    payout_updated_at: Mapped[datetime | None]
    # The seller's own account at the payment provider, where providers pay out through one
    # (a Stripe connected account, "acct_…"); set by an admin once the provider onboarded it.
    provider_account_id: Mapped[str | None] = mapped_column(String(255))

    # --- storefront profile (public) ---
    display_name: Mapped[str | None] = mapped_column(String(80))
    logo_key: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    return_policy: Mapped[str | None] = mapped_column(Text)
    storefront_updated_at: Mapped[datetime | None]

    # Set once, by the catalog, when the seller's first listing is published.
    first_listing_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_sellers_seller_status", "status"),)


class SellerDocument(IdMixin, Base):
    """A file supporting the application, stored privately (the file store keeps the bytes)."""

    __tablename__ = "sellers_document"

    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="CASCADE")
    )
    doc_type: Mapped[str] = mapped_column(String(32))
    file_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(120))  # for display only, never in a header
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_sellers_document_seller", "seller_id"),)


class SellerCheck(IdMixin, Base):
    """The result of one automatic admission check, kept for every submission."""

    __tablename__ = "sellers_check"

    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="CASCADE")
    )
    submission: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(8))
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_sellers_check_seller", "seller_id", "submission"),)


class SellerStatusChange(IdMixin, Base):
    """Audit trail: every admission status change, who made it and why."""

    __tablename__ = "sellers_status_change"

    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="CASCADE")
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_label: Mapped[str | None] = mapped_column(String(254))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_sellers_status_change_seller", "seller_id"),)


class DocumentRequirement(IdMixin, Base):
    """An admission criterion set by the operator: sellers from ``country`` ("*" for any)
    offering ``applies_to`` must upload a document of ``doc_type``."""

    __tablename__ = "sellers_document_requirement"

    country: Mapped[str] = mapped_column(String(2))
    doc_type: Mapped[str] = mapped_column(String(32))
    applies_to: Mapped[str] = mapped_column(String(8), default="any")
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint(
            "country", "doc_type", "applies_to", name="uq_sellers_document_requirement_rule"
        ),
    )


class TermsVersion(IdMixin, Base):
    """A published version of the seller terms. The one in force is, of the versions whose
    ``effective_from`` has come, the one that came last; a version for later waits until then."""

    __tablename__ = "sellers_terms_version"

    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    # Why this version was published, recorded with who published it and when.
    reason: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[datetime]
    published_at: Mapped[datetime]
    published_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )

    __table_args__ = (Index("ix_sellers_terms_version_effective_from", "effective_from"),)


class TermsAcceptance(IdMixin, Base):
    __tablename__ = "sellers_terms_acceptance"

    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="CASCADE")
    )
    terms_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_terms_version.id", ondelete="RESTRICT")
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    accepted_at: Mapped[datetime]
    ip_address: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("seller_id", "terms_version_id", name="uq_sellers_terms_acceptance"),
    )
