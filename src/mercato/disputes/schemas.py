"""Disputes and returns request/response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Reason(StrEnum):
    ITEM_NOT_RECEIVED = "item_not_received"  # goods only
    NOT_AS_DESCRIBED = "not_as_described"
    SERVICE_NOT_PERFORMED = "service_not_performed"  # services only


class DisputeStatus(StrEnum):
    OPEN = "open"  # awaiting the seller's answer
    SELLER_RESPONDED = "seller_responded"
    ESCALATED = "escalated"  # awaiting the platform's decision
    DECIDED = "decided"
    RESOLVED = "resolved"  # the seller's answer stands (accepted, or not escalated in time)
    WITHDRAWN = "withdrawn"


class Answer(StrEnum):
    REFUND = "refund"
    REPLACEMENT = "replacement"
    REJECTED = "rejected"


class Outcome(StrEnum):
    REFUND_FULL = "refund_full"
    REFUND_PARTIAL = "refund_partial"
    RELEASE_TO_SELLER = "release_to_seller"


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    REFUNDED = "refunded"
    EXPIRED = "expired"  # approved, but not received within the ship-back time


class ReturnReason(StrEnum):
    """Why the buyer sends an item back: only a change of mind may cost a restocking fee."""

    CHANGED_MIND = "changed_mind"
    DEFECTIVE = "defective"
    NOT_AS_DESCRIBED = "not_as_described"
    WRONG_ITEM = "wrong_item"


REASON_LABELS = {
    Reason.ITEM_NOT_RECEIVED: "Item not received",
    Reason.NOT_AS_DESCRIBED: "Not as described",
    Reason.SERVICE_NOT_PERFORMED: "Service not performed",
}
STATUS_LABELS = {
    DisputeStatus.OPEN: "Awaiting the seller",
    DisputeStatus.SELLER_RESPONDED: "Seller answered",
    DisputeStatus.ESCALATED: "With the platform",
    DisputeStatus.DECIDED: "Decided",
    DisputeStatus.RESOLVED: "Resolved",
    DisputeStatus.WITHDRAWN: "Withdrawn",
}
ANSWER_LABELS = {
    Answer.REFUND: "Offered a refund",
    Answer.REPLACEMENT: "Offered a replacement",
    Answer.REJECTED: "Rejected the claim",
}
OUTCOME_LABELS = {
    Outcome.REFUND_FULL: "Full refund",
    Outcome.REFUND_PARTIAL: "Partial refund",
    Outcome.RELEASE_TO_SELLER: "Released to the seller",
}
RETURN_LABELS = {
    ReturnStatus.REQUESTED: "Requested",
    ReturnStatus.APPROVED: "Approved — send it back",
    ReturnStatus.REJECTED: "Rejected",
    ReturnStatus.RECEIVED: "Received",
    ReturnStatus.REFUNDED: "Refunded",
    ReturnStatus.EXPIRED: "Expired — not sent back in time",
}
RETURN_REASON_LABELS = {
    ReturnReason.CHANGED_MIND: "I changed my mind",
    ReturnReason.DEFECTIVE: "It is defective or damaged",
    ReturnReason.NOT_AS_DESCRIBED: "It is not as described",
    ReturnReason.WRONG_ITEM: "I received the wrong item",
}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DisputeOpenIn(_Input):
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    reason: Reason
    description: str = Field(min_length=10, max_length=4000)


class MessageIn(_Input):
    body: str = Field(min_length=1, max_length=4000)


class AnswerIn(_Input):
    """The seller's answer; a refund offer names its amount (at most the line's total)."""

    answer: Answer
    note: str = Field(min_length=1, max_length=4000)
    refund_minor: int | None = Field(default=None, ge=1, le=10**12)

    @model_validator(mode="after")
    def _amount_with_refund(self) -> AnswerIn:
        if self.answer is Answer.REFUND and self.refund_minor is None:
            raise ValueError("Name the amount you offer to refund.")
        if self.answer is not Answer.REFUND and self.refund_minor is not None:
            raise ValueError("Only a refund offer has an amount.")
        return self


class DecisionIn(_Input):
    """The platform's decision; a partial refund names its amount."""

    outcome: Outcome
    note: str = Field(min_length=1, max_length=4000)
    amount_minor: int | None = Field(default=None, ge=1, le=10**12)

    @model_validator(mode="after")
    def _amount_with_partial(self) -> DecisionIn:
        if self.outcome is Outcome.REFUND_PARTIAL and self.amount_minor is None:
            raise ValueError("Name the amount of the partial refund.")
        if self.outcome is not Outcome.REFUND_PARTIAL and self.amount_minor is not None:
            raise ValueError("Only a partial refund has an amount.")
        return self


class ReturnRequestIn(_Input):
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    quantity: int = Field(ge=1, le=10_000)
    reason_code: ReturnReason = Field(
        description="Why: a change of mind may cost the restocking fee of the SLA policy."
    )
    reason: str = Field(min_length=3, max_length=2000, description="In the buyer's words.")


class ReturnApproveIn(_Input):
    instructions: str = Field(min_length=5, max_length=4000)


class ReturnRejectIn(_Input):
    reason: str = Field(min_length=3, max_length=2000)


class MessageOut(BaseModel):
    id: uuid.UUID
    author_role: str
    body: str
    created_at: datetime


class EvidenceOut(BaseModel):
    id: uuid.UUID
    author_role: str
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime


class DisputeOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    order_number: str
    line_title: str
    buyer_id: uuid.UUID
    seller_id: uuid.UUID
    kind: str
    reason: Reason
    description: str
    status: DisputeStatus
    currency: str
    line_total_minor: int
    answer: Answer | None
    answer_note: str | None
    offered_refund_minor: int | None
    outcome: str | None
    decision_note: str | None
    refunded_minor: int
    auto_escalated: bool
    answer_due_at: datetime
    escalate_until: datetime | None
    answered_at: datetime | None
    escalated_at: datetime | None
    closed_at: datetime | None
    created_at: datetime


class DisputeDetail(DisputeOut):
    messages: list[MessageOut]
    evidence: list[EvidenceOut]
    # What the caller may do now (open-ended for the pages: answer, escalate, accept, …).
    actions: list[str]


class ReturnOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    order_number: str
    line_title: str
    buyer_id: uuid.UUID
    seller_id: uuid.UUID
    quantity: int
    reason_code: ReturnReason | None  # None for returns asked before reasons were recorded
    reason: str
    status: ReturnStatus
    instructions: str | None
    rejection_reason: str | None
    currency: str
    restocking_fee_percent: int
    restocking_fee_minor: int
    refunded_minor: int
    ship_back_by: datetime | None
    created_at: datetime
    approved_at: datetime | None
    rejected_at: datetime | None
    received_at: datetime | None
    refunded_at: datetime | None
    expired_at: datetime | None


class ReturnConditions(BaseModel):
    """What a return of an order's goods costs and how long each step may take, from the SLA
    policy in force when the order was paid (for its category)."""

    order_id: uuid.UUID
    returnable: bool
    why_not: str | None = Field(description="Why no return can be asked now, when none can.")
    return_until: datetime | None = Field(description="None until the order is delivered.")
    return_window_days: int
    ship_back_days: int = Field(description="Days to send an approved return back.")
    restocking_fee_percent: int = Field(description="Kept by the seller, on fee reasons only.")
    fee_reasons: list[ReturnReason]
    dispute_until: datetime | None


class PanelLine(BaseModel):
    """One line of the buyer's order panel, with what may be started on it."""

    line_id: uuid.UUID
    title: str
    quantity: int
    returnable_quantity: int
    reasons: list[Reason]
    can_dispute: bool
    can_return: bool


class OrderPanel(BaseModel):
    """The buyer's "problems with this order" card."""

    order_id: uuid.UUID
    lines: list[PanelLine]
    disputes: list[DisputeOut]
    returns: list[ReturnOut]
    dispute_until: datetime | None
    return_until: datetime | None
    dispute_note: str | None  # why no dispute can be opened, when none can
    conditions: ReturnConditions | None = None  # goods orders
