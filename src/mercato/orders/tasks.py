"""Orders background work, derived from database state so a crash or a second run only delays:
unpaid reservations that lapsed are cancelled and their stock returned; orders whose timer ran
out move on by themselves (auto-delivery, auto-confirmation, completion)."""

from __future__ import annotations

from datetime import timedelta

import structlog

from mercato.kit.db import current_database
from mercato.kit.outbox import OutboxDelivery, outbox_handler, republish
from mercato.kit.scheduler import periodic
from mercato.orders import service
from mercato.orders.events import (
    BUYER_WROTE_TOPIC,
    CANCELED_TOPIC,
    COMPLETED_TOPIC,
    PAID_TOPIC,
    SELLER_REPLIED_TOPIC,
    BuyerWrote,
    OrderCanceled,
    OrderCompleted,
    OrderPaid,
    SellerReplied,
)

log = structlog.get_logger(__name__)


@periodic("orders.expire_reservations", every=timedelta(seconds=30))
async def expire_reservations_job() -> None:
    await expire_reservations()


async def expire_reservations() -> int:
    """Cancel every group whose reservation lapsed unpaid; the number cancelled."""
    database = current_database()
    async with database.transaction(writes=False) as session:
        group_ids = await service.lapsed_reservations(session)
    cancelled = 0
    for group_id in group_ids:
        async with database.transaction(writes=True) as session:
            cancelled += await service.expire_reservation(session, group_id)
    if cancelled:
        log.info("orders.reservations_expired", count=cancelled)
    return cancelled


@periodic("orders.advance_due_orders", every=timedelta(minutes=1))
async def advance_due_orders_job() -> None:
    await advance_due_orders()


async def advance_due_orders() -> int:
    """Apply every automatic step that is due; the number of orders moved."""
    database = current_database()
    async with database.transaction(writes=False) as session:
        order_ids = await service.orders_due(session)
    moved = 0
    for order_id in order_ids:
        async with database.transaction(writes=True) as session:
            moved += await service.advance_due_order(session, order_id) is not None
    return moved


# The durable backstop of the events that must not be lost (see ``mercato.kit.outbox.announce``):
# money follows the status events, SLA deadlines follow the messages.


@outbox_handler(PAID_TOPIC)
async def relay_order_paid(delivery: OutboxDelivery) -> None:
    await republish(OrderPaid.from_payload(delivery.payload))


@outbox_handler(COMPLETED_TOPIC)
async def relay_order_completed(delivery: OutboxDelivery) -> None:
    await republish(OrderCompleted.from_payload(delivery.payload))


@outbox_handler(CANCELED_TOPIC)
async def relay_order_canceled(delivery: OutboxDelivery) -> None:
    await republish(OrderCanceled.from_payload(delivery.payload))


@outbox_handler(BUYER_WROTE_TOPIC)
async def relay_buyer_wrote(delivery: OutboxDelivery) -> None:
    await republish(BuyerWrote.from_payload(delivery.payload))


@outbox_handler(SELLER_REPLIED_TOPIC)
async def relay_seller_replied(delivery: OutboxDelivery) -> None:
    await republish(SellerReplied.from_payload(delivery.payload))
