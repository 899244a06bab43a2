"""Accounts tables: users, their credentials, sessions, one-time tokens and addresses."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.crypto import EncryptedString
from mercato.kit.db import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "accounts_user"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), index=True)
    display_name: Mapped[str] = mapped_column(EncryptedString())
    phone: Mapped[str | None] = mapped_column(EncryptedString())
    email_verified_at: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None]
    # The TOTP secret is set when enrolment starts and only trusted once totp_enabled_at is set.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString())
    totp_enabled_at: Mapped[datetime | None]
    # The last accepted TOTP time step: a code is never accepted twice (replay protection).
    totp_last_step: Mapped[int | None]


class RecoveryCode(IdMixin, Base):
    __tablename__ = "accounts_recovery_code"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_accounts_recovery_code_user", "user_id"),)


class OneTimeToken(IdMixin, Base):
    """Single-use, expiring secrets: email verification, password reset, API refresh tokens and
    pending two-factor sign-ins. Only a hash of the secret is stored."""

    __tablename__ = "accounts_token"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(24))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_accounts_token_user_purpose", "user_id", "purpose"),)


class BrowserSession(IdMixin, Base):
    """A signed-in browser. The cookie holds a random secret; only its hash is stored."""

    __tablename__ = "accounts_session"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    __table_args__ = (Index("ix_accounts_session_user", "user_id"),)


class Address(IdMixin, TimestampMixin, Base):
    __tablename__ = "accounts_address"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(40))
    full_name: Mapped[str] = mapped_column(EncryptedString())
    line1: Mapped[str] = mapped_column(EncryptedString())
    line2: Mapped[str | None] = mapped_column(EncryptedString())
    city: Mapped[str] = mapped_column(EncryptedString())
    postal_code: Mapped[str] = mapped_column(EncryptedString())
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(EncryptedString())
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_accounts_address_user", "user_id"),
        UniqueConstraint("user_id", "label", name="uq_accounts_address_user_label"),
    )
