"""The performance rows of the authorization matrix (``tests/test_authorization.py``)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from mercato.kit import clock
from mercato.performance.models import Appeal, Standing, StandingChange
from tests.fixtures.matrix import (
    ADMIN,
    ANON,
    BUYER,
    OTHER,
    SELLER,
    SUPPORT,
    Case,
    signed_in,
    staff_only,
)

PREFIX = "/api/v1/performance"
THRESHOLDS = {
    "defect_max_bp": 100,
    "cancellation_max_bp": 250,
    "late_shipment_max_bp": 400,
    "valid_tracking_min_bp": 9500,
    "reason": "Stricter on late shipments",
}


def admins_only(status: int) -> dict[str, int]:
    return {**staff_only(status), SUPPORT: 403}


CASES: list[Case] = [
    Case(
        "GET",
        f"{PREFIX}/me",
        {ANON: 401, BUYER: 403, SELLER: 200, OTHER: 200, SUPPORT: 403, ADMIN: 403},
    ),
    Case(
        "POST",
        f"{PREFIX}/me/appeals",
        {ANON: 401, BUYER: 403, SELLER: 201, OTHER: 409, SUPPORT: 403, ADMIN: 403},
        json={"text": "The carrier lost a whole week of parcels."},
    ),
    Case("GET", f"{PREFIX}/sellers", staff_only(200)),
    Case("GET", f"{PREFIX}/sellers/{{seller_id}}", staff_only(200)),
    Case("GET", f"{PREFIX}/appeals", staff_only(200)),
    Case(
        "POST",
        f"{PREFIX}/appeals/{{performance_appeal}}/decision",
        admins_only(200),
        json={"accept": False, "reason": "The metrics are right."},
    ),
    Case("GET", f"{PREFIX}/thresholds", signed_in(200)),
    Case("POST", f"{PREFIX}/thresholds", admins_only(201), json=THRESHOLDS),
    Case("POST", f"{PREFIX}/evaluations", admins_only(200)),
]


async def placeholders(
    client: Any, people: Any, runtime: Any, values: dict[str, str]
) -> dict[str, str]:
    """The seller's standing raised twice: the first change appealed (pending), the latest
    one still open to an appeal."""
    seller_id = uuid.UUID(values["seller_id"])
    now = clock.now()
    async with runtime.database.transaction() as session:
        session.add(Standing(seller_id=seller_id, seller_name="Matrix shop", level=2, metrics={}))
        first = StandingChange(
            seller_id=seller_id,
            from_level=0,
            to_level=1,
            cause="evaluation",
            reason="Late shipment rate 20%",
            metrics={},
            created_at=now - timedelta(days=8),
        )
        latest = StandingChange(
            seller_id=seller_id,
            from_level=1,
            to_level=2,
            cause="evaluation",
            reason="Late shipment rate 20%",
            metrics={},
            created_at=now - timedelta(days=1),
        )
        session.add_all([first, latest])
        await session.flush()
        appeal = Appeal(
            seller_id=seller_id,
            change_id=first.id,
            text="Please reconsider.",
            status="pending",
            created_at=now - timedelta(days=7),
        )
        session.add(appeal)
        await session.flush()
    return {"performance_appeal": str(appeal.id)}
