"""The order state machines through the API: each move only by the right role, recorded with
actor and time, announced by event and email; timers move orders on by themselves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from mercato.kit.events import subscribe
from mercato.kit.runtime import Runtime
from mercato.orders import OrderCanceled, OrderCompleted
from mercato.orders.policy import Actor, Kind, OrderStatus, TransitionRefused, check_transition
from mercato.orders.tasks import advance_due_orders
from tests.fixtures.accounts import last_mail_to
from tests.orders.conftest import API, Market, checkout, fill_cart, pay_group_by_card, stock_of

completed: list[OrderCompleted] = []
canceled: list[OrderCanceled] = []


@subscribe(OrderCompleted)
async def _completed(event: OrderCompleted) -> None:
    completed.append(event)


@subscribe(OrderCanceled)
async def _canceled(event: OrderCanceled) -> None:
    canceled.append(event)


@pytest.fixture(autouse=True)
def _clear_events() -> None:
    completed.clear()
    canceled.clear()


async def paid_orders(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, *items: tuple[uuid.UUID, int]
) -> dict[str, dict[str, Any]]:
    """Check out ``items`` and pay by card; the orders by seller ("seller", "other_seller")."""
    await fill_cart(runtime, market.buyer, *items)
    placed = await checkout(client, market.headers("buyer"), key=uuid.uuid4().hex)
    assert placed.status_code == 201, placed.text
    await pay_group_by_card(runtime, placed.json()["payment"]["id"])
    names = {str(market.seller_id): "seller", str(market.other_seller_id): "other_seller"}
    return {names[o["seller_id"]]: o for o in placed.json()["group"]["orders"]}


async def act(
    client: httpx.AsyncClient, market: Market, who: str, order: dict[str, Any], verb: str, **body
) -> httpx.Response:
    return await client.post(
        f"{API}/orders/{order['id']}/{verb}", json=body or None, headers=market.headers(who)
    )


async def test_goods_from_paid_to_completed(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, frozen_clock
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    assert (await act(client, market, "buyer", order, "accept")).status_code == 403
    assert (await act(client, market, "other_seller", order, "accept")).status_code == 404
    assert (await act(client, market, "support", order, "accept")).status_code == 403
    early = await act(client, market, "seller", order, "ship", carrier="DHL", tracking_number="JD1")
    assert early.status_code in (409, 422)
    accepted = await act(client, market, "seller", order, "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["next_actions"] == ["shipped", "canceled"]
    bad = await act(client, market, "seller", order, "ship", carrier="DHL", tracking_number="<x>")
    assert bad.status_code == 422
    shipped = await act(
        client, market, "seller", order, "ship", carrier="DHL", tracking_number="jd0142"
    )
    assert shipped.status_code == 200, shipped.text
    assert (shipped.json()["carrier"], shipped.json()["tracking_number"]) == ("DHL", "JD0142")
    mail = await last_mail_to(runtime, market.people["buyer"].email)
    assert "JD0142" in mail.body_text and order["number"] in mail.subject + mail.body_text
    assert (await act(client, market, "seller", order, "deliver")).status_code == 403
    delivered = await act(client, market, "buyer", order, "deliver")
    assert delivered.status_code == 200, delivered.text
    timeline = [(t["to_status"], t["actor"]) for t in delivered.json()["transitions"]]
    assert timeline == [
        ("paid", "system"),
        ("accepted", "seller"),
        ("shipped", "seller"),
        ("delivered", "buyer"),
    ]
    assert await advance_due_orders() == 0  # the buyer's window is still open
    frozen_clock.advance(timedelta(days=3, seconds=1))
    assert await advance_due_orders() == 1
    assert await advance_due_orders() == 0
    final = await client.get(f"{API}/orders/{order['id']}", headers=market.headers("support"))
    assert final.json()["status"] == "completed"
    assert [(e.order_id, e.total_minor) for e in completed] == [
        (uuid.UUID(order["id"]), order["total_minor"])
    ]


async def test_a_shipped_parcel_counts_as_delivered_after_the_window(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, frozen_clock
):
    order = (await paid_orders(runtime, client, market, (market.lamp, 1)))["other_seller"]
    await act(client, market, "other_seller", order, "accept")
    await act(client, market, "other_seller", order, "ship", carrier="UPS", tracking_number="1Z99")
    frozen_clock.advance(timedelta(days=14, seconds=1))
    assert await advance_due_orders() == 1
    seen = await client.get(f"{API}/orders/{order['id']}", headers=market.headers("buyer"))
    assert seen.json()["status"] == "delivered"
    assert seen.json()["transitions"][-1]["actor"] == "system"


async def test_services_are_scheduled_performed_and_confirmed(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.tune_up, 1)))["seller"]
    assert order["kind"] == "service"
    assert (await act(client, market, "seller", order, "accept")).status_code == 409
    when = datetime(2026, 12, 3, 14, 0, tzinfo=UTC).isoformat()
    naive = await act(client, market, "seller", order, "schedule", scheduled_for="2026-12-03T14:00")
    assert naive.status_code == 422
    scheduled = await act(client, market, "seller", order, "schedule", scheduled_for=when)
    assert scheduled.status_code == 200, scheduled.text
    assert (await act(client, market, "buyer", order, "perform")).status_code == 403
    assert (await act(client, market, "seller", order, "perform")).status_code == 200
    assert (await act(client, market, "seller", order, "confirm")).status_code == 403
    confirmed = await act(client, market, "buyer", order, "confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"


async def test_cancellations_by_buyer_and_seller(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 2), (market.lamp, 1))
    assert await stock_of(runtime, market.mug_small) == 3
    by_buyer = await act(client, market, "buyer", orders["seller"], "cancel")
    assert by_buyer.status_code == 200, by_buyer.text
    assert await stock_of(runtime, market.mug_small) == 5
    lamp = orders["other_seller"]
    await act(client, market, "other_seller", lamp, "accept")
    assert (await act(client, market, "buyer", lamp, "cancel")).status_code == 403
    no_reason = await act(client, market, "other_seller", lamp, "cancel", reason="  ")
    assert no_reason.status_code == 422
    by_seller = await act(client, market, "other_seller", lamp, "cancel", reason="Broken in stock")
    assert by_seller.status_code == 200
    assert by_seller.json()["cancel_reason"] == "Broken in stock"
    assert await stock_of(runtime, market.lamp) == 3
    assert {(e.actor, e.was_paid) for e in canceled} == {("buyer", True), ("seller", True)}
    mail = await last_mail_to(runtime, market.people["buyer"].email)
    assert "Broken in stock" in mail.body_text


async def test_bulk_accept_reports_each_order(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    first = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    second = (await paid_orders(runtime, client, market, (market.tune_up, 1)))["seller"]
    response = await client.post(
        f"{API}/orders/bulk/accept",
        json={"order_ids": [first["id"], second["id"], str(uuid.uuid4())]},
        headers=market.headers("seller"),
    )
    assert response.status_code == 200, response.text
    outcome = [(o["ok"], o["status"]) for o in response.json()]
    assert outcome == [(True, "accepted"), (False, None), (False, None)]


async def test_who_sees_which_orders(runtime: Runtime, client: httpx.AsyncClient, market: Market):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    seen = {}
    for who in ("buyer", "seller", "other_seller", "support", "admin"):
        listing = await client.get(f"{API}/orders", headers=market.headers(who))
        assert listing.status_code == 200, (who, listing.text)
        seen[who] = {o["id"] for o in listing.json()["items"]}
    both = {orders["seller"]["id"], orders["other_seller"]["id"]}
    assert seen["buyer"] == both and seen["support"] == both and seen["admin"] == both
    assert seen["seller"] == {orders["seller"]["id"]}
    assert seen["other_seller"] == {orders["other_seller"]["id"]}
    anonymous = await client.get(f"{API}/orders")
    assert anonymous.status_code == 401
    foreign = await client.get(
        f"{API}/orders/{orders['seller']['id']}", headers=market.headers("other_seller")
    )
    assert foreign.status_code == 404


@pytest.mark.parametrize(
    ("kind", "current", "target", "actor", "allowed"),
    [
        (Kind.GOODS, OrderStatus.PAID, OrderStatus.ACCEPTED, Actor.SELLER, True),
        (Kind.GOODS, OrderStatus.PAID, OrderStatus.ACCEPTED, Actor.BUYER, False),
        (Kind.GOODS, OrderStatus.SHIPPED, OrderStatus.CANCELED, Actor.SELLER, False),
        (Kind.GOODS, OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELED, Actor.BUYER, False),
        (Kind.GOODS, OrderStatus.DELIVERED, OrderStatus.COMPLETED, Actor.ADMIN, False),
        (Kind.SERVICE, OrderStatus.PAID, OrderStatus.SHIPPED, Actor.SELLER, False),
        (Kind.SERVICE, OrderStatus.SCHEDULED, OrderStatus.SCHEDULED, Actor.SELLER, True),
        (Kind.SERVICE, OrderStatus.PERFORMED, OrderStatus.CONFIRMED, Actor.SYSTEM, True),
    ],
)
def test_the_machine_table(kind, current, target, actor, allowed):
    if allowed:
        check_transition(kind, current, target, actor, "a reason")
    else:
        with pytest.raises(TransitionRefused):
            check_transition(kind, current, target, actor, "a reason")
