"""The disputes part of the demo marketplace, on the demo orders: an open dispute awaiting the
seller, an escalated one awaiting the admin, a decided one with a partial refund and a requested
return. Skipped when already seeded (any dispute exists).

Once the SLA policy is in force (the governance demo), :func:`seed_returns_demo` tells the
returns its refund conditions shape: Bob sends back an item he bought twice (a change of mind:
refunded less the policy's restocking fee), and Alice's approved return expired, never sent
back within the ship-back time (expired by the sweep's own steps). Each story is skipped when
its order already has a return."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.disputes import policy, service
from mercato.disputes.schemas import (
    AnswerIn,
    DecisionIn,
    DisputeOpenIn,
    Reason,
    ReturnApproveIn,
    ReturnReason,
    ReturnRequestIn,
)
from mercato.kit import clock
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
    for story in (_open_dispute, _escalated, _decided, _requested_return):
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
            reason_code=ReturnReason.NOT_AS_DESCRIBED,
            reason="The colour is much darker than on the photos.",
        )
        await service.request_return(session, alice, data)


# --- returns under the SLA policy's refund conditions ------------------------------------------

ATELIER_ADDRESS = ReturnApproveIn(
    instructions="Post it to Atelier, 4 quai des Potiers, 69005 Lyon, with the order number."
)


@contextmanager
def _at(when: datetime) -> Iterator[None]:
    previous = clock.use_clock(clock.FrozenClock(when))
    try:
        yield
    finally:
        clock.use_clock(previous)


async def seed_returns_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed the returns that show the SLA policy's refund conditions (idempotent)."""
    del files
    alice = await _principal(session, ALICE, Role.BUYER)
    bob = await _principal(session, BOB, Role.BUYER)
    if alice is None or bob is None:
        log.warning("returns_demo_people_missing")
        return
    for story in (_refunded_with_fee, _expired_return):
        try:
            async with session.begin_nested():
                await story(session, alice, bob)
        except MercatoError as error:
            log.warning("returns_demo_story_skipped", story=story.__name__, detail=error.detail)


async def _unreturned(
    session: AsyncSession, buyer: Principal, status: OrderStatus, seller: str
) -> OrderOut | None:
    """The buyer's newest goods order in ``status`` from ``seller``, unless it has a return."""
    order = await _order(session, buyer, status, "goods", seller)
    if order is None:
        return None
    panel = await service.order_panel(session, buyer, order.id)
    return None if panel is None or panel.returns else order


async def _refunded_with_fee(session: AsyncSession, alice: Principal, bob: Principal) -> None:
    """Bob bought the same item twice: a change of mind, so the restocking fee applies."""
    order = await _unreturned(session, bob, S.COMPLETED, ATELIER)
    if order is None:
        return
    data = ReturnRequestIn(
        order_id=order.id,
        order_line_id=order.lines[0].id,
        quantity=1,
        reason_code=ReturnReason.CHANGED_MIND,
        reason="Bought twice by mistake; this one is still in its box.",
    )
    seller = await _seller(session, order)
    returned = await service.request_return(session, bob, data)
    await service.approve_return(session, seller, returned.id, ATELIER_ADDRESS)
    await service.mark_return_received(session, seller, returned.id)


async def _expired_return(session: AsyncSession, alice: Principal, bob: Principal) -> None:
    """Alice asked the day after delivery, the seller approved the next day, and the parcel
    never came: the sweep expires the return once its ship-back time has run out."""
    order = await _unreturned(session, alice, S.COMPLETED, ATELIER)
    handed = policy.handed_over_at(order) if order is not None else None
    if order is None or handed is None:
        return
    data = ReturnRequestIn(
        order_id=order.id,
        order_line_id=order.lines[0].id,
        quantity=1,
        reason_code=ReturnReason.DEFECTIVE,
        reason="The handle came loose after the first wash.",
    )
    with _at(handed + timedelta(days=1)):
        returned = await service.request_return(session, alice, data)
    with _at(handed + timedelta(days=2)):
        await service.approve_return(
            session, await _seller(session, order), returned.id, ATELIER_ADDRESS
        )
    for return_id in await service.overdue_returns(session):
        await service.expire_return(session, return_id)
