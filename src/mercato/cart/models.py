"""Cart tables: one cart per buyer (or per guest browser), its lines, and the shipping option
chosen for each seller's parcel.

A line keeps the price the buyer last saw (``unit_price_seen_minor``) so a later change of the
live price is explained to them instead of being applied silently.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit import clock
from mercato.kit.db import Base, IdMixin, TimestampMixin


class Cart(IdMixin, TimestampMixin, Base):
    """A buyer's cart (``buyer_id``) or a guest's (``guest_token_hash``: the SHA-256 of the
    random token in the guest's cookie; the token itself is never stored)."""

    __tablename__ = "cart_cart"

    buyer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), unique=True
    )
    guest_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set by the first line: one cart is paid in one currency.
    currency: Mapped[str | None] = mapped_column(String(3))

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="CartLine.added_at",
    )
    shipping_choices: Mapped[list[CartShippingChoice]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("buyer_id IS NOT NULL OR guest_token_hash IS NOT NULL", name="owner"),
    )


class CartLine(IdMixin, Base):
    __tablename__ = "cart_line"

    cart_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cart_cart.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("catalog_variant.id", ondelete="CASCADE"), index=True
    )
    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="CASCADE")
    )
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_seen_minor: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(default=clock.now)

    cart: Mapped[Cart] = relationship(back_populates="lines", lazy="raise")

    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", name="uq_cart_line_variant"),
        CheckConstraint("quantity > 0", name="quantity"),
    )


class CartShippingChoice(IdMixin, Base):
    __tablename__ = "cart_shipping_choice"

    cart_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cart_cart.id", ondelete="CASCADE"), index=True
    )
    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="CASCADE")
    )
    shipping_profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("catalog_shipping_profile.id", ondelete="CASCADE")
    )

    __table_args__ = (
        UniqueConstraint("cart_id", "seller_id", name="uq_cart_shipping_choice_seller"),
    )
