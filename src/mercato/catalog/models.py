"""Catalog tables: the category tree with its typed attributes, listings with their variants and
images, per-seller shipping profiles, and bulk-import jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.kit import clock
from mercato.kit.db import Base, IdMixin, TimestampMixin


class Category(IdMixin, TimestampMixin, Base):
    __tablename__ = "catalog_category"

    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("catalog_category.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Attribute(IdMixin, TimestampMixin, Base):
    """A typed field of a category, inherited by its subcategories."""

    __tablename__ = "catalog_attribute"

    category_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("catalog_category.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # text | number | enum | boolean
    unit: Mapped[str | None] = mapped_column(String(16))
    allowed_values: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("category_id", "code", name="uq_catalog_attribute_code"),)


class ShippingProfile(IdMixin, TimestampMixin, Base):
    """A seller's named way of shipping goods: a pricing method and a handling time.

    ``method`` is "flat" (the flat rate), "weight" (the flat rate plus ``per_kg_minor`` per
    started kilogram of the seller's items) or "free_above" (the flat rate, free once the
    seller's items reach ``free_above_minor``)."""

    __tablename__ = "catalog_shipping_profile"

    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(80))
    currency: Mapped[str] = mapped_column(String(3))
    flat_rate_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    handling_days: Mapped[int] = mapped_column(Integer, default=2)
    method: Mapped[str] = mapped_column(String(16), default="flat", server_default="flat")
    per_kg_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    free_above_minor: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("seller_id", "name", name="uq_catalog_shipping_profile_name"),
    )


class Listing(IdMixin, TimestampMixin, Base):
    __tablename__ = "catalog_listing"

    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(16))  # goods | service
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("catalog_category.id", ondelete="RESTRICT"), index=True
    )
    # Attribute code -> canonical value (str, or bool for booleans; numbers as decimal strings).
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The option names every variant uses, in display order ("Size", "Colour").
    option_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by: Mapped[uuid.UUID | None]
    shipping_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("catalog_shipping_profile.id", ondelete="SET NULL")
    )
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="listing",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Variant.position",
    )
    images: Mapped[list[Image]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Image.position"
    )

    __table_args__ = (
        Index("ix_catalog_listing_seller", "seller_id", "id"),
        Index("ix_catalog_listing_status", "status", "id"),
    )


class Variant(IdMixin, TimestampMixin, Base):
    """One buyable unit of a listing: a SKU with its options, price and stock."""

    __tablename__ = "catalog_variant"

    listing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("catalog_listing.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the listing so "SKU unique per seller" is a database constraint.
    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="RESTRICT")
    )
    sku: Mapped[str] = mapped_column(String(64))
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    price_minor: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    listing: Mapped[Listing] = relationship(back_populates="variants", lazy="raise")

    __table_args__ = (UniqueConstraint("seller_id", "sku", name="uq_catalog_variant_seller_sku"),)


class Image(IdMixin, Base):
    __tablename__ = "catalog_image"

    listing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("catalog_listing.id", ondelete="CASCADE"), index=True
    )
    file_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | ready | failed
    small_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    large_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class ImportJob(IdMixin, Base):
    """One CSV bulk import: its options, live counters and the final error report."""

    __tablename__ = "catalog_import_job"

    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sellers_seller.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(String(200))
    file_key: Mapped[str | None] = mapped_column(String(200))
    valid_only: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": 3, "column": "price", "reason": "..."}]; capped, error_count has the true total.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_catalog_import_job_seller", "seller_id", "id"),)
