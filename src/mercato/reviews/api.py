"""Reviews JSON API under ``/api/v1/reviews``: buyers review the lines of their delivered
orders and edit their reviews, anyone reads a listing's or a seller's reviews, sellers reply,
signed-in users report, staff read the moderation queue and admins decide."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, status

from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.errors import NotFound
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter
from mercato.reviews import service
from mercato.reviews.schemas import (
    DecisionIn,
    OrderReviews,
    ReplyIn,
    ReportIn,
    ReportOut,
    ReviewIn,
    ReviewList,
    ReviewOut,
    StaffReviewOut,
)

router = IndexedRouter(prefix="/reviews", tags=["reviews"])
Cursor = Annotated[str | None, Query(max_length=64)]
Limit = Annotated[int, Query(ge=1, le=100)]


@router.post(
    "/orders/{order_id}/lines/{line_id}",
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewOut,
)
async def create_review(
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    data: ReviewIn,
    session: DbSession,
    principal: CurrentPrincipal,
) -> ReviewOut:
    """The buyer reviews one line of their delivered or completed order, once."""
    return await service.create_review(session, principal, order_id, line_id, data)


@router.get("/orders/{order_id}", response_model=OrderReviews)
async def order_reviews(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> OrderReviews:
    """The lines of the buyer's own order with their reviews (anyone else: 404)."""
    principal.require_user()
    found = await service.order_reviews(session, principal, order_id)
    if found is None:
        raise NotFound("No such order.")
    return found


@router.get("/listings/{listing_id}", response_model=ReviewList)
async def listing_reviews(
    listing_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> ReviewList:
    """A listing's published reviews, newest first, with its rating (public; the caller's own
    review is marked ``mine``)."""
    return await service.list_listing_reviews(
        session, listing_id, viewer_id=principal.user_id, cursor=cursor, limit=limit
    )


@router.get("/sellers/{seller_id}", response_model=ReviewList)
async def seller_reviews(
    seller_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> ReviewList:
    """A seller's published reviews across its listings, with its rating (public; the
    caller's own reviews are marked ``mine``)."""
    return await service.list_seller_reviews(
        session, seller_id, viewer_id=principal.user_id, cursor=cursor, limit=limit
    )


@router.get("/mine", response_model=Page[ReviewOut])
async def my_reviews(
    session: DbSession, principal: CurrentPrincipal, cursor: Cursor = None, limit: Limit = 20
) -> Page[ReviewOut]:
    """The signed-in buyer's reviews."""
    return await service.list_my_reviews(session, principal, cursor=cursor, limit=limit)


@router.get("/shop", response_model=ReviewList)
async def my_shop_reviews(
    session: DbSession, principal: CurrentPrincipal, cursor: Cursor = None, limit: Limit = 20
) -> ReviewList:
    """The reviews of the signed-in seller's listings, hidden ones marked."""
    return await service.list_my_shop_reviews(session, principal, cursor=cursor, limit=limit)


@router.put("/{review_id}", response_model=ReviewOut)
async def edit_review(
    review_id: uuid.UUID, data: ReviewIn, session: DbSession, principal: CurrentPrincipal
) -> ReviewOut:
    """The buyer changes the stars and text of their own review (shown as edited, with the
    date; the seller's reply stays). A review hidden by moderation cannot be edited."""
    return await service.edit_review(session, principal, review_id, data)


@router.post("/{review_id}/reply", status_code=status.HTTP_201_CREATED, response_model=ReviewOut)
async def reply(
    review_id: uuid.UUID, data: ReplyIn, session: DbSession, principal: CurrentPrincipal
) -> ReviewOut:
    """The seller of the reviewed listing answers, once."""
    return await service.reply_to_review(session, principal, review_id, data)


@router.post("/{review_id}/reports", status_code=status.HTTP_201_CREATED, response_model=ReportOut)
async def report(
    review_id: uuid.UUID, data: ReportIn, session: DbSession, principal: CurrentPrincipal
) -> ReportOut:
    """Flag a published review for the moderators (once per person)."""
    return await service.report_review(session, principal, review_id, data)


@router.get("/moderation", response_model=Page[StaffReviewOut])
async def moderation_queue(
    session: DbSession,
    principal: CurrentPrincipal,
    include_hidden: bool = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[StaffReviewOut]:
    """Reviews with open reports, newest first (staff)."""
    return await service.moderation_queue(
        session, principal, include_hidden=include_hidden, cursor=cursor, limit=limit
    )


@router.get("/moderation/{review_id}", response_model=StaffReviewOut)
async def review_for_staff(
    review_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> StaffReviewOut:
    """One review with its reports and the decisions taken (staff)."""
    return await service.get_review_for_staff(session, principal, review_id)


@router.post("/{review_id}/decisions", response_model=StaffReviewOut)
async def decide(
    review_id: uuid.UUID, data: DecisionIn, session: DbSession, principal: CurrentPrincipal
) -> StaffReviewOut:
    """Hide, restore, or dismiss the reports of a review (admins)."""
    return await service.decide_review(session, principal, review_id, data)
