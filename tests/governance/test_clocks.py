"""SLA clocks on real orders: started at payment from the version in force, met by the
seller's moves, reminded once, breached and warned once, and an unshipped order cancelled and
refunded automatically. The sweep is derived from the database and safe to run twice."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from mercato.governance.models import SellerWarning, SlaBreach, SlaDeadline
from mercato.governance.schemas import DeadlineOut
from mercato.governance.tasks import sweep_sla_clocks
from mercato.notifications.models import Mail
from mercato.orders.models import Order
from mercato.settlement.models import Refund
from tests.governance.conftest import act, activate_sla, admin_of, paid_orders


async def deadlines(runtime, order_id: str) -> dict[str, DeadlineOut]:
    async with runtime.database.reading() as session:
        rows = await session.execute(
            select(SlaDeadline).where(SlaDeadline.order_id == uuid.UUID(order_id))
        )
        return {row.kind: DeadlineOut.model_validate(row) for row in rows.scalars()}


async def count(runtime, model, **where) -> int:
    async with runtime.database.reading() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return (await session.execute(statement)).scalar_one()


async def test_clocks_start_at_payment_and_are_met_in_time(runtime, client, market, clock):
    policy = await activate_sla(runtime, admin_of(market))
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    paid = clock.now()
    found = await deadlines(runtime, order["id"])
    assert sorted(found) == ["accept", "auto_cancel", "ship"]
    assert found["ship"].due_at == paid + timedelta(days=3)
    assert found["ship"].remind_at == paid + timedelta(days=3, hours=-12)
    assert {row.policy_version_id for row in found.values()} == {policy.id}
    assert (await act(client, market, "seller", order, "accept")).status_code == 200
    clock.advance(timedelta(hours=1))
    shipped = await act(
        client, market, "seller", order, "ship", carrier="DHL", tracking_number="JD0001"
    )
    assert shipped.status_code == 200
    found = await deadlines(runtime, order["id"])
    assert found["accept"].met_at == paid and found["ship"].met_at == paid + timedelta(hours=1)
    assert found["auto_cancel"].met_at == paid + timedelta(hours=1)
    clock.advance(timedelta(days=30))
    await sweep_sla_clocks()
    assert await count(runtime, SlaBreach) == 0


async def test_a_late_order_is_reminded_breached_warned_then_cancelled(
    runtime, client, market, clock
):
    await activate_sla(runtime, admin_of(market))
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    assert (await act(client, market, "seller", order, "accept")).status_code == 200
    mails_before = await count(runtime, Mail)

    clock.advance(timedelta(days=2, hours=13))  # inside the ship reminder window
    first, second = await sweep_sla_clocks(), await sweep_sla_clocks()
    assert (first.reminded, second.reminded) == (1, 0)
    assert await count(runtime, Mail) == mails_before + 1

    clock.advance(timedelta(days=1))  # the ship deadline has passed
    await sweep_sla_clocks()
    await sweep_sla_clocks()
    assert await count(runtime, SlaBreach, kind="ship") == 1
    assert await count(runtime, SellerWarning, seller_id=market.seller_id) == 1
    assert await count(runtime, Mail) == mails_before + 2
    async with runtime.database.reading() as session:
        breach = (await session.execute(select(SlaBreach.order_id, SlaBreach.seller_id))).one()
    assert tuple(breach) == (uuid.UUID(order["id"]), market.seller_id)

    clock.advance(timedelta(days=4))  # 7 days after payment, still not shipped
    report = await sweep_sla_clocks()
    assert report.breached == 1
    async with runtime.database.reading() as session:
        cancelled = (
            await session.execute(
                select(Order.status, Order.canceled_by).where(Order.id == uuid.UUID(order["id"]))
            )
        ).one()
        refunds = (await session.execute(select(Refund.amount_minor))).scalars().all()
    assert tuple(cancelled) == ("canceled", "system")
    assert refunds == [order["total_minor"]]
    assert (await sweep_sla_clocks()).breached == 0
    assert await count(runtime, SlaBreach) == 1


async def test_a_seller_sees_its_own_clocks_only(runtime, client, market, clock):
    await activate_sla(runtime, admin_of(market))
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    clock.advance(timedelta(days=3, seconds=1))
    await sweep_sla_clocks()
    mine = await client.get("/api/v1/governance/sla/me", headers=market.headers("seller"))
    assert mine.status_code == 200
    body = mine.json()
    assert {row["order_id"] for row in body["open_deadlines"]} == {orders["seller"]["id"]}
    assert [(b["order_id"], b["kind"]) for b in body["breaches"]] == [
        (orders["seller"]["id"], "ship"),
        (orders["seller"]["id"], "accept"),
    ] or [(b["order_id"], b["kind"]) for b in body["breaches"]] == [
        (orders["seller"]["id"], "accept"),
        (orders["seller"]["id"], "ship"),
    ]
    assert len(body["warnings"]) == 2
