"""Messages between an order's buyer and its seller, over the API: the thread, who writes and
who only reads, trimmed plain text of 1 to 4000 characters, nothing written on a refusal, the
other party emailed, the seller's reply answering every message since its last, the seller's
queue of buyers waiting, the events other domains react to, and the response times."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mercato.kit.auth import Role
from mercato.kit.clock import FrozenClock
from mercato.kit.events import subscribe
from mercato.kit.outbox import OutboxMessage
from mercato.kit.runtime import Runtime
from mercato.notifications.models import Mail
from mercato.orders import BuyerWrote, SellerReplied
from mercato.orders import service as orders
from mercato.orders.models import OrderMessage
from tests.fixtures.accounts import create_user, last_mail_to, login
from tests.orders.conftest import API, Market, checkout, fill_cart, pay_group_by_card

SEEN: list[Any] = []


@subscribe(BuyerWrote)
async def _buyer_wrote(event: BuyerWrote) -> None:
    SEEN.append(event)


@subscribe(SellerReplied)
async def _seller_replied(event: SellerReplied) -> None:
    SEEN.append(event)


@pytest.fixture(autouse=True)
def _fresh_events() -> None:
    SEEN.clear()


@pytest.fixture
def clock(frozen_clock: FrozenClock) -> FrozenClock:
    return frozen_clock


async def ordered(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, *, pay: bool = True
) -> dict[str, Any]:
    """The buyer's order of one mug from "seller", paid by card unless ``pay`` is False."""
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    placed = await checkout(client, market.headers("buyer"), key=uuid.uuid4().hex)
    assert placed.status_code == 201, placed.text
    if pay:
        await pay_group_by_card(runtime, placed.json()["payment"]["id"])
    order: dict[str, Any] = placed.json()["group"]["orders"][0]
    return order


async def write(
    client: httpx.AsyncClient, market: Market, who: str, order: dict[str, Any], body: Any
) -> httpx.Response:
    return await client.post(
        f"{API}/orders/{order['id']}/messages", json={"body": body}, headers=market.headers(who)
    )


async def thread(
    client: httpx.AsyncClient, market: Market, who: str, order: dict[str, Any]
) -> httpx.Response:
    return await client.get(f"{API}/orders/{order['id']}/messages", headers=market.headers(who))


async def written(runtime: Runtime) -> dict[str, int]:
    async with runtime.database.reading() as session:
        return {
            model.__tablename__: (
                await session.execute(select(func.count()).select_from(model))
            ).scalar_one()
            for model in (OrderMessage, Mail, OutboxMessage)
        }


async def test_the_buyer_writes_and_the_seller_replies(runtime, client, market, clock):
    order = await ordered(runtime, client, market)
    sent = await write(client, market, "buyer", order, "  Is it gift-wrapped?\nThanks!  ")
    assert sent.status_code == 201, sent.text
    question = sent.json()
    assert (question["author"], question["body"]) == ("buyer", "Is it gift-wrapped?\nThanks!")
    assert question["answered_at"] is None
    mail = await last_mail_to(runtime, "seller@example.com")
    assert mail.subject == f"Buyer wrote about order {order['number']}"
    assert "Is it gift-wrapped?\nThanks!" in mail.body_text
    assert f"/seller/orders/{order['id']}#messages" in mail.body_text

    waiting = (await thread(client, market, "seller", order)).json()
    assert waiting["can_write"] and waiting["writable"]
    assert waiting["waiting_since"] == question["created_at"]

    clock.advance(timedelta(minutes=30))
    reply = await write(client, market, "seller", order, "Yes, in recycled paper.")
    assert reply.status_code == 201, reply.text
    assert (await last_mail_to(runtime, "buyer@example.com")).subject == (
        f"Seller Shop replied about order {order['number']}"
    )
    answered = (await thread(client, market, "buyer", order)).json()
    assert [(m["author"], m["body"]) for m in answered["messages"]] == [
        ("buyer", "Is it gift-wrapped?\nThanks!"),
        ("seller", "Yes, in recycled paper."),
    ]
    assert answered["messages"][0]["answered_at"] == reply.json()["created_at"]
    assert answered["waiting_since"] is None
    assert [type(event).__name__ for event in SEEN] == ["BuyerWrote", "SellerReplied"]
    replied = SEEN[1]
    assert replied.order_id == uuid.UUID(order["id"]) and replied.seller_id == market.seller_id
    assert replied.waiting_since == clock.now() - timedelta(minutes=30)


async def test_one_reply_answers_every_message_since_the_last(runtime, client, market, clock):
    order = await ordered(runtime, client, market)
    for body in ("Hello?", "Any news?"):
        assert (await write(client, market, "buyer", order, body)).status_code == 201
        clock.advance(timedelta(hours=1))
    reply = await write(client, market, "seller", order, "Shipping today.")
    clock.advance(timedelta(hours=1))
    assert (await write(client, market, "buyer", order, "Great, thanks")).status_code == 201
    messages = (await thread(client, market, "seller", order)).json()["messages"]
    assert [m["answered_at"] for m in messages] == [
        reply.json()["created_at"],
        reply.json()["created_at"],
        None,
        None,
    ]
    # A seller writing with nothing to answer is no reply to time.
    assert (await write(client, market, "seller", order, "You're welcome")).status_code == 201
    assert (await write(client, market, "seller", order, "Enjoy!")).status_code == 201
    assert [e.waiting_since for e in SEEN if isinstance(e, SellerReplied)] == [
        clock.now() - timedelta(hours=3),
        clock.now(),  # "Great, thanks", written just before
        None,
    ]


BAD_BODIES = (
    ("", "at least 1 character"),
    ("   \n ", "at least 1 character"),
    ("x" * 4001, "at most 4000 characters"),
    (None, "valid string"),
)


async def test_a_bad_body_is_refused_naming_the_field(runtime, client, market):
    order = await ordered(runtime, client, market)
    before = await written(runtime)
    for body, message in BAD_BODIES:
        refused = await write(client, market, "buyer", order, body)
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        errors = refused.json()["errors"]
        assert [error["field"] for error in errors] == ["body"]
        assert message in errors[0]["message"]
    assert await written(runtime) == before
    fits = await write(client, market, "buyer", order, "é" * 4000)
    assert fits.status_code == 201 and len(fits.json()["body"]) == 4000


async def test_messages_open_once_the_order_is_paid(runtime, client, market):
    order = await ordered(runtime, client, market, pay=False)
    before = await written(runtime)
    refused = await write(client, market, "buyer", order, "Hello")
    assert refused.status_code == 409
    assert await written(runtime) == before
    shown = (await thread(client, market, "buyer", order)).json()
    assert (shown["can_write"], shown["writable"], shown["messages"]) == (True, False, [])


async def test_staff_read_and_nobody_else_sees_the_thread(runtime, client, market):
    order = await ordered(runtime, client, market)
    assert (await write(client, market, "buyer", order, "Hello")).status_code == 201
    await create_user(runtime, "someone@example.com", Role.BUYER, "Someone Else")
    market.people["someone"] = market.people["buyer"].__class__(
        "someone", "someone@example.com", await login(client, "someone@example.com")
    )
    for who in ("admin", "support"):
        shown = await thread(client, market, who, order)
        assert shown.status_code == 200
        assert shown.json()["can_write"] is False and len(shown.json()["messages"]) == 1
    for who, status in (("admin", 403), ("support", 403), ("other_seller", 404), ("someone", 404)):
        before = await written(runtime)
        refused = await write(client, market, who, order, "Let me in")
        assert refused.status_code == status, who
        assert refused.headers["content-type"] == "application/problem+json"
        assert await written(runtime) == before
    for who in ("other_seller", "someone"):
        assert (await thread(client, market, who, order)).status_code == 404
    anonymous = await client.get(f"{API}/orders/{order['id']}/messages")
    assert anonymous.status_code == 401


async def test_the_sellers_queue_counts_waiting_buyers(runtime, client, market, clock):
    first = await ordered(runtime, client, market)
    clock.advance(timedelta(hours=1))
    second = await ordered(runtime, client, market)
    for order, body in ((first, "One"), (second, "Two"), (first, "Three " + "long " * 60)):
        assert (await write(client, market, "buyer", order, body)).status_code == 201
        clock.advance(timedelta(minutes=10))
    queue = await client.get(f"{API}/orders/messages/awaiting", headers=market.headers("seller"))
    assert queue.status_code == 200
    rows = queue.json()
    assert [(row["order_number"], row["unanswered"]) for row in rows] == [
        (first["number"], 2),
        (second["number"], 1),
    ]
    assert rows[0]["last_message"].startswith("Three long") and rows[0]["last_message"][-1] == "…"
    assert len(rows[0]["last_message"]) == 160
    other = await client.get(
        f"{API}/orders/messages/awaiting", headers=market.headers("other_seller")
    )
    assert other.json() == []
    assert (await write(client, market, "seller", first, "Answered")).status_code == 201
    queue = await client.get(f"{API}/orders/messages/awaiting", headers=market.headers("seller"))
    assert [row["order_number"] for row in queue.json()] == [second["number"]]
    refused = await client.get(f"{API}/orders/messages/awaiting", headers=market.headers("buyer"))
    assert refused.status_code == 403


async def test_response_times_run_from_the_first_unanswered_message(runtime, client, market, clock):
    order = await ordered(runtime, client, market)
    start = clock.now()
    await write(client, market, "buyer", order, "Question")
    clock.advance(timedelta(hours=2))
    await write(client, market, "buyer", order, "Hello?")
    clock.advance(timedelta(hours=1))
    await write(client, market, "seller", order, "Sorry, here I am")  # 3 h after the first
    clock.advance(timedelta(hours=5))
    await write(client, market, "buyer", order, "Thanks")
    clock.advance(timedelta(minutes=20))
    await write(client, market, "seller", order, "Anytime")  # 20 min
    await write(client, market, "seller", order, "Bye")  # nothing to answer
    async with runtime.database.reading() as session:
        everything = await orders.reply_seconds(
            session, market.seller_id, start, clock.now() + timedelta(seconds=1)
        )
        later = await orders.reply_seconds(
            session, market.seller_id, start + timedelta(hours=1), clock.now()
        )
        other = await orders.reply_seconds(
            session, market.other_seller_id, start, clock.now() + timedelta(seconds=1)
        )
    assert sorted(everything) == [20 * 60, 3 * 3600]
    assert later == [20 * 60]  # the first wait began before the window
    assert other == []
