"""Messages between an order's buyer and its seller: one thread per order. Only those two
write; support and admins read; anyone else is told the order does not exist. Each message is
announced durably (governance times the seller's reply from it) and mailed to the other party.

A buyer's message waits for the seller: the seller's next message answers every buyer message
written since its last one. Messages on one order are written under the order's row lock, so
two replies never both claim the same wait."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, Forbidden
from mercato.kit.outbox import announce
from mercato.orders import repository
from mercato.orders.events import BUYER_WROTE_TOPIC, SELLER_REPLIED_TOPIC, BuyerWrote, SellerReplied
from mercato.orders.models import Order, OrderMessage
from mercato.orders.policy import Actor
from mercato.orders.schemas import (
    AwaitingReply,
    MessageAuthor,
    MessageIn,
    MessageOut,
    MessageThread,
)
from mercato.orders.service._access import Viewer, viewer_of, visible_order
from mercato.orders.service.notices import notify_message

# The seller's queue: enough for any shop's backlog, bounded so one page stays one query.
AWAITING_LIMIT = 500
EXCERPT_CHARS = 160


def _thread(order: Order, viewer: Viewer, rows: list[OrderMessage]) -> MessageThread:
    waiting = [
        row.created_at for row in rows if row.author == MessageAuthor.BUYER and not row.answered_at
    ]
    return MessageThread(
        order_id=order.id,
        order_number=order.number,
        seller_name=order.seller_name,
        can_write=_author_of(viewer, order) is not None,
        writable=order.paid_at is not None,
        waiting_since=min(waiting, default=None),
        messages=[MessageOut.model_validate(row) for row in rows],
    )


def _author_of(viewer: Viewer, order: Order) -> MessageAuthor | None:
    actor = viewer.actor_for(order)
    if actor is Actor.BUYER:
        return MessageAuthor.BUYER
    if actor is Actor.SELLER:
        return MessageAuthor.SELLER
    return None


async def list_messages(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> MessageThread:
    """An order's thread, oldest first: its buyer, its seller and staff (404 for others)."""
    viewer = await viewer_of(session, principal)
    order, _ = await visible_order(session, viewer, order_id)
    return _thread(order, viewer, await repository.list_messages(session, order.id))


async def post_message(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, data: MessageIn
) -> MessageOut:
    """Write to the other party of a paid order, as its buyer or its seller: 404 when the
    caller may not see the order, 403 for staff (they read only), 409 before payment."""
    viewer = await viewer_of(session, principal)
    order, _ = await visible_order(session, viewer, order_id, for_update=True)
    author = _author_of(viewer, order)
    if author is None:
        raise Forbidden("Only the order's buyer and seller write in its messages.")
    if order.paid_at is None:
        raise Conflict("Messages open once the order is paid.")
    now = clock.now()
    waiting_since = None
    if author is MessageAuthor.SELLER:
        waiting_since = await repository.first_waiting_at(session, order.id)
        await repository.answer_waiting(session, order.id, now)
    message = OrderMessage(
        order_id=order.id,
        seller_id=order.seller_id,
        author=author.value,
        author_user_id=principal.require_user(),
        body=data.body,
        created_at=now,
    )
    repository.add_message(session, message)
    await session.flush()
    _announce(session, order, message, waiting_since)
    await notify_message(session, order, message)
    return MessageOut.model_validate(message)


def _announce(
    session: AsyncSession, order: Order, message: OrderMessage, waiting_since: datetime | None
) -> None:
    parts = (
        message.id,
        order.id,
        order.seller_id,
        order.buyer_id,
        order.number,
        message.created_at,
    )
    if message.author == MessageAuthor.BUYER:
        wrote = BuyerWrote(*parts)
        announce(session, wrote, BUYER_WROTE_TOPIC, wrote.to_payload())
    else:
        replied = SellerReplied(*parts, waiting_since=waiting_since)
        announce(session, replied, SELLER_REPLIED_TOPIC, replied.to_payload())


async def awaiting_replies(session: AsyncSession, principal: Principal) -> list[AwaitingReply]:
    """The seller's orders whose buyer waits for a reply, the longest wait first."""
    principal.require_role(Role.SELLER)
    viewer = await viewer_of(session, principal)
    assert viewer.seller_id is not None
    rows = await repository.waiting_messages(session, viewer.seller_id, AWAITING_LIMIT)
    threads: dict[uuid.UUID, AwaitingReply] = {}
    for message, number in rows:
        found = threads.get(message.order_id)
        excerpt = _excerpt(message.body)
        if found is None:
            threads[message.order_id] = AwaitingReply(
                order_id=message.order_id,
                order_number=number,
                unanswered=1,
                waiting_since=message.created_at,
                last_message_at=message.created_at,
                last_message=excerpt,
            )
        else:
            found.unanswered += 1
            found.last_message_at, found.last_message = message.created_at, excerpt
    return list(threads.values())


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"


# --- for other domains (the system: callers apply their own authorization) ------------------


@dataclass(frozen=True)
class ThreadMessage:
    """What the SLA clock reads of one message: who wrote when, and (a buyer's message) when
    the seller answered it."""

    message_id: uuid.UUID
    author: str  # buyer | seller
    created_at: datetime
    answered_at: datetime | None


async def message_thread(session: AsyncSession, order_id: uuid.UUID) -> list[ThreadMessage]:
    """An order's messages, oldest first, without their text."""
    return [
        ThreadMessage(row.id, row.author, row.created_at, row.answered_at)
        for row in await repository.list_messages(session, order_id)
    ]


async def reply_seconds(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime, until: datetime
) -> list[int]:
    """The seller's response times to buyers' messages, in seconds: from the first buyer
    message it had not answered to its reply, for the waits that began in ``[since, until)``
    and were answered."""
    waits = await repository.reply_waits(session, seller_id, since, until)
    return [int((answered - first).total_seconds()) for first, answered in waits]
