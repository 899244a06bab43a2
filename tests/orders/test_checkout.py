"""Checkout over the API: one payment for a cart from two sellers becomes two orders whose
escrow accounts hold exactly their totals; retries replay; bad input leaves nothing behind."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from mercato.cart.service import cart_for_checkout
from mercato.kit.jobs import run_job
from mercato.kit.runtime import Runtime
from mercato.orders.tasks import expire_reservations
from mercato.payments.models import Payment
from mercato.payments.service import balance
from tests.orders.conftest import (
    ADDRESS,
    API,
    Market,
    checkout,
    counts,
    fill_cart,
    pay_group_by_card,
    stock_of,
)


async def test_one_payment_for_two_sellers_fills_two_escrow_accounts(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 2), (market.lamp, 1))
    response = await checkout(client, market.headers("buyer"), expected_total_minor=8690)
    assert response.status_code == 201, response.text
    placed = response.json()
    group, payment = placed["group"], placed["payment"]
    assert (group["status"], group["total_minor"], group["currency"]) == (
        "awaiting_payment",
        8690,
        "EUR",
    )
    totals = {order["seller_id"]: order["total_minor"] for order in group["orders"]}
    assert totals == {str(market.seller_id): 3600 + 490, str(market.other_seller_id): 4000 + 600}
    assert payment["status"] == "requires_action" and payment["amount_minor"] == 8690
    assert payment["redirect_url"].startswith("http://testserver/sandbox/pay/")
    # The stock is held from now on, and the cart is empty.
    assert await stock_of(runtime, market.mug_small) == 3
    assert await stock_of(runtime, market.lamp) == 2
    async with runtime.database.reading() as session:
        assert (await cart_for_checkout(session, market.buyer.user_id)).groups == []

    await pay_group_by_card(runtime, payment["id"])

    paid = await client.get(f"{API}/order-groups/{group['id']}", headers=market.headers("buyer"))
    assert paid.json()["status"] == "paid"
    async with runtime.database.reading() as session:
        for order in paid.json()["orders"]:
            assert order["status"] == "paid"
            escrow = f"escrow:order:{order['id']}"
            assert (await balance(session, escrow, "EUR")).amount_minor == order["total_minor"]
    detail = await client.get(
        f"{API}/orders/{group['orders'][0]['id']}", headers=market.headers("buyer")
    )
    assert detail.json()["captured_minor"] == detail.json()["total_minor"]
    assert [t["to_status"] for t in detail.json()["transitions"]] == ["paid"]


async def test_a_retry_replays_and_another_body_conflicts(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    await fill_cart(runtime, market.buyer, (market.lamp, 1))
    first = await checkout(client, market.headers("buyer"), key="same")
    assert first.status_code == 201, first.text
    again = await checkout(client, market.headers("buyer"), key="same")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["group"]["id"] == first.json()["group"]["id"]
    assert again.json()["payment"]["id"] == first.json()["payment"]["id"]
    before = await counts(runtime)
    other = await checkout(client, market.headers("buyer"), key="same", payment_method="ewallet")
    assert other.status_code == 409
    assert other.headers["content-type"].startswith("application/problem+json")
    assert await counts(runtime) == before
    assert await stock_of(runtime, market.lamp) == 2


async def test_bad_checkouts_write_nothing(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    buyer = market.headers("buyer")
    empty = await checkout(client, buyer, key="empty")
    assert empty.status_code == 409 and "empty" in empty.json()["detail"]
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    before = await counts(runtime)
    cases = [
        ({"address": {**ADDRESS, "postal_code": "ABC"}}, 422, "address.postal_code"),
        ({"address": {k: v for k, v in ADDRESS.items() if k != "city"}}, 422, "address.city"),
        ({"address": None}, 422, "address"),
        ({"address_id": str(uuid.uuid4()), "address": None}, 422, "address_id"),
        ({"payment_method": "cheque"}, 422, "payment_method"),
        ({"expected_total_minor": 1}, 409, None),
    ]
    for index, (change, status, field) in enumerate(cases):
        response = await checkout(client, buyer, key=f"bad-{index}", **change)
        assert response.status_code == status, (change, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if field:
            fields = [e["field"] for e in response.json().get("errors", [])]
            assert any(f.endswith(field) for f in fields), (field, response.json())
    missing_key = await client.post(
        f"{API}/checkout", json={"address": ADDRESS, "payment_method": "card"}, headers=buyer
    )
    assert missing_key.status_code == 422
    assert await counts(runtime) == before
    assert await stock_of(runtime, market.mug_small) == 5


async def test_a_price_change_is_explained_not_charged(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    changed = await client.patch(
        f"{API}/catalog/my/variants/{market.mug_small}",
        json={"price": "19.50"},
        headers=market.headers("seller"),
    )
    assert changed.status_code == 200, changed.text
    before = await counts(runtime)
    response = await checkout(client, market.headers("buyer"))
    assert response.status_code == 409
    assert "€18.00" in response.json()["detail"] and "€19.50" in response.json()["detail"]
    assert await counts(runtime) == before
    accepted = await client.post(f"{API}/cart/acknowledge", headers=market.headers("buyer"))
    assert accepted.status_code == 200, accepted.text
    placed = await checkout(client, market.headers("buyer"), key="after-ack")
    assert placed.status_code == 201, placed.text
    assert placed.json()["group"]["items_minor"] == 1950


async def test_only_buyers_check_out(runtime: Runtime, client: httpx.AsyncClient, market: Market):
    for who, status in [("anonymous", 401), ("seller", 403), ("support", 403), ("admin", 403)]:
        response = await checkout(client, market.headers(who), key=f"as-{who}")
        assert response.status_code == status, (who, response.text)


async def test_a_declined_card_can_be_retried_and_a_lapsed_reservation_returns_the_stock(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, frozen_clock
):
    await fill_cart(runtime, market.buyer, (market.lamp, 2))
    placed = (await checkout(client, market.headers("buyer"))).json()
    await pay_group_by_card(runtime, placed["payment"]["id"], "4000 0000 0000 0002")
    group_url = f"{API}/order-groups/{placed['group']['id']}"
    assert (await client.get(group_url, headers=market.headers("buyer"))).json()[
        "status"
    ] == "awaiting_payment"
    retry = await client.post(
        f"{group_url}/payments",
        json={"payment_method": "card"},
        headers={**market.headers("buyer"), "Idempotency-Key": "retry-1"},
    )
    assert retry.status_code == 201, retry.text
    assert retry.json()["payment"]["id"] != placed["payment"]["id"]
    # The buyer walks away: after the reservation time the stock comes back.
    assert await stock_of(runtime, market.lamp) == 1
    frozen_clock.advance(timedelta(minutes=16))
    assert await expire_reservations() == 1
    assert await expire_reservations() == 0
    assert await stock_of(runtime, market.lamp) == 3
    lapsed = (await client.get(group_url, headers=market.headers("buyer"))).json()
    assert lapsed["status"] == "canceled"
    assert [order["status"] for order in lapsed["orders"]] == ["canceled"]


async def test_a_suspended_sellers_item_blocks_checkout(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 1), (market.lamp, 1))
    suspended = await client.post(
        f"{API}/admin/sellers/{market.other_seller_id}/decisions",
        json={"decision": "suspend", "reason": "Counterfeit reports."},
        headers=market.headers("admin"),
    )
    assert suspended.status_code == 200, suspended.text
    before = await counts(runtime)
    response = await checkout(client, market.headers("buyer"))
    assert response.status_code == 409
    assert "Porcelain lamp" in response.json()["detail"]
    assert await counts(runtime) == before
    assert (await stock_of(runtime, market.mug_small), await stock_of(runtime, market.lamp)) == (
        5,
        3,
    )


async def test_a_bank_transfer_keeps_its_reservation_until_the_webhook(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, frozen_clock
):
    await fill_cart(runtime, market.buyer, (market.lamp, 1))
    placed = await checkout(client, market.headers("buyer"), payment_method="bank_transfer")
    assert placed.status_code == 201, placed.text
    assert placed.json()["payment"]["status"] == "processing"
    frozen_clock.advance(timedelta(hours=1))
    assert await expire_reservations() == 0  # the transfer is still on its way
    async with runtime.database.reading() as session:
        provider_id = await session.get(Payment, uuid.UUID(placed.json()["payment"]["id"]))
        assert provider_id is not None
        sandbox_id = provider_id.provider_payment_id
    await run_job("payments.sandbox_settle_transfer", {"provider_payment_id": sandbox_id})
    group = await client.get(
        f"{API}/order-groups/{placed.json()['group']['id']}", headers=market.headers("buyer")
    )
    assert group.json()["status"] == "paid"
    assert await stock_of(runtime, market.lamp) == 2


async def test_a_card_paid_after_the_reservation_lapsed_revives_the_orders(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, frozen_clock
):
    await fill_cart(runtime, market.buyer, (market.lamp, 1))
    placed = (await checkout(client, market.headers("buyer"))).json()
    frozen_clock.advance(timedelta(minutes=20))
    assert await expire_reservations() == 1
    assert await stock_of(runtime, market.lamp) == 3
    # The buyer had the card page open all along and pays now: the stock is still there.
    await pay_group_by_card(runtime, placed["payment"]["id"])
    group = await client.get(
        f"{API}/order-groups/{placed['group']['id']}", headers=market.headers("buyer")
    )
    assert group.json()["status"] == "paid"
    assert [o["status"] for o in group.json()["orders"]] == ["paid"]
    assert await stock_of(runtime, market.lamp) == 2
