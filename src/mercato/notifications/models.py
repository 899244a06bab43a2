from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.crypto import EncryptedString
from mercato.kit.db import Base, IdMixin


class Mail(IdMixin, Base):
    """An email, written in the same transaction as the change it announces."""

    __tablename__ = "notifications_mail"

    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    # Bodies carry personal data and one-time links, so they are encrypted at rest.
    body_text: Mapped[str] = mapped_column(EncryptedString())
    # The HTML alternative, when the mail was rendered from a template that has one.
    body_html: Mapped[str | None] = mapped_column(EncryptedString())
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|sent|outbox|failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
