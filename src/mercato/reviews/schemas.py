"""Reviews request/response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

MAX_TITLE = 120
MAX_BODY = 4000
MAX_REPLY = 2000
MAX_NOTE = 500


class ReviewStatus(StrEnum):
    PUBLISHED = "published"
    HIDDEN = "hidden"


class ReportReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    FAKE = "fake"
    OTHER = "other"


class ReportStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    UPHELD = "upheld"


class ModerationAction(StrEnum):
    HIDE = "hide"  # the review disappears from every rating; its open reports are upheld
    RESTORE = "restore"  # a hidden review is published again
    DISMISS = "dismiss"  # the open reports were unfounded; the review stays


REASON_LABELS = {
    ReportReason.SPAM: "Spam or advertising",
    ReportReason.OFFENSIVE: "Offensive or abusive",
    ReportReason.OFF_TOPIC: "Not about the product",
    ReportReason.FAKE: "Not a genuine review",
    ReportReason.OTHER: "Something else",
}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReviewIn(_Input):
    rating: int = Field(ge=1, le=5, description="Stars, 1 to 5.")
    title: str | None = Field(default=None, max_length=MAX_TITLE)
    body: str = Field(min_length=1, max_length=MAX_BODY)


class ReplyIn(_Input):
    body: str = Field(min_length=1, max_length=MAX_REPLY)


class ReportIn(_Input):
    reason: ReportReason
    note: str | None = Field(default=None, max_length=MAX_NOTE)


class DecisionIn(_Input):
    action: ModerationAction
    reason: str = Field(min_length=3, max_length=MAX_NOTE, description="Why, for the record.")


class ReplyOut(BaseModel):
    body: str
    created_at: datetime


class ReviewOut(BaseModel):
    """A review as anyone may read it (the buyer is shown by first name and initial)."""

    id: uuid.UUID
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    listing_id: uuid.UUID
    seller_id: uuid.UUID
    buyer_name: str
    item_title: str
    rating: int
    title: str | None
    body: str
    status: ReviewStatus
    created_at: datetime
    edited_at: datetime | None = Field(description="When the buyer last changed it, if ever.")
    reply: ReplyOut | None = None
    mine: bool = Field(default=False, description="The signed-in caller wrote this review.")


class ReportOut(BaseModel):
    id: uuid.UUID
    reason: ReportReason
    note: str | None
    status: ReportStatus
    created_at: datetime
    decided_at: datetime | None


class DecisionOut(BaseModel):
    action: ModerationAction
    reason: str
    decided_by_user_id: uuid.UUID
    created_at: datetime


class StaffReviewOut(ReviewOut):
    """A review as staff moderate it: who wrote it, its reports and the decisions so far."""

    buyer_id: uuid.UUID
    reports: list[ReportOut]
    decisions: list[DecisionOut]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_reports(self) -> int:
        return sum(1 for report in self.reports if report.status is ReportStatus.OPEN)


class RatingSummary(BaseModel):
    """Published reviews of a listing or a seller: how many and their average, exact."""

    count: int
    average_tenths: int = Field(description="The average in tenths of a star (45 = 4.5).")
    distribution: dict[int, int] = Field(description="Stars -> how many reviews gave them.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def average(self) -> str | None:
        """``"4.5"``; None without reviews."""
        tenths = self.average_tenths
        return f"{tenths // 10}.{tenths % 10}" if self.count else None


class ReviewList(BaseModel):
    summary: RatingSummary
    items: list[ReviewOut]
    next_cursor: str | None = None


class LineReview(BaseModel):
    """One line of an order on the buyer's order page: its review, or whether one may be
    written."""

    line_id: uuid.UUID
    listing_id: uuid.UUID
    title: str
    review: ReviewOut | None


class OrderReviews(BaseModel):
    order_id: uuid.UUID
    reviewable: bool = Field(
        description="The order is delivered or completed: lines may be reviewed."
    )
    lines: list[LineReview]
