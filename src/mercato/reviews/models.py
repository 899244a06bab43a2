"""The reviews tables, each prefixed ``reviews_``.

A review belongs to one order line (unique): the buyer of a delivered order rates what they
bought once. Ratings are aggregated on read from the published reviews through the
``(listing_id, status, rating)`` and ``(seller_id, status, rating)`` indexes: an index-only sum
that cannot drift from the reviews themselves, with no hot aggregate row for concurrent
reviews to queue on. Search keeps its own denormalised copy per listing for sorting and facets.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.db import Base, IdMixin, TimestampMixin


class Review(IdMixin, TimestampMixin, Base):
    """A verified buyer's rating (1-5 stars) and text about one order line."""

    __tablename__ = "reviews_review"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        Index("ix_reviews_review_listing", "listing_id", "status", "rating"),
        Index("ix_reviews_review_seller", "seller_id", "status", "rating"),
        Index("ix_reviews_review_buyer", "buyer_id", "id"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_order.id"))
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders_line.id"), unique=True)
    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalog_listing.id"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    # The buyer's name as shown beside the review, kept so listing pages need no accounts join.
    buyer_name: Mapped[str] = mapped_column(String(120))
    # What was bought, as it was named at checkout.
    item_title: Mapped[str] = mapped_column(String(200))
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str | None] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # published | hidden
    edited_at: Mapped[datetime | None]


class ReviewReply(IdMixin, TimestampMixin, Base):
    """The seller's one public answer to a review."""

    __tablename__ = "reviews_reply"

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews_review.id", ondelete="CASCADE"), unique=True
    )
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers_seller.id"))
    author_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    body: Mapped[str] = mapped_column(Text)


class ReviewReport(IdMixin, TimestampMixin, Base):
    """Someone flags a review for staff; each person reports a review once."""

    __tablename__ = "reviews_report"
    __table_args__ = (
        UniqueConstraint("review_id", "reporter_id"),
        Index("ix_reviews_report_status", "status", "review_id"),
    )

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews_review.id", ondelete="CASCADE")
    )
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    reason: Mapped[str] = mapped_column(String(32))  # spam | offensive | off_topic | other
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))  # open | dismissed | upheld
    decided_at: Mapped[datetime | None]


class ModerationDecision(IdMixin, Base):
    """What staff did to a review and why: the moderation history, append-only."""

    __tablename__ = "reviews_decision"
    __table_args__ = (Index("ix_reviews_decision_review", "review_id", "created_at"),)

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews_review.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(16))  # hide | restore | dismiss
    reason: Mapped[str] = mapped_column(String(500))
    decided_by_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts_user.id"))
    created_at: Mapped[datetime]
