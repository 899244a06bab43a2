"""Helpers shared by the reviews use cases: who acts as which seller, the response models and
the rating summaries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound
from mercato.reviews import repository
from mercato.reviews.calculations import average_tenths
from mercato.reviews.models import ModerationDecision, Review, ReviewReply, ReviewReport
from mercato.reviews.schemas import (
    DecisionOut,
    ModerationAction,
    RatingSummary,
    ReplyOut,
    ReportOut,
    ReportReason,
    ReportStatus,
    ReviewOut,
    ReviewStatus,
    StaffReviewOut,
)
from mercato.sellers.service import require_own_seller

STARS = (5, 4, 3, 2, 1)


async def own_seller_id(session: AsyncSession, principal: Principal) -> uuid.UUID:
    """The signed-in seller's id; other roles are refused (403)."""
    principal.require_role(Role.SELLER)
    return (await require_own_seller(session, principal)).id


def require_staff(principal: Principal, *, write: bool = False) -> uuid.UUID:
    """Support reads the moderation queue; only admins decide."""
    if write:
        return principal.require_role(Role.ADMIN)
    return principal.require_role(Role.ADMIN, Role.SUPPORT)


async def published_review(
    session: AsyncSession, review_id: uuid.UUID, *, for_update: bool = False
) -> Review:
    """A review anyone may see (a hidden one is a 404 to the public)."""
    review = await repository.get_review(session, review_id, for_update=for_update)
    if review is None or review.status != ReviewStatus.PUBLISHED:
        raise NotFound("No such review.")
    return review


def shown_name(display_name: str) -> str:
    """ "Alice Martin" -> "Alice M.": enough to be a person, not enough to be found."""
    parts = display_name.split()
    if not parts:
        return "Verified buyer"
    initial = f" {parts[1][0].upper()}." if len(parts) > 1 else ""
    return f"{parts[0][:60]}{initial}"


def reply_out(reply: ReviewReply | None) -> ReplyOut | None:
    return None if reply is None else ReplyOut(body=reply.body, created_at=reply.created_at)


def review_out(
    review: Review, reply: ReviewReply | None = None, viewer_id: uuid.UUID | None = None
) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        order_id=review.order_id,
        order_line_id=review.order_line_id,
        listing_id=review.listing_id,
        seller_id=review.seller_id,
        buyer_name=review.buyer_name,
        item_title=review.item_title,
        rating=review.rating,
        title=review.title,
        body=review.body,
        status=ReviewStatus(review.status),
        created_at=review.created_at,
        edited_at=review.edited_at,
        reply=reply_out(reply),
        mine=viewer_id is not None and review.buyer_id == viewer_id,
    )


async def reviews_out(
    session: AsyncSession, reviews: Sequence[Review], viewer_id: uuid.UUID | None = None
) -> list[ReviewOut]:
    """The reviews with their replies; ``viewer_id``'s own are marked ``mine``."""
    replies = await repository.replies_of(session, [review.id for review in reviews])
    return [review_out(review, replies.get(review.id), viewer_id) for review in reviews]


def report_out(report: ReviewReport) -> ReportOut:
    return ReportOut(
        id=report.id,
        reason=ReportReason(report.reason),
        note=report.note,
        status=ReportStatus(report.status),
        created_at=report.created_at,
        decided_at=report.decided_at,
    )


def decision_out(decision: ModerationDecision) -> DecisionOut:
    return DecisionOut(
        action=ModerationAction(decision.action),
        reason=decision.reason,
        decided_by_user_id=decision.decided_by_user_id,
        created_at=decision.created_at,
    )


async def staff_reviews_out(
    session: AsyncSession, reviews: Sequence[Review]
) -> list[StaffReviewOut]:
    ids = [review.id for review in reviews]
    replies = await repository.replies_of(session, ids)
    reports = await repository.reports_of(session, ids)
    decisions = await repository.decisions_of(session, ids)
    return [
        StaffReviewOut(
            **review_out(review, replies.get(review.id)).model_dump(),
            buyer_id=review.buyer_id,
            reports=[report_out(report) for report in reports.get(review.id, [])],
            decisions=[decision_out(decision) for decision in decisions.get(review.id, [])],
        )
        for review in reviews
    ]


def summary_of(distribution: dict[int, int]) -> RatingSummary:
    count = sum(distribution.values())
    total = sum(stars * n for stars, n in distribution.items())
    return RatingSummary(
        count=count,
        average_tenths=average_tenths(total, count),
        distribution={stars: distribution.get(stars, 0) for stars in STARS},
    )
