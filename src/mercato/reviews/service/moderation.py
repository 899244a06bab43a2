"""Moderation: staff read the queue of reported reviews (support too); admins hide, restore
or dismiss, each decision recorded with who, when and why."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, NotFound
from mercato.kit.events import record
from mercato.kit.pagination import Page
from mercato.reviews import repository
from mercato.reviews.events import ReviewHidden, ReviewPublished
from mercato.reviews.models import ModerationDecision, Review
from mercato.reviews.schemas import (
    DecisionIn,
    ModerationAction,
    ReportStatus,
    ReviewStatus,
    StaffReviewOut,
)
from mercato.reviews.service._common import require_staff, staff_reviews_out


async def moderation_queue(
    session: AsyncSession,
    principal: Principal,
    *,
    include_hidden: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[StaffReviewOut]:
    """Reviews with open reports, newest first (and the hidden ones, asked): staff only."""
    require_staff(principal)
    found = await repository.moderation_queue(
        session, cursor=cursor, limit=limit, include_hidden=include_hidden
    )
    items = await staff_reviews_out(session, found.rows)
    return Page[StaffReviewOut](items=items, next_cursor=found.next_cursor)


async def get_review_for_staff(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> StaffReviewOut:
    """One review with its reports and decisions: staff only."""
    require_staff(principal)
    review = await repository.get_review(session, review_id)
    if review is None:
        raise NotFound("No such review.")
    return (await staff_reviews_out(session, [review]))[0]


def _check_action(review: Review, action: ModerationAction, open_reports: int) -> None:
    if action is ModerationAction.HIDE and review.status == ReviewStatus.HIDDEN:
        raise Conflict("The review is already hidden.")
    if action is ModerationAction.RESTORE and review.status == ReviewStatus.PUBLISHED:
        raise Conflict("The review is already published.")
    if action is ModerationAction.DISMISS and not open_reports:
        raise Conflict("The review has no open report to dismiss.")


async def decide_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, data: DecisionIn
) -> StaffReviewOut:
    """An admin hides a review (its open reports are upheld), restores a hidden one, or
    dismisses its open reports. The ratings follow at once: search hears of it after the
    commit."""
    admin_id = require_staff(principal, write=True)
    review = await repository.get_review(session, review_id, for_update=True)
    if review is None:
        raise NotFound("No such review.")
    reports = await repository.open_reports(session, review.id, for_update=True)
    _check_action(review, data.action, len(reports))
    now = clock.now()
    # Hiding upholds the open reports; restoring or dismissing says they did not hold.
    outcome = ReportStatus.DISMISSED
    if data.action is ModerationAction.HIDE:
        review.status, outcome = ReviewStatus.HIDDEN, ReportStatus.UPHELD
    elif data.action is ModerationAction.RESTORE:
        review.status = ReviewStatus.PUBLISHED
    for report in reports:
        report.status, report.decided_at = outcome, now
    repository.add(
        session,
        ModerationDecision(
            review_id=review.id,
            action=data.action.value,
            reason=data.reason,
            decided_by_user_id=admin_id,
            created_at=now,
        ),
    )
    await session.flush()
    if data.action is not ModerationAction.DISMISS:
        event_type = ReviewHidden if data.action is ModerationAction.HIDE else ReviewPublished
        record(
            session,
            event_type(
                review_id=review.id,
                listing_id=review.listing_id,
                seller_id=review.seller_id,
                order_id=review.order_id,
                rating=review.rating,
            ),
        )
    return (await staff_reviews_out(session, [review]))[0]
