"""The respond-by clock on real orders: a buyer's message opens a deadline (from the SLA in force
at the order's payment, with its category's override) unless one is running; the seller's reply
meets it; the next buyer message after a reply opens another. The sweep reminds once, records
one breach with its warning and email, and never acts twice; the clocks are derived from the
thread, so a lost event or a second run changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select

from mercato.governance import service
from mercato.governance.calculations import DEFAULT_SLA
from mercato.governance.models import SellerWarning, SlaBreach, SlaDeadline
from mercato.governance.schemas import ActivateIn, DeadlineOut, PolicyDraftIn, PolicyKind
from mercato.governance.tasks import sweep_sla_clocks
from mercato.notifications.models import Mail
from tests.governance.conftest import API, activate_sla, admin_of, paid_orders


async def write(client, market, who: str, order: dict[str, Any], body: str) -> dict[str, Any]:
    response = await client.post(
        f"{API}/orders/{order['id']}/messages", json={"body": body}, headers=market.headers(who)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def respond_deadlines(runtime, order: dict[str, Any]) -> list[DeadlineOut]:
    async with runtime.database.reading() as session:
        rows = await session.execute(
            select(SlaDeadline)
            .where(SlaDeadline.order_id == uuid.UUID(order["id"]), SlaDeadline.kind == "respond")
            .order_by(SlaDeadline.due_at)
        )
        return [DeadlineOut.model_validate(row) for row in rows.scalars()]


async def count(runtime, model, **where) -> int:
    async with runtime.database.reading() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return (await session.execute(statement)).scalar_one()


async def mug_order(runtime, client, market) -> dict[str, Any]:
    return (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]


async def test_a_buyer_message_opens_the_clock_and_the_reply_meets_it(
    runtime, client, market, clock
):
    policy = await activate_sla(runtime, admin_of(market))
    order = await mug_order(runtime, client, market)
    question = await write(client, market, "buyer", order, "Is it gift-wrapped?")
    asked = clock.now()
    [deadline] = await respond_deadlines(runtime, order)
    assert deadline.message_id == uuid.UUID(question["id"])
    assert (deadline.due_at, deadline.remind_at) == (
        asked + timedelta(hours=24),
        asked + timedelta(hours=12),
    )
    assert deadline.policy_version_id == policy.id
    mine = await client.get(f"{API}/governance/sla/me", headers=market.headers("seller"))
    shown = [d for d in mine.json()["open_deadlines"] if d["kind"] == "respond"]
    assert [(d["order_id"], d["message_id"]) for d in shown] == [(order["id"], question["id"])]

    clock.advance(timedelta(hours=2))
    await write(client, market, "seller", order, "Yes, it is.")
    [deadline] = await respond_deadlines(runtime, order)
    assert deadline.met_at == asked + timedelta(hours=2) and deadline.breached_at is None
    clock.advance(timedelta(days=2))
    await sweep_sla_clocks()
    assert await count(runtime, SlaBreach, kind="respond") == 0


async def test_an_unanswered_message_is_reminded_then_breached_once(runtime, client, market, clock):
    await activate_sla(runtime, admin_of(market))
    order = await mug_order(runtime, client, market)
    assert (
        await client.post(f"{API}/orders/{order['id']}/accept", headers=market.headers("seller"))
    ).status_code == 200
    await write(client, market, "buyer", order, "When does it ship?")
    mails = await count(runtime, Mail)

    clock.advance(timedelta(hours=13))
    first, second = await sweep_sla_clocks(), await sweep_sla_clocks()
    assert (first.reminded, second.reminded) == (1, 0)
    assert await count(runtime, Mail) == mails + 1
    async with runtime.database.reading() as session:
        statement = select(Mail.subject, Mail.body_text, Mail.body_html).order_by(Mail.id.desc())
        reminder = (await session.execute(statement.limit(1))).one()
    assert reminder.subject.startswith(f"Order {order['number']}: reply to the buyer by ")
    assert "Reply to the buyer" in reminder.body_html
    assert f"/seller/orders/{order['id']}#messages" in reminder.body_text

    clock.advance(timedelta(hours=12))  # 25 h after the message
    breached = await sweep_sla_clocks()
    again = await sweep_sla_clocks()
    assert (breached.breached, again.breached) == (1, 0)
    assert await count(runtime, SlaBreach, kind="respond") == 1
    async with runtime.database.reading() as session:
        warning = (
            await session.execute(
                select(SellerWarning.message)
                .join(SlaBreach, SlaBreach.id == SellerWarning.breach_id)
                .where(SlaBreach.kind == "respond")
            )
        ).scalar_one()
    assert warning.startswith(f"Order {order['number']} missed its deadline to reply to the buyer")
    assert await count(runtime, Mail) == mails + 2

    clock.advance(timedelta(hours=5))
    await write(client, market, "seller", order, "Sorry, tomorrow.")  # late: no second breach
    [deadline] = await respond_deadlines(runtime, order)
    assert deadline.met_at is None and deadline.breached_at is not None
    assert await count(runtime, SlaBreach, kind="respond") == 1
    assert (await sweep_sla_clocks()).breached == 0


async def test_the_next_message_after_a_reply_opens_a_new_clock(runtime, client, market, clock):
    await activate_sla(runtime, admin_of(market))
    order = await mug_order(runtime, client, market)
    first = await write(client, market, "buyer", order, "One question")
    clock.advance(timedelta(hours=1))
    await write(client, market, "buyer", order, "And another")  # the clock already runs
    assert len(await respond_deadlines(runtime, order)) == 1
    clock.advance(timedelta(hours=1))
    await write(client, market, "seller", order, "Two answers")
    clock.advance(timedelta(hours=3))
    second = await write(client, market, "buyer", order, "Thanks! One more")
    deadlines = await respond_deadlines(runtime, order)
    assert [str(d.message_id) for d in deadlines] == [first["id"], second["id"]]
    assert deadlines[0].met_at is not None and deadlines[1].met_at is None
    # A buyer still writing after a deadline passed unanswered starts the next one.
    clock.advance(timedelta(hours=26))
    await sweep_sla_clocks()
    third = await write(client, market, "buyer", order, "Hello??")
    deadlines = await respond_deadlines(runtime, order)
    assert [str(d.message_id) for d in deadlines] == [first["id"], second["id"], third["id"]]
    assert deadlines[1].breached_at is not None and deadlines[2].breached_at is None
    clock.advance(timedelta(hours=1))
    await write(client, market, "seller", order, "Here!")
    deadlines = await respond_deadlines(runtime, order)
    assert deadlines[2].met_at == clock.now()
    assert await count(runtime, SlaBreach, kind="respond") == 1
    # The order's other deadlines are still one of each kind.
    async with runtime.database.reading() as session:
        kinds = (
            await session.execute(
                select(SlaDeadline.kind).where(
                    SlaDeadline.order_id == uuid.UUID(order["id"]), SlaDeadline.kind != "respond"
                )
            )
        ).scalars()
        assert sorted(kinds) == ["accept", "auto_cancel", "ship"]


async def test_the_category_override_at_payment_sets_the_deadline(runtime, client, market, clock):
    admin = admin_of(market)
    async with runtime.database.transaction() as session:
        draft = await service.draft_policy(
            session,
            admin,
            PolicyDraftIn(
                kind=PolicyKind.SLA,
                reason="Ceramics buyers expect fast answers",
                parameters=DEFAULT_SLA,
                overrides=[
                    {"category_id": market.tree.ceramics, "parameters": {"respond_within_hours": 4}}
                ],
            ),
        )
        await service.activate_policy(session, admin, draft.id, ActivateIn())
    order = await mug_order(runtime, client, market)
    # A later policy does not change the order's terms: they are those in force at payment.
    clock.advance(timedelta(hours=1))
    await activate_sla(runtime, admin, respond_within_hours=48)
    await write(client, market, "buyer", order, "Quick question")
    [deadline] = await respond_deadlines(runtime, order)
    assert deadline.due_at == clock.now() + timedelta(hours=4)
    assert deadline.remind_at is None  # 12 h before a 4 h deadline is before the message
    assert deadline.policy_version_id == draft.id


async def test_clocks_are_derived_from_the_thread(runtime, client, market, clock):
    await activate_sla(runtime, admin_of(market))
    order = await mug_order(runtime, client, market)
    await write(client, market, "buyer", order, "Hello")
    clock.advance(timedelta(hours=30))
    await write(client, market, "seller", order, "Late, sorry")
    await write(client, market, "buyer", order, "No problem")
    order_id = uuid.UUID(order["id"])
    # As if both events were lost: the deadlines are gone; a run rebuilds and settles them.
    async with runtime.database.transaction() as session:
        await session.execute(delete(SellerWarning))
        await session.execute(delete(SlaBreach))
        await session.execute(delete(SlaDeadline).where(SlaDeadline.kind == "respond"))
    async with runtime.database.transaction() as session:
        assert await service.sync_respond_clocks(session, order_id) == 2
    async with runtime.database.transaction() as session:
        assert await service.sync_respond_clocks(session, order_id) == 0
    deadlines = await respond_deadlines(runtime, order)
    assert [(d.met_at is None, d.breached_at is None) for d in deadlines] == [
        (True, False),  # answered 30 h later: late
        (True, True),  # still waiting, not due yet
    ]
    assert await count(runtime, SlaBreach, kind="respond") == 1
    # The payment's deadlines open even when a respond-by deadline came first.
    async with runtime.database.transaction() as session:
        await session.execute(
            delete(SlaDeadline).where(
                SlaDeadline.order_id == order_id, SlaDeadline.kind != "respond"
            )
        )
    async with runtime.database.transaction() as session:
        assert await service.open_clocks(session, order_id) == 3
        assert await service.open_clocks(session, order_id) == 0
