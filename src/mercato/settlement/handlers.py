"""Reacting to orders: a paid order opens its escrow, a completed one makes it releasable, a
canceled paid one is refunded in full. Each event is handled in its own unit of work; the
orders outbox redelivers an event whose handling failed (a completion seen before the payment,
a cancellation of a frozen order), and every handler is idempotent.

Governance's preview of a draft escrow hold replays the completed orders here: only
settlement knows their escrow and the sellers' own holds, and governance does not read
settlement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.governance import EscrowHold, ReplayedHold, register_hold_replay
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.orders.events import OrderCanceled, OrderCompleted, OrderPaid
from mercato.settlement import service


@subscribe(OrderPaid)
async def open_escrow(event: OrderPaid) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.open_escrow(session, event)


@subscribe(OrderCompleted)
async def make_escrow_releasable(event: OrderCompleted) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.mark_completed(session, event)


@subscribe(OrderCanceled)
async def refund_canceled_order(event: OrderCanceled) -> None:
    if not event.was_paid:
        return
    async with current_database().transaction(writes=True) as session:
        await service.refund_canceled_order(session, event)


@register_hold_replay
async def replay_completed_orders(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    current: EscrowHold,
    draft: EscrowHold,
) -> list[ReplayedHold]:
    replayed = await service.replay_holds(session, since, until, [current, draft])
    return [
        ReplayedHold(
            order_id=order.order_id,
            seller_id=order.seller_id,
            currency=order.currency,
            held_minor=order.held_minor,
            current_days=order.days[0],
            draft_days=order.days[1],
        )
        for order in replayed
    ]
