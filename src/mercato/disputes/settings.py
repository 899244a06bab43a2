"""The time windows of disputes and returns. The SLA policy (governance) sets the dispute window,
the seller's time to answer, the return window, the time to ship a return back and the
restocking fee per category; the buyer's time to escalate is the default below (modelled on the
largest marketplaces)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class DisputeTerms:
    # A buyer may open a dispute from payment until this long after delivery / performance.
    dispute_window: timedelta = timedelta(days=30)
    # The seller's time to answer an open dispute; after it the dispute is escalated.
    seller_answer: timedelta = timedelta(hours=48)
    # After the seller's answer, the buyer's time to escalate; after it the answer stands.
    buyer_escalation: timedelta = timedelta(days=3)
    # A goods line may be returned until this long after delivery.
    return_window: timedelta = timedelta(days=30)
    # Once a return is approved, the buyer's time to send the parcel back (shown to both);
    # not received by then, the return expires.
    return_shipping: timedelta = timedelta(days=14)
    # Of a change-of-mind return's amount, the share the seller keeps on receipt.
    restocking_fee_percent: int = 0


DEFAULT_TERMS = DisputeTerms()
