"""Writing reviews: the buyer's review of an order line and its later edits, the seller's reply,
anyone's report."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, Forbidden, NotFound
from mercato.kit.events import record
from mercato.orders.schemas import OrderLineOut, OrderOut
from mercato.orders.service import get_order
from mercato.reviews import repository
from mercato.reviews.events import ReviewEdited, ReviewPublished, ReviewReplied
from mercato.reviews.models import Review, ReviewReply, ReviewReport
from mercato.reviews.policy import may_review
from mercato.reviews.schemas import (
    ReplyIn,
    ReportIn,
    ReportOut,
    ReportStatus,
    ReviewIn,
    ReviewOut,
    ReviewStatus,
)
from mercato.reviews.service._common import (
    own_seller_id,
    published_review,
    report_out,
    review_out,
    shown_name,
)


def _line_of(order: OrderOut, line_id: uuid.UUID) -> OrderLineOut:
    for line in order.lines:
        if line.id == line_id:
            return line
    raise NotFound("No such line in this order.")


async def create_review(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    data: ReviewIn,
) -> ReviewOut:
    """The buyer of a delivered (or confirmed, or completed) order reviews one of its lines,
    once. Another buyer's order is a 404; an order not yet received is a 403; a second review
    of the line is a 409."""
    buyer_id = principal.require_role(Role.BUYER)
    order = await get_order(session, principal, order_id)
    line = _line_of(order, line_id)
    if order.buyer_id != buyer_id:
        raise NotFound("No such order.")
    if not may_review(order.status):
        raise Forbidden("You can review this order once it has been delivered.")
    if await repository.reviews_of_lines(session, [line_id]):
        raise Conflict("You have already reviewed this item.")
    review = Review(
        order_id=order.id,
        order_line_id=line.id,
        listing_id=line.listing_id,
        seller_id=order.seller_id,
        buyer_id=buyer_id,
        buyer_name=shown_name(principal.display_name),
        item_title=line.title[:200],
        rating=data.rating,
        title=data.title or None,
        body=data.body,
        status=ReviewStatus.PUBLISHED,
    )
    try:
        async with session.begin_nested():
            repository.add(session, review)
            await session.flush()
    except IntegrityError:
        # Two submissions at once: the unique order line decides.
        raise Conflict("You have already reviewed this item.") from None
    record(session, _published(review))
    return review_out(review, viewer_id=buyer_id)


def _published(review: Review) -> ReviewPublished:
    return ReviewPublished(
        review_id=review.id,
        listing_id=review.listing_id,
        seller_id=review.seller_id,
        order_id=review.order_id,
        rating=review.rating,
    )


async def edit_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, data: ReviewIn
) -> ReviewOut:
    """The buyer changes the stars and text of their own review; it then shows as edited, with
    the date, and the ratings follow. The seller's reply stays. A review staff hid stays
    hidden: it cannot be edited (409). Another buyer's review is a 404; other roles get 403.
    Sending the review unchanged changes nothing."""
    buyer_id = principal.require_role(Role.BUYER)
    review = await repository.get_review(session, review_id, for_update=True)
    if review is None or review.buyer_id != buyer_id:
        raise NotFound("No such review.")
    if review.status != ReviewStatus.PUBLISHED:
        raise Conflict(
            "Moderators hid this review: it cannot be edited. Contact support if you think "
            "this is a mistake."
        )
    reply = await repository.get_reply(session, review.id)
    title = data.title or None
    if (review.rating, review.title, review.body) == (data.rating, title, data.body):
        return review_out(review, reply, buyer_id)
    previous = review.rating
    review.rating, review.title, review.body = data.rating, title, data.body
    review.edited_at = clock.now()
    await session.flush()
    record(
        session,
        ReviewEdited(
            review_id=review.id,
            listing_id=review.listing_id,
            seller_id=review.seller_id,
            order_id=review.order_id,
            rating=review.rating,
            previous_rating=previous,
        ),
    )
    return review_out(review, reply, buyer_id)


async def reply_to_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, data: ReplyIn
) -> ReviewOut:
    """The seller of the reviewed listing answers, once (a second reply is a 409; another
    seller gets a 404)."""
    seller_id = await own_seller_id(session, principal)
    review = await repository.get_review(session, review_id, for_update=True)
    if review is None or review.seller_id != seller_id:
        raise NotFound("No such review.")
    if await repository.get_reply(session, review.id) is not None:
        raise Conflict("You have already replied to this review.")
    reply = ReviewReply(
        review_id=review.id,
        seller_id=seller_id,
        author_user_id=principal.require_user(),
        body=data.body,
    )
    try:
        async with session.begin_nested():
            repository.add(session, reply)
            await session.flush()
    except IntegrityError:
        raise Conflict("You have already replied to this review.") from None
    record(session, ReviewReplied(review.id, review.listing_id, review.seller_id))
    return review_out(review, reply)


async def report_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, data: ReportIn
) -> ReportOut:
    """Any signed-in user flags a published review for staff, once per review (409)."""
    reporter_id = principal.require_user()
    review = await published_review(session, review_id)
    if review.buyer_id == reporter_id:
        raise Forbidden("You cannot report your own review.")
    report = ReviewReport(
        review_id=review.id,
        reporter_id=reporter_id,
        reason=data.reason.value,
        note=data.note or None,
        status=ReportStatus.OPEN,
    )
    try:
        async with session.begin_nested():
            repository.add(session, report)
            await session.flush()
    except IntegrityError:
        raise Conflict("You have already reported this review.") from None
    return report_out(report)
