"""The disputes part of the demo marketplace, on the demo orders: an open dispute awaiting the
seller, an escalated one awaiting the admin, a decided one with a partial refund, a requested
return and a refunded one. Skipped when already seeded (any dispute exists)."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.disputes import service
from mercato.disputes.schemas import (
    AnswerIn,
    DecisionIn,
    DisputeOpenIn,
    Reason,
    ReturnApproveIn,
    ReturnRequestIn,
)
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import MercatoError
from mercato.kit.storage import FileStore
from mercato.orders.schemas import OrderOut, OrderStatus
from mercato.orders.service import get_order, list_orders
from mercato.sellers.service import get_seller_contact

log = structlog.get_logger(__name__)
ALICE, BOB = "alice@mercato.example", "bob@mercato.example"
ADMIN = "admin@mercato.example"
ATELIER, NORDIC = "atelier@mercato.example", "nordic@mercato.example"
S = OrderStatus


async def _principal(session: AsyncSession, email: str, role: Role) -> Principal | None:
    user_id = await find_user_id_by_email(session, email)
    return None if user_id is None else Principal(user_id=user_id, role=role, email=email)


async def _order(
    session: AsyncSession, buyer: Principal, status: OrderStatus, kind: str, seller: str
) -> OrderOut | None:
    """The buyer's newest demo order in ``status`` of that kind from the seller whose owner
    signs in as ``seller``."""
    owner = await find_user_id_by_email(session, seller)
    found = await list_orders(session, buyer, statuses=[status], kind=kind, limit=50)
    for summary in found.items:
        contact = await get_seller_contact(session, summary.seller_id)
        if contact is not None and contact.owner_user_id == owner:
            return await get_order(session, buyer, summary.id)
    return None


async def _seller(session: AsyncSession, order: OrderOut) -> Principal:
    contact = await get_seller_contact(session, order.seller_id)
    assert contact is not None
    return Principal(user_id=contact.owner_user_id, role=Role.SELLER)


async def _open(
    session: AsyncSession, buyer: Principal, order: OrderOut, reason: Reason, text: str
) -> uuid.UUID:
    data = DisputeOpenIn(
        order_id=order.id, order_line_id=order.lines[0].id, reason=reason, description=text
    )
    return (await service.open_dispute(session, buyer, data)).id


async def seed_disputes_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed the disputes demo rows (idempotent)."""
    del files
    alice = await _principal(session, ALICE, Role.BUYER)
    bob = await _principal(session, BOB, Role.BUYER)
    admin = await _principal(session, ADMIN, Role.ADMIN)
    if alice is None or bob is None or admin is None:
        log.warning("disputes_demo_people_missing")
        return
    if (await service.list_disputes(session, admin, limit=1)).items:
        return
    for story in (_open_dispute, _escalated, _decided, _requested_return, _refunded_return):
        try:
            async with session.begin_nested():
                await story(session, alice, bob, admin)
        except MercatoError as error:
            # A demo order outside its window (an old demo database): that story is skipped.
            log.warning("disputes_demo_story_skipped", story=story.__name__, detail=error.detail)


async def _open_dispute(
    session: AsyncSession, alice: Principal, bob: Principal, _: Principal
) -> None:
    order = await _order(session, bob, S.SHIPPED, "goods", ATELIER)
    if order is not None:
        text = "Shipped five days ago and the tracking has not moved since. Where is my parcel?"
        await _open(session, bob, order, Reason.ITEM_NOT_RECEIVED, text)


async def _escalated(session: AsyncSession, alice: Principal, bob: Principal, _: Principal) -> None:
    order = await _order(session, bob, S.CONFIRMED, "service", NORDIC)
    if order is None:
        return
    text = "The technician left after twenty minutes and the problem is still there."
    dispute_id = await _open(session, bob, order, Reason.NOT_AS_DESCRIBED, text)
    note = "The service was performed as booked; a second visit would be a new booking."
    answer = AnswerIn(answer="rejected", note=note)
    await service.answer_dispute(session, await _seller(session, order), dispute_id, answer)
    await service.escalate_dispute(session, bob, dispute_id)


async def _decided(
    session: AsyncSession, alice: Principal, bob: Principal, admin: Principal
) -> None:
    order = await _order(session, alice, S.COMPLETED, "goods", ATELIER)
    if order is None:
        return
    text = "The glaze is crazed all over the inside: it does not look like the photos at all."
    dispute_id = await _open(session, alice, order, Reason.NOT_AS_DESCRIBED, text)
    note = "Crazing is a feature of this hand-made glaze, as the listing says."
    answer = AnswerIn(answer="rejected", note=note)
    await service.answer_dispute(session, await _seller(session, order), dispute_id, answer)
    await service.escalate_dispute(session, alice, dispute_id)
    half = order.lines[0].line_total_minor // 2
    decision = DecisionIn(
        outcome="refund_partial",
        amount_minor=half,
        note="The listing mentions crazing but not this much: half of the price is refunded.",
    )
    await service.decide_dispute(session, admin, dispute_id, decision)


async def _requested_return(
    session: AsyncSession, alice: Principal, bob: Principal, _: Principal
) -> None:
    order = await _order(session, alice, S.DELIVERED, "goods", NORDIC)
    if order is not None:
        data = ReturnRequestIn(
            order_id=order.id,
            order_line_id=order.lines[0].id,
            quantity=1,
            reason="The colour is much darker than on the photos.",
        )
        await service.request_return(session, alice, data)


async def _refunded_return(
    session: AsyncSession, alice: Principal, bob: Principal, _: Principal
) -> None:
    order = await _order(session, bob, S.COMPLETED, "goods", ATELIER)
    if order is None:
        return
    data = ReturnRequestIn(
        order_id=order.id, order_line_id=order.lines[0].id, quantity=1, reason="Bought twice."
    )
    seller = await _seller(session, order)
    returned = await service.request_return(session, bob, data)
    instructions = ReturnApproveIn(
        instructions="Post it to Atelier, 4 quai des Potiers, 69005 Lyon, with the order number."
    )
    await service.approve_return(session, seller, returned.id, instructions)
    await service.mark_return_received(session, seller, returned.id)
