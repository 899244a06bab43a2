"""The disputes rows of the authorization matrix (``tests/test_authorization.py``).

The rows are made by :func:`placeholders` on the matrix buyer's orders with the matrix
"seller": a free goods line to dispute, an open dispute, an answered one, an escalated one, an
evidence file, a delivered line to return, a requested and an approved return."""

from __future__ import annotations

import uuid
from typing import Any

from mercato.disputes import service
from mercato.disputes.schemas import AnswerIn, DisputeOpenIn, ReturnApproveIn, ReturnRequestIn
from mercato.kit.auth import Principal, Role
from mercato.orders import service as orders
from mercato.orders.policy import OrderStatus
from mercato.sellers.demo import logo_png
from tests.fixtures.matrix import (
    ADMIN,
    ANON,
    BUYER,
    OTHER,
    OTHER_BUYER,
    SELLER,
    SUPPORT,
    Case,
    signed_in,
    staff_only,
)
from tests.fixtures.orders import _move, _order, matrix_orders

PREFIX = "/api/v1/disputes"
D = PREFIX
PNG = logo_png((0, 0, 0), (255, 255, 255), "sun", size=16)


def parties(buyer: int, seller: int, *, admin: int = 403, support: int = 403) -> dict[str, int]:
    """The buyer's and the order's seller's status; another seller is told it does not exist."""
    return {ANON: 401, BUYER: buyer, SELLER: seller, OTHER: 404, SUPPORT: support, ADMIN: admin}


def buyer_only(status: int) -> dict[str, int]:
    return parties(status, 403)


def seller_only(status: int) -> dict[str, int]:
    return parties(403, status)


OPEN_BODY = {
    "order_id": "{disputes_free_order}",
    "order_line_id": "{disputes_free_line}",
    "reason": "item_not_received",
    "description": "The parcel never arrived.",
}
RETURN_BODY = {
    "order_id": "{disputes_delivered_order}",
    "order_line_id": "{disputes_delivered_line}",
    "quantity": 1,
    "reason_code": "changed_mind",
    "reason": "Too small for me.",
}
CASES: list[Case] = [
    Case(
        "POST",
        D,
        {ANON: 401, BUYER: 201, SELLER: 403, OTHER: 403, SUPPORT: 403, ADMIN: 403},
        json=OPEN_BODY,
    ),
    Case("GET", D, signed_in(200)),
    Case("GET", f"{D}/queue", staff_only(200)),
    Case("GET", f"{D}/{{disputes_open}}", parties(200, 200, admin=200, support=200)),
    Case(
        "POST",
        f"{D}/{{disputes_open}}/messages",
        parties(201, 201, admin=201),
        json={"body": "Any news?"},
    ),
    Case(
        "POST",
        f"{D}/{{disputes_open}}/evidence",
        parties(201, 201, admin=201),
        files={"file": ("photo.png", PNG, "image/png")},
    ),
    Case(
        "GET",
        f"{D}/evidence/{{disputes_evidence}}",
        parties(200, 200, admin=200, support=200),
    ),
    Case(
        "POST",
        f"{D}/{{disputes_open}}/answer",
        seller_only(200),
        json={"answer": "rejected", "note": "Tracking shows delivery."},
    ),
    Case("POST", f"{D}/{{disputes_answered}}/escalate", buyer_only(200)),
    Case("POST", f"{D}/{{disputes_answered}}/accept", buyer_only(200)),
    Case("POST", f"{D}/{{disputes_open}}/withdraw", buyer_only(200)),
    Case(
        "POST",
        f"{D}/{{disputes_escalated}}/decision",
        {ANON: 401, BUYER: 403, SELLER: 403, OTHER: 403, SUPPORT: 403, ADMIN: 200},
        json={"outcome": "release_to_seller", "note": "The seller proved delivery."},
    ),
    Case(
        "POST",
        f"{D}/returns",
        {ANON: 401, BUYER: 201, SELLER: 403, OTHER: 403, SUPPORT: 403, ADMIN: 403},
        json=RETURN_BODY,
    ),
    Case(
        "GET",
        f"{D}/orders/{{disputes_delivered_order}}/return-conditions",
        # Another buyer is told the order does not exist, like another seller.
        parties(200, 200, admin=200, support=200) | {OTHER_BUYER: 404},
    ),
    Case("GET", f"{D}/returns", signed_in(200)),
    Case("GET", f"{D}/returns/{{disputes_return}}", parties(200, 200, admin=200, support=200)),
    Case(
        "POST",
        f"{D}/returns/{{disputes_return}}/approve",
        seller_only(200),
        json={"instructions": "Send it to 1 Rue du Port, Lyon."},
    ),
    Case(
        "POST",
        f"{D}/returns/{{disputes_return}}/reject",
        seller_only(200),
        json={"reason": "Used item."},
    ),
    Case("POST", f"{D}/returns/{{disputes_approved_return}}/received", seller_only(200)),
]


def _principal(actor: Any, role: Role) -> Principal:
    return Principal(user_id=uuid.UUID(actor.user_id), role=role, email=actor.email)


async def _shipped(
    runtime: Any, people: Any, variant_id: uuid.UUID, *, delivered: bool
) -> tuple[str, str]:
    """A new shipped goods order of the matrix buyer (delivered if asked): (order, line)."""
    buyer = _principal(people["buyer"], Role.BUYER)
    order_id, _ = await _order(runtime, buyer, variant_id)
    steps = [OrderStatus.ACCEPTED, OrderStatus.SHIPPED]
    await _move(runtime, _principal(people["seller"], Role.SELLER), order_id, *steps)
    async with runtime.database.transaction() as session:
        if delivered:
            await orders.transition_order(
                session, buyer, uuid.UUID(order_id), OrderStatus.DELIVERED
            )
        order = await orders.get_order(session, buyer, uuid.UUID(order_id))
    return order_id, str(order.lines[0].id)


async def _dispute(runtime: Any, buyer: Principal, order_line: tuple[str, str]) -> uuid.UUID:
    data = DisputeOpenIn(
        order_id=uuid.UUID(order_line[0]),
        order_line_id=uuid.UUID(order_line[1]),
        reason="item_not_received",
        description="The parcel never arrived.",
    )
    async with runtime.database.transaction() as session:
        return (await service.open_dispute(session, buyer, data)).id


async def placeholders(
    client: Any, people: Any, runtime: Any, values: dict[str, str]
) -> dict[str, str]:
    """The rows the disputes cases name (``{disputes_…}``), made for the case being run."""
    buyer = _principal(people["buyer"], Role.BUYER)
    seller = _principal(people["seller"], Role.SELLER)
    first = (await matrix_orders(runtime, client, people, "{orders_shipped}"))["orders_shipped"]
    async with runtime.database.reading() as session:
        mug = (await orders.get_order(session, buyer, uuid.UUID(first))).lines[0].variant_id
    free = await _shipped(runtime, people, mug, delivered=False)
    opened = await _dispute(runtime, buyer, await _shipped(runtime, people, mug, delivered=False))
    answered = await _dispute(runtime, buyer, await _shipped(runtime, people, mug, delivered=False))
    escalated = await _dispute(
        runtime, buyer, await _shipped(runtime, people, mug, delivered=False)
    )
    rejection = AnswerIn(answer="rejected", note="Tracking shows delivery.")
    async with runtime.database.transaction() as session:
        await service.answer_dispute(session, seller, answered, rejection)
        await service.answer_dispute(session, seller, escalated, rejection)
        await service.escalate_dispute(session, buyer, escalated)
        evidence = await service.add_evidence(
            session, buyer, runtime.files, opened, PNG, "photo.png"
        )
    delivered = await _shipped(runtime, people, mug, delivered=True)
    requested = await _shipped(runtime, people, mug, delivered=True)
    approved = await _shipped(runtime, people, mug, delivered=True)
    returns = []
    async with runtime.database.transaction() as session:
        for order_id, line_id in (requested, approved):
            data = ReturnRequestIn(
                order_id=uuid.UUID(order_id),
                order_line_id=uuid.UUID(line_id),
                quantity=1,
                reason_code="changed_mind",
                reason="Too small for me.",
            )
            returns.append((await service.request_return(session, buyer, data)).id)
        instructions = ReturnApproveIn(instructions="Send it to 1 Rue du Port, Lyon.")
        await service.approve_return(session, seller, returns[1], instructions)
    return {
        "disputes_free_order": free[0],
        "disputes_free_line": free[1],
        "disputes_open": str(opened),
        "disputes_answered": str(answered),
        "disputes_escalated": str(escalated),
        "disputes_evidence": str(evidence.id),
        "disputes_delivered_order": delivered[0],
        "disputes_delivered_line": delivered[1],
        "disputes_return": str(returns[0]),
        "disputes_approved_return": str(returns[1]),
    }
