"""The search index: one row per visible listing, with its categories and attribute values in
side tables for filtering and facet counts.

Engine-specific structures are not mapped here; the migration creates them and the repository
alone uses them: on PostgreSQL a generated, weighted ``search_vector`` tsvector column with a GIN
index, a trigram index on ``title``, the ``search_term`` vocabulary (trigram-indexed) for
correcting typos and a generated ``attribute_facets`` (the attributes as ``jsonb``) that the
attribute facets read; on SQLite the external-content FTS5 table ``search_fts`` (kept in sync by
triggers) and its ``search_fts_vocab`` vocabulary.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit import clock
from mercato.kit.db import Base

# SQLite only aliases the rowid (which FTS5 uses as its document key) for "INTEGER PRIMARY KEY".
IndexKey = BigInteger().with_variant(Integer(), "sqlite")


class SearchEntry(Base):
    """One listing as search sees it. ``id`` is the stable integer key of the full-text index;
    the listing (owned by the catalog) is referred to by ``listing_id``."""

    __tablename__ = "search_document"

    id: Mapped[int] = mapped_column(IndexKey, primary_key=True, autoincrement=True)
    listing_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    seller_id: Mapped[uuid.UUID] = mapped_column(index=True)
    seller_name: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    # The attribute values joined by spaces: what full-text search reads.
    attributes_text: Mapped[str] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    category_id: Mapped[uuid.UUID]
    # The category chain root first, as id strings: the category facet reads the level it
    # needs from here without a join.
    category_ids: Mapped[list[Any]] = mapped_column(JSON)
    category_path: Mapped[list[Any]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    price_min_minor: Mapped[int] = mapped_column(BigInteger)
    price_max_minor: Mapped[int] = mapped_column(BigInteger)
    # The from-price in thousandths of a major unit, so that filters and sorting compare
    # currencies of different exponents (JPY 0, EUR 2, KWD 3) on one scale.
    price_key: Mapped[int] = mapped_column(BigInteger, index=True)
    in_stock: Mapped[bool]
    image_key: Mapped[str | None] = mapped_column(String(255))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # The listing's published reviews as the reviews domain last announced them: how many, and
    # the average in tenths of a star (45 = 4.5), for the "Top rated" sort and the rating facet.
    rating_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_tenths: Mapped[int] = mapped_column(
        SmallInteger, default=0, server_default="0", index=True
    )
    indexed_at: Mapped[datetime] = mapped_column(default=clock.now)


class SearchEntryCategory(Base):
    """The listing's category and each of its ancestors: filtering on a parent category is an
    index lookup here."""

    __tablename__ = "search_document_category"
    __table_args__ = (Index("ix_search_document_category_category", "category_id", "document_id"),)

    document_id: Mapped[int] = mapped_column(
        IndexKey, ForeignKey("search_document.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class SearchCategory(Base):
    """The categories that indexed listings are filed under, as the catalog last described
    them: names for the category facet and the breadcrumb."""

    __tablename__ = "search_category"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    parent_id: Mapped[uuid.UUID | None]
    depth: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(200))


class SearchEntryAttribute(Base):
    """One attribute value of a listing (``colour`` = ``Blue``), for filters and facets."""

    __tablename__ = "search_document_attribute"
    __table_args__ = (Index("ix_search_document_attribute_value", "code", "value", "document_id"),)

    document_id: Mapped[int] = mapped_column(
        IndexKey, ForeignKey("search_document.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class SuppressedSeller(Base):
    """A seller whose listings stay out of search results and facet counts (its standing was
    lowered for poor performance); the listings themselves stay reachable by direct link."""

    __tablename__ = "search_suppressed_seller"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    suppressed_at: Mapped[datetime]
