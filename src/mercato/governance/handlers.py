"""Governance's reactions to other domains' events: a paid order starts its SLA clocks, each
status change settles them; a buyer's message starts the respond-by clock, the seller's reply
settles it. Each event is handled in its own unit of work; every handler is idempotent, and
the sweep settles from the orders' state whatever an event missed."""

from __future__ import annotations

from mercato.governance import service
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.orders.events import BuyerWrote, OrderPaid, OrderStatusChanged, SellerReplied


@subscribe(OrderPaid)
async def start_sla_clocks(event: OrderPaid) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.open_clocks(session, event.order_id)


@subscribe(OrderStatusChanged)
async def settle_sla_clocks(event: OrderStatusChanged) -> None:
    if event.from_status is None or event.to_status == "paid":
        return
    async with current_database().transaction(writes=True) as session:
        await service.settle_clocks(session, event.order_id)


@subscribe(BuyerWrote)
async def start_respond_clock(event: BuyerWrote) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.sync_respond_clocks(session, event.order_id)


@subscribe(SellerReplied)
async def settle_respond_clock(event: SellerReplied) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.sync_respond_clocks(session, event.order_id)
