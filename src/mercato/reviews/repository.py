"""All SQL of the reviews domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.repository import Slice, newest_first
from mercato.reviews.models import ModerationDecision, Review, ReviewReply, ReviewReport

PUBLISHED = "published"
OPEN = "open"


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def get_review(
    session: AsyncSession, review_id: uuid.UUID, *, for_update: bool = False
) -> Review | None:
    statement = select(Review).where(Review.id == review_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def reviews_of_lines(
    session: AsyncSession, line_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Review]:
    if not line_ids:
        return {}
    statement = select(Review).where(Review.order_line_id.in_(line_ids))
    return {row.order_line_id: row for row in (await session.execute(statement)).scalars()}


async def list_reviews(
    session: AsyncSession,
    *,
    listing_id: uuid.UUID | None = None,
    seller_id: uuid.UUID | None = None,
    buyer_id: uuid.UUID | None = None,
    published_only: bool = True,
    cursor: str | None,
    limit: int,
) -> Slice[Review]:
    statement = select(Review)
    if listing_id is not None:
        statement = statement.where(Review.listing_id == listing_id)
    if seller_id is not None:
        statement = statement.where(Review.seller_id == seller_id)
    if buyer_id is not None:
        statement = statement.where(Review.buyer_id == buyer_id)
    if published_only:
        statement = statement.where(Review.status == PUBLISHED)
    return await newest_first(session, statement, Review.id, cursor=cursor, limit=limit)


async def rating_distribution(
    session: AsyncSession,
    *,
    listing_id: uuid.UUID | None = None,
    seller_id: uuid.UUID | None = None,
) -> dict[int, int]:
    """Published reviews per star, read from the (subject, status, rating) index alone."""
    statement = select(Review.rating, func.count()).where(Review.status == PUBLISHED)
    if listing_id is not None:
        statement = statement.where(Review.listing_id == listing_id)
    if seller_id is not None:
        statement = statement.where(Review.seller_id == seller_id)
    rows = (await session.execute(statement.group_by(Review.rating))).all()
    return {int(rating): int(count) for rating, count in rows}


async def listing_ratings(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """Listing -> (published reviews, sum of their ratings)."""
    if not listing_ids:
        return {}
    statement = (
        select(Review.listing_id, func.count(), func.sum(Review.rating))
        .where(Review.listing_id.in_(listing_ids), Review.status == PUBLISHED)
        .group_by(Review.listing_id)
    )
    rows = (await session.execute(statement)).all()
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}


async def replies_of(
    session: AsyncSession, review_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ReviewReply]:
    if not review_ids:
        return {}
    statement = select(ReviewReply).where(ReviewReply.review_id.in_(review_ids))
    return {row.review_id: row for row in (await session.execute(statement)).scalars()}


async def get_reply(session: AsyncSession, review_id: uuid.UUID) -> ReviewReply | None:
    statement = select(ReviewReply).where(ReviewReply.review_id == review_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def reports_of(
    session: AsyncSession, review_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ReviewReport]]:
    found: dict[uuid.UUID, list[ReviewReport]] = {}
    if not review_ids:
        return found
    statement = (
        select(ReviewReport)
        .where(ReviewReport.review_id.in_(review_ids))
        .order_by(ReviewReport.created_at, ReviewReport.id)
    )
    for row in (await session.execute(statement)).scalars():
        found.setdefault(row.review_id, []).append(row)
    return found


async def open_reports(
    session: AsyncSession, review_id: uuid.UUID, *, for_update: bool = False
) -> list[ReviewReport]:
    statement = select(ReviewReport).where(
        ReviewReport.review_id == review_id, ReviewReport.status == OPEN
    )
    if for_update:
        statement = statement.with_for_update()
    return list((await session.execute(statement)).scalars())


async def decisions_of(
    session: AsyncSession, review_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ModerationDecision]]:
    found: dict[uuid.UUID, list[ModerationDecision]] = {}
    if not review_ids:
        return found
    statement = (
        select(ModerationDecision)
        .where(ModerationDecision.review_id.in_(review_ids))
        .order_by(ModerationDecision.created_at, ModerationDecision.id)
    )
    for row in (await session.execute(statement)).scalars():
        found.setdefault(row.review_id, []).append(row)
    return found


async def moderation_queue(
    session: AsyncSession, *, cursor: str | None, limit: int, include_hidden: bool
) -> Slice[Review]:
    """Reviews with an open report (and, asked, the hidden ones), newest first."""
    reported = select(ReviewReport.review_id).where(ReviewReport.status == OPEN)
    condition: ColumnElement[bool] = Review.id.in_(reported)
    if include_hidden:
        condition = or_(condition, Review.status != PUBLISHED)
    return await newest_first(
        session, select(Review).where(condition), Review.id, cursor=cursor, limit=limit
    )


async def low_rated_order_ids(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime, max_rating: int
) -> set[uuid.UUID]:
    """Orders of the seller with a published review of at most ``max_rating`` stars written
    since ``since`` (a review staff hid as abusive or fake is no defect of the seller's)."""
    statement = select(Review.order_id).where(
        Review.seller_id == seller_id,
        Review.status == PUBLISHED,
        Review.rating <= max_rating,
        Review.created_at >= since,
    )
    return set((await session.execute(statement)).scalars())
