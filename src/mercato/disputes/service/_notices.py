"""Dispute and return emails to both parties, queued in the unit of work of the step they
announce (a rolled-back step sends nothing). Templates: ``templates/disputes/email``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.schemas import Contact
from mercato.accounts.service import get_contact
from mercato.disputes.models import Dispute, Return
from mercato.disputes.schemas import (
    OUTCOME_LABELS,
    REASON_LABELS,
    RETURN_LABELS,
    STATUS_LABELS,
    DisputeStatus,
    Outcome,
    Reason,
    ReturnStatus,
)
from mercato.kit.money import format_money
from mercato.notifications.service import queue_templated_email
from mercato.sellers.service import get_seller_contact

# What each step says: (to the buyer, to the seller).
DISPUTE_STEPS = {
    "opened": (
        "Your dispute is open. The seller has been asked to answer.",
        "A buyer opened a dispute. Please answer it before the deadline.",
    ),
    "message": ("There is a new message in your dispute.", "There is a new message in a dispute."),
    "evidence": ("New evidence was added to your dispute.", "New evidence was added to a dispute."),
    "answered": (
        "The seller answered your dispute. Accept the answer or escalate it to us.",
        "Your answer was sent to the buyer.",
    ),
    "escalated": (
        "Your dispute is now with the Mercato team, who will decide.",
        "The dispute was escalated to the Mercato team, who will decide.",
    ),
    "decided": ("The Mercato team decided your dispute.", "The Mercato team decided the dispute."),
    "resolved": ("Your dispute is resolved.", "The dispute is resolved."),
    "withdrawn": ("You withdrew your dispute.", "The buyer withdrew the dispute."),
}
RETURN_STEPS = {
    ReturnStatus.REQUESTED: (
        "Your return request was sent to the seller.",
        "A buyer asked to return an item. Please approve or reject the request.",
    ),
    ReturnStatus.APPROVED: (
        "Your return was approved. Follow the seller's instructions to send it back.",
        "You approved the return.",
    ),
    ReturnStatus.REJECTED: (
        "Your return was rejected. If you disagree, you may open a dispute.",
        "You rejected the return.",
    ),
    ReturnStatus.REFUNDED: (
        "The seller received your return and you were refunded.",
        "The returned item was received and the buyer refunded.",
    ),
    ReturnStatus.EXPIRED: (
        "Your return expired: the seller did not receive it within the time to send it back, "
        "so nothing was refunded.",
        "The return expired: the parcel did not arrive within the time to send it back.",
    ),
}


async def _seller_contact(session: AsyncSession, seller_id: Any) -> Contact | None:
    seller = await get_seller_contact(session, seller_id)
    if seller is None:
        return None
    if seller.email:
        return Contact(email=seller.email, name=seller.name)
    owner = await get_contact(session, seller.owner_user_id)
    return None if owner is None else Contact(email=owner.email, name=seller.name)


async def notify_dispute(session: AsyncSession, dispute: Dispute, step: str) -> None:
    to_buyer, to_seller = DISPUTE_STEPS[step]
    facts = _dispute_facts(dispute)
    buyer = await get_contact(session, dispute.buyer_id)
    if buyer is not None:
        context = {"recipient_name": buyer.name, "headline": to_buyer, "dispute": facts}
        context["url"] = f"/disputes/{dispute.id}"
        await queue_templated_email(session, buyer.email, "disputes/email/dispute_update", context)
    seller = await _seller_contact(session, dispute.seller_id)
    if seller is not None:
        context = {"recipient_name": seller.name, "headline": to_seller, "dispute": facts}
        context["url"] = f"/seller/disputes/{dispute.id}"
        await queue_templated_email(session, seller.email, "disputes/email/dispute_update", context)


def _dispute_facts(dispute: Dispute) -> dict[str, Any]:
    outcome = dispute.outcome
    return {
        "order_number": dispute.order_number,
        "line_title": dispute.line_title,
        "reason": REASON_LABELS[Reason(dispute.reason)],
        "status": STATUS_LABELS[DisputeStatus(dispute.status)],
        "outcome": OUTCOME_LABELS.get(Outcome(outcome)) if outcome in set(Outcome) else None,
        "refunded": (
            format_money(dispute.refunded_minor, dispute.currency)
            if dispute.refunded_minor
            else None
        ),
        "answer_due": f"{dispute.answer_due_at:%d %b %Y, %H:%M} UTC",
    }


async def notify_return(
    session: AsyncSession, row: Return, *, dispute_until: datetime | None = None
) -> None:
    """Both parties hear of the step; ``dispute_until`` tells the buyer of an expired return
    until when a dispute may still be opened."""
    to_buyer, to_seller = RETURN_STEPS[ReturnStatus(row.status)]
    if dispute_until is not None:
        to_buyer += (
            f" If something is wrong with the item, you can still report a problem until "
            f"{dispute_until:%d %b %Y}."
        )
    facts = {
        "order_number": row.order_number,
        "line_title": row.line_title,
        "quantity": row.quantity,
        "status": RETURN_LABELS[ReturnStatus(row.status)],
        "instructions": row.instructions,
        "ship_back_by": (
            f"{row.ship_back_by:%d %b %Y}"
            if row.ship_back_by and row.status == ReturnStatus.APPROVED.value
            else None
        ),
        "rejection_reason": row.rejection_reason,
        "refunded": format_money(row.refunded_minor, row.currency) if row.refunded_minor else None,
        "restocking_fee": (
            format_money(row.restocking_fee_minor, row.currency)
            if row.restocking_fee_minor
            else None
        ),
    }
    buyer = await get_contact(session, row.buyer_id)
    if buyer is not None:
        context = {"recipient_name": buyer.name, "headline": to_buyer, "item": facts}
        context["url"] = f"/orders/{row.order_id}"
        await queue_templated_email(session, buyer.email, "disputes/email/return_update", context)
    seller = await _seller_contact(session, row.seller_id)
    if seller is not None:
        context = {"recipient_name": seller.name, "headline": to_seller, "item": facts}
        context["url"] = "/seller/returns"
        await queue_templated_email(session, seller.email, "disputes/email/return_update", context)
