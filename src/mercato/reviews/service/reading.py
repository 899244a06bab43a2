"""Reading reviews: a listing's and a seller's (public), the buyer's own, the seller's inbox,
an order's lines for the buyer's order page, and the ratings other domains show."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import MercatoError
from mercato.kit.pagination import Page
from mercato.orders.service import get_order
from mercato.reviews import repository
from mercato.reviews.calculations import LOW_RATING, average_tenths
from mercato.reviews.policy import may_review
from mercato.reviews.schemas import (
    LineReview,
    OrderReviews,
    RatingSummary,
    ReviewList,
    ReviewOut,
)
from mercato.reviews.service._common import (
    own_seller_id,
    reviews_out,
    summary_of,
)


async def listing_rating(session: AsyncSession, listing_id: uuid.UUID) -> RatingSummary:
    """The published reviews of a listing: count, exact average, stars distribution."""
    return summary_of(await repository.rating_distribution(session, listing_id=listing_id))


async def seller_rating(session: AsyncSession, seller_id: uuid.UUID) -> RatingSummary:
    """The published reviews of all of a seller's listings."""
    return summary_of(await repository.rating_distribution(session, seller_id=seller_id))


async def listing_ratings(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """Listing -> (published reviews, average in tenths of a star); listings without a review
    are left out."""
    sums = await repository.listing_ratings(session, listing_ids)
    return {
        listing_id: (count, average_tenths(total, count))
        for listing_id, (count, total) in sums.items()
    }


async def list_listing_reviews(
    session: AsyncSession,
    listing_id: uuid.UUID,
    *,
    viewer_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> ReviewList:
    """A listing's published reviews, newest first, with its rating summary (public; the
    signed-in ``viewer_id``'s own review is marked, so it is not offered for reporting)."""
    found = await repository.list_reviews(
        session, listing_id=listing_id, cursor=cursor, limit=limit
    )
    return ReviewList(
        summary=await listing_rating(session, listing_id),
        items=await reviews_out(session, found.rows, viewer_id),
        next_cursor=found.next_cursor,
    )


async def list_seller_reviews(
    session: AsyncSession,
    seller_id: uuid.UUID,
    *,
    viewer_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> ReviewList:
    """A seller's published reviews across its listings, with its rating (public)."""
    found = await repository.list_reviews(session, seller_id=seller_id, cursor=cursor, limit=limit)
    return ReviewList(
        summary=await seller_rating(session, seller_id),
        items=await reviews_out(session, found.rows, viewer_id),
        next_cursor=found.next_cursor,
    )


async def list_my_reviews(
    session: AsyncSession, principal: Principal, *, cursor: str | None = None, limit: int = 20
) -> Page[ReviewOut]:
    """The signed-in buyer's reviews, hidden ones included."""
    buyer_id = principal.require_role(Role.BUYER)
    found = await repository.list_reviews(
        session, buyer_id=buyer_id, published_only=False, cursor=cursor, limit=limit
    )
    return Page[ReviewOut](
        items=await reviews_out(session, found.rows, buyer_id), next_cursor=found.next_cursor
    )


async def list_my_shop_reviews(
    session: AsyncSession, principal: Principal, *, cursor: str | None = None, limit: int = 20
) -> ReviewList:
    """The reviews of the signed-in seller's listings (hidden ones too, marked), with its
    rating."""
    seller_id = await own_seller_id(session, principal)
    found = await repository.list_reviews(
        session, seller_id=seller_id, published_only=False, cursor=cursor, limit=limit
    )
    return ReviewList(
        summary=await seller_rating(session, seller_id),
        items=await reviews_out(session, found.rows),
        next_cursor=found.next_cursor,
    )


async def order_reviews(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> OrderReviews | None:
    """The lines of the caller's own order with their reviews, for the order page; None when
    the caller is not its buyer or may not see it (nothing is disclosed)."""
    if principal.role is not Role.BUYER or principal.user_id is None:
        return None
    try:
        order = await get_order(session, principal, order_id)
    except MercatoError:
        return None
    if order.buyer_id != principal.user_id:
        return None
    reviews = await repository.reviews_of_lines(session, [line.id for line in order.lines])
    shown = dict(
        zip(
            [review.id for review in reviews.values()],
            await reviews_out(session, list(reviews.values()), principal.user_id),
            strict=True,
        )
    )
    return OrderReviews(
        order_id=order.id,
        reviewable=may_review(order.status),
        lines=[
            LineReview(
                line_id=line.id,
                listing_id=line.listing_id,
                title=line.title,
                review=shown.get(reviews[line.id].id) if line.id in reviews else None,
            )
            for line in order.lines
        ],
    )


async def low_rated_order_ids(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime
) -> set[uuid.UUID]:
    """The seller's orders with a published 1- or 2-star review written since ``since``: what
    the order defect rate counts."""
    return await repository.low_rated_order_ids(session, seller_id, since, LOW_RATING)
