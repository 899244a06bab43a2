from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.db import Base, IdMixin, TimestampMixin


class Seller(IdMixin, TimestampMixin, Base):
    __tablename__ = "sellers_seller"

    # One seller account per owning user; the user row belongs to the accounts domain.
    owner_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="RESTRICT"), unique=True
    )
    business_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="applying")
