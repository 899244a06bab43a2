"""The reviews rows of the authorization matrix (``tests/test_authorization.py``).

The matrix buyer's shipped goods order (``{orders_shipped}``) is delivered here and left to be
reviewed; its performed service order (``{orders_performed}``) is confirmed and reviewed by the
buyer: that review is the one replied to, reported and moderated. A case names the order it
needs in its tags, so only those checkouts are made."""

from __future__ import annotations

import uuid
from typing import Any

from mercato.kit.auth import Principal, Role
from mercato.orders import service as orders
from mercato.orders.schemas import OrderStatus
from mercato.reviews import service
from mercato.reviews.schemas import ReviewIn
from tests.fixtures.matrix import (
    ADMIN,
    ANON,
    BUYER,
    OTHER,
    OTHER_BUYER,
    SELLER,
    SUPPORT,
    Case,
    buyers_only,
    everyone,
    sellers_only,
    signed_in,
    staff_only,
)

PREFIX = "/api/v1/reviews"
TO_REVIEW = ("{orders_shipped}",)
REVIEWED = ("{orders_performed}",)
REVIEW = {"rating": 4, "title": "Good", "body": "Does what it says."}

CASES: list[Case] = [
    Case(
        "POST",
        f"{PREFIX}/orders/{{reviews_order}}/lines/{{reviews_line}}",
        {ANON: 401, BUYER: 201, SELLER: 403, OTHER: 403, SUPPORT: 403, ADMIN: 403},
        json=REVIEW,
        tags=TO_REVIEW,
    ),
    Case(
        "GET",
        f"{PREFIX}/orders/{{reviews_order}}",
        signed_in(404, buyer=200),
        tags=TO_REVIEW,
    ),
    Case("GET", f"{PREFIX}/listings/{{reviews_listing}}", everyone(200), tags=REVIEWED),
    Case("GET", f"{PREFIX}/sellers/{{seller_id}}", everyone(200)),
    Case("GET", f"{PREFIX}/mine", buyers_only(200)),
    Case("GET", f"{PREFIX}/shop", sellers_only(200)),
    Case(
        "PUT",
        f"{PREFIX}/{{reviews_review}}",
        # Only its author edits a review; another buyer is told it does not exist.
        buyers_only(200) | {OTHER_BUYER: 404},
        json=REVIEW | {"rating": 2, "body": "Changed my mind."},
        tags=REVIEWED,
    ),
    Case(
        "POST",
        f"{PREFIX}/{{reviews_review}}/reply",
        {ANON: 401, BUYER: 403, SELLER: 201, OTHER: 404, SUPPORT: 403, ADMIN: 403},
        json={"body": "Thank you!"},
        tags=REVIEWED,
    ),
    Case(
        "POST",
        f"{PREFIX}/{{reviews_review}}/reports",
        # The buyer wrote it: one does not report one's own review; another buyer may.
        signed_in(201, buyer=403) | {OTHER_BUYER: 201},
        json={"reason": "spam"},
        tags=REVIEWED,
    ),
    Case("GET", f"{PREFIX}/moderation", staff_only(200)),
    Case("GET", f"{PREFIX}/moderation/{{reviews_review}}", staff_only(200), tags=REVIEWED),
    Case(
        "POST",
        f"{PREFIX}/{{reviews_review}}/decisions",
        staff_only(200, support=403),
        json={"action": "hide", "reason": "Matrix check"},
        tags=REVIEWED,
    ),
]


def _buyer(people: Any) -> Principal:
    buyer = people[BUYER]
    return Principal(
        user_id=uuid.UUID(buyer.user_id), role=Role.BUYER, email=buyer.email, display_name="Buyer"
    )


async def _received(runtime: Any, buyer: Principal, order_id: str, status: OrderStatus) -> str:
    """The buyer confirms receipt; returns the order's first line id."""
    async with runtime.database.transaction() as session:
        order = await orders.transition_order(session, buyer, uuid.UUID(order_id), status)
    return str(order.lines[0].id)


async def placeholders(
    client: Any, people: Any, runtime: Any, values: dict[str, str]
) -> dict[str, str]:
    """The rows the reviews cases name (``{reviews_…}``), made for the case being run."""
    buyer = _buyer(people)
    made: dict[str, str] = {}
    if "orders_shipped" in values:
        made["reviews_order"] = values["orders_shipped"]
        made["reviews_line"] = await _received(
            runtime, buyer, values["orders_shipped"], OrderStatus.DELIVERED
        )
    if "orders_performed" in values:
        order_id = values["orders_performed"]
        line_id = await _received(runtime, buyer, order_id, OrderStatus.CONFIRMED)
        async with runtime.database.transaction() as session:
            review = await service.create_review(
                session, buyer, uuid.UUID(order_id), uuid.UUID(line_id), ReviewIn(**REVIEW)
            )
        made["reviews_review"] = str(review.id)
        made["reviews_listing"] = str(review.listing_id)
    return made
