"""What the payouts domain announces: a payout reached its end (paid or failed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class PayoutPaid:
    payout_id: uuid.UUID
    seller_id: uuid.UUID
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class PayoutFailed:
    """The bank refused the payout; its money is back in the seller's available balance."""

    payout_id: uuid.UUID
    seller_id: uuid.UUID
    amount_minor: int
    currency: str
    failure_message: str
