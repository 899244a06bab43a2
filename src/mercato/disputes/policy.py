"""Pure rules of disputes and returns: who may open what on which order, when, and which step
follows which. No I/O."""

from __future__ import annotations

from datetime import datetime

from mercato.disputes.schemas import Answer, DisputeStatus, Reason, ReturnStatus
from mercato.disputes.settings import DisputeTerms
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.orders.schemas import OrderOut, OrderStatus

ACTIVE = frozenset({DisputeStatus.OPEN, DisputeStatus.SELLER_RESPONDED, DisputeStatus.ESCALATED})
COUNTED_RETURNS = frozenset(
    {ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED, ReturnStatus.REFUNDED}
)
REASONS_BY_KIND = {
    "goods": (Reason.ITEM_NOT_RECEIVED, Reason.NOT_AS_DESCRIBED),
    "service": (Reason.SERVICE_NOT_PERFORMED, Reason.NOT_AS_DESCRIBED),
}
# Orders past these statuses have been delivered or performed.
_HANDED_OVER = {
    "goods": (OrderStatus.DELIVERED, OrderStatus.COMPLETED),
    "service": (OrderStatus.PERFORMED, OrderStatus.CONFIRMED, OrderStatus.COMPLETED),
}
FREEZE_PREFIX = "dispute:"


class DisputeNotAllowed(Conflict):
    slug, title = "dispute-state", "This dispute cannot take that step now"


def handed_over_at(order: OrderOut) -> datetime | None:
    """When the goods were delivered or the service performed (the first such transition)."""
    statuses = {status.value for status in _HANDED_OVER.get(order.kind, ())}
    times = [t.created_at for t in order.transitions if t.to_status in statuses]
    return min(times) if times else None


def dispute_until(order: OrderOut, terms: DisputeTerms) -> datetime | None:
    """The end of the dispute window; None while the order is still on its way (open-ended)."""
    handed = handed_over_at(order)
    return None if handed is None else handed + terms.dispute_window


def return_until(order: OrderOut, terms: DisputeTerms) -> datetime | None:
    handed = handed_over_at(order)
    return None if handed is None else handed + terms.return_window


def why_no_dispute(order: OrderOut, terms: DisputeTerms, now: datetime) -> str | None:
    """Why the order cannot be disputed now, or None when it can."""
    if order.paid_at is None or order.status is OrderStatus.AWAITING_PAYMENT:
        return "The order is not paid yet."
    if order.status is OrderStatus.CANCELED:
        return "The order was cancelled (and refunded)."
    until = dispute_until(order, terms)
    if until is not None and now > until:
        return f"The dispute window closed on {until:%d %b %Y}."
    return None


def check_reason(order: OrderOut, reason: Reason) -> None:
    """The reason must fit the order: not received for goods, not performed for services, and
    "not as described" only once the order was delivered or performed."""
    if reason not in REASONS_BY_KIND.get(order.kind, ()):
        kind = "a service" if order.kind == "service" else "goods"
        raise ValidationFailed.on("reason", f"This reason does not apply to {kind}.")
    if reason is Reason.NOT_AS_DESCRIBED and handed_over_at(order) is None:
        done = "performed" if order.kind == "service" else "delivered"
        raise ValidationFailed.on("reason", f"The order has not been {done} yet.")


def check_can_open(order: OrderOut, reason: Reason, terms: DisputeTerms, now: datetime) -> None:
    why = why_no_dispute(order, terms, now)
    if why is not None:
        raise ValidationFailed.on("order_id", why)
    check_reason(order, reason)


def why_no_return(order: OrderOut, terms: DisputeTerms, now: datetime) -> str | None:
    if order.kind != "goods":
        return "Only goods can be returned."
    if order.status is OrderStatus.CANCELED:
        return "The order was cancelled."
    until = return_until(order, terms)
    if until is None:
        return "The order has not been delivered yet."
    if now > until:
        return f"The return window closed on {until:%d %b %Y}."
    return None


def may_escalate(status: DisputeStatus, answer_due_at: datetime, now: datetime) -> bool:
    """After the seller's answer, or once the seller's time to answer ran out."""
    if status is DisputeStatus.SELLER_RESPONDED:
        return True
    return status is DisputeStatus.OPEN and now >= answer_due_at


def require_status(status: DisputeStatus, *allowed: DisputeStatus, action: str) -> None:
    if status not in allowed:
        raise DisputeNotAllowed(f"A dispute that is {status.value} cannot be {action}.")


def buyer_actions(status: DisputeStatus, answer_due_at: datetime, now: datetime) -> list[str]:
    actions = ["message", "evidence"] if status in ACTIVE else []
    if may_escalate(status, answer_due_at, now):
        actions.append("escalate")
    if status is DisputeStatus.SELLER_RESPONDED:
        actions.append("accept")
    if status in (DisputeStatus.OPEN, DisputeStatus.SELLER_RESPONDED):
        actions.append("withdraw")
    return actions


def seller_actions(status: DisputeStatus) -> list[str]:
    actions = ["message", "evidence"] if status in ACTIVE else []
    if status is DisputeStatus.OPEN:
        actions.append("answer")
    return actions


def admin_actions(status: DisputeStatus) -> list[str]:
    actions = ["message", "evidence"] if status in ACTIVE else []
    if status is DisputeStatus.ESCALATED:
        actions.append("decide")
    return actions


def answer_outcome(answer: Answer) -> str:
    """How a dispute resolved on the seller's answer is recorded."""
    return {
        Answer.REFUND: "seller_refund",
        Answer.REPLACEMENT: "replacement",
        Answer.REJECTED: "seller_rejected",
    }[answer]
