"""Reacting to orders: an order's fees are frozen as soon as it is paid, from the rules in
force at its payment time. Idempotent: the payments outbox and the in-process announcement may
both deliver the same event."""

from __future__ import annotations

from mercato.commission import service
from mercato.commission.schemas import FeeRequest, FeeRequestLine
from mercato.kit import clock
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.orders import OrderPaid


def fee_request_of(event: OrderPaid) -> FeeRequest:
    return FeeRequest(
        order_id=event.order_id,
        seller_id=event.seller_id,
        currency=event.currency,
        paid_at=event.paid_at or clock.now(),
        lines=[
            FeeRequestLine(
                line_id=line.line_id,
                listing_id=line.listing_id,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                line_total_minor=line.line_total_minor,
            )
            for line in event.lines
        ],
    )


@subscribe(OrderPaid)
async def freeze_order_fees(event: OrderPaid) -> None:
    if not event.lines:
        return
    async with current_database().transaction(writes=True) as session:
        await service.assess_order_fees(session, fee_request_of(event))
