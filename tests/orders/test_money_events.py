"""The events money follows (paid, completed, cancelled) survive a crash: each is written to the
outbox in the order's own transaction and round-trips through its payload unchanged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from mercato.kit.outbox import OutboxMessage
from mercato.kit.runtime import Runtime
from mercato.orders import (
    PAID_TOPIC,
    OrderCanceled,
    OrderCompleted,
    OrderPaid,
    SoldLine,
)
from tests.orders.conftest import Market, checkout, fill_cart, pay_group_by_card

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_order_paid_round_trips_with_its_lines():
    event = OrderPaid(
        uuid.uuid4(),
        uuid.uuid4(),
        uuid.uuid4(),
        uuid.uuid4(),
        2500,
        "EUR",
        "escrow:order:1",
        number="M-1-1",
        kind="goods",
        items_minor=2000,
        shipping_minor=500,
        captured_minor=2500,
        paid_at=AT,
        lines=(
            SoldLine(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "SKU-1", "Teapot", 2, 1000, 2000),
        ),
    )
    assert OrderPaid.from_payload(event.to_payload()) == event


def test_completed_and_canceled_round_trip():
    completed = OrderCompleted(uuid.uuid4(), uuid.uuid4(), 100, "JPY", "escrow:order:2", AT)
    canceled = OrderCanceled(uuid.uuid4(), uuid.uuid4(), True, "changed my mind", "buyer", AT)
    assert OrderCompleted.from_payload(completed.to_payload()) == completed
    assert OrderCanceled.from_payload(canceled.to_payload()) == canceled


async def test_paying_writes_a_durable_message_with_the_lines(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 2))
    placed = await checkout(client, market.headers("buyer"), key=uuid.uuid4().hex)
    assert placed.status_code == 201, placed.text
    await pay_group_by_card(runtime, placed.json()["payment"]["id"])
    async with runtime.database.reading() as session:
        statement = select(OutboxMessage.payload).where(OutboxMessage.topic == PAID_TOPIC)
        (payload,) = (await session.execute(statement)).scalars().all()
    paid = OrderPaid.from_payload(payload)
    order = placed.json()["group"]["orders"][0]
    assert str(paid.order_id) == order["id"]
    assert paid.captured_minor == paid.total_minor == order["total_minor"]
    assert [(line.quantity, line.line_total_minor) for line in paid.lines] == [
        (2, 2 * paid.lines[0].unit_price_minor)
    ]
