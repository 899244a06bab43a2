"""Events the performance domain publishes after its commits (search hides a suppressed
seller's listings from them). Subscribers must be idempotent: re-read the standing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SellerStandingChanged:
    """The seller moved from one level to another (0 good standing, 1 warning, 2 listings
    suppressed in search, 3 payouts held, 4 suspended)."""

    change_id: uuid.UUID
    seller_id: uuid.UUID
    from_level: int
    to_level: int
    cause: str
    reason: str
    at: datetime
