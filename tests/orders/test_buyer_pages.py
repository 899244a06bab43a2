"""The buyer's order pages over HTTP: checkout on one page (inline errors, one order per page
even when submitted twice, no pay button while the cart has problems), the confirmation page
in each payment state, the order history, and the order page with its timeline and actions."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import Runtime
from mercato.orders import service
from mercato.orders.models import Order, OrderGroup
from mercato.orders.policy import OrderStatus
from mercato.orders.schemas import ShipIn
from tests.fixtures.accounts import PASSWORD, Actor, create_user
from tests.orders.conftest import API, Market, fill_cart, pay_group_by_card

HTMX = {"HX-Request": "true"}
TYPED_ADDRESS = {
    "address_choice": "new",
    "full_name": "Alice Buyer",
    "line1": "12 rue des Lilas",
    "line2": "",
    "city": "Lyon",
    "postal_code": "69003",
    "country": "FR",
    "phone": "",
}
DECLINED_CARD = "4000 0000 0000 0002"


@asynccontextmanager
async def signed_in(runtime: Runtime, email: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client with its own cookies, signed in through the login form."""
    from mercato.app import create_app

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(runtime=runtime)),
        base_url="http://testserver",
        headers={"accept": "text/html"},
    ) as browser:
        token = await csrf_of(browser, "/login")
        response = await browser.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 303, response.text
        yield browser


@pytest.fixture
async def buyer(runtime: Runtime, market: Market) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(runtime, market.people["buyer"].email) as browser:
        yield browser


async def csrf_of(browser: httpx.AsyncClient, path: str) -> str:
    page = await browser.get(path, follow_redirects=True)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} in the page"
    return match.group(1)


async def checkout_form(browser: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """The checkout page and the fields it would submit as rendered."""
    page = await browser.get("/checkout")
    assert page.status_code == 200, page.text
    fields = {
        "csrf_token": hidden(page.text, "csrf_token"),
        "idempotency_key": hidden(page.text, "idempotency_key"),
        "expected_total_minor": hidden(page.text, "expected_total_minor"),
        "payment_method": "card",
    }
    return page.text, fields


async def place(
    runtime: Runtime, market: Market, browser: httpx.AsyncClient, method: str = "card"
) -> tuple[uuid.UUID, httpx.Response]:
    """Fill the cart with the mug and the lamp, check out through the page; the group id."""
    await fill_cart(runtime, market.buyer, (market.mug_small, 1), (market.lamp, 1))
    _, fields = await checkout_form(browser)
    placed = await browser.post(
        "/checkout", data={**fields, **TYPED_ADDRESS, "payment_method": method}
    )
    assert placed.status_code == 303, placed.text
    return await only_group(runtime), placed


async def only_group(runtime: Runtime) -> uuid.UUID:
    async with runtime.database.reading() as session:
        return (await session.execute(select(OrderGroup.id))).scalar_one()


async def count(runtime: Runtime, model: Any) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def payment_of(runtime: Runtime, group_id: uuid.UUID) -> str:
    async with runtime.database.reading() as session:
        group = await session.get(OrderGroup, group_id)
        assert group is not None and group.payment_id is not None
        return str(group.payment_id)


async def orders_of(runtime: Runtime, group_id: uuid.UUID) -> dict[uuid.UUID, uuid.UUID]:
    """The group's order ids by seller id."""
    async with runtime.database.reading() as session:
        statement = select(Order.seller_id, Order.id).where(Order.group_id == group_id)
        return dict((await session.execute(statement)).all())


async def test_visitors_are_sent_to_sign_in(client: httpx.AsyncClient, market: Market):
    client.headers["accept"] = "text/html"
    some_id = uuid.uuid4()
    for path in ("/checkout", "/orders", f"/orders/{some_id}", f"/checkout/{some_id}/confirmation"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/login?next={path}"


async def test_checkout_page_shows_each_step_and_the_total(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    empty = await buyer.get("/checkout")
    assert empty.status_code == 303 and empty.headers["location"] == "/cart"
    await fill_cart(runtime, market.buyer, (market.mug_small, 1), (market.lamp, 1))
    page, fields = await checkout_form(buyer)
    assert "Shipping address" in page and 'name="full_name"' in page
    assert page.count('data-testid="checkout-seller"') == 2
    assert "Colissimo" in page and "DHL" in page
    for method in ("Card", "E-wallet", "Instant bank transfer"):
        assert f"<strong>{method}</strong>" in page
    # 18.00 + 4.90 shipping, 40.00 + 6.00 shipping
    assert "Pay €68.90" in page and fields["expected_total_minor"] == "6890"
    assert len(fields["idempotency_key"]) >= 20
    assert 'href="/orders"' in page  # the header's Orders link


async def test_saved_addresses_are_cards_with_the_default_chosen(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    token = await csrf_of(buyer, "/account/addresses/new")
    saved = await buyer.post(
        "/account/addresses",
        data={**TYPED_ADDRESS, "label": "Home", "is_default": "on", "csrf_token": token},
    )
    assert saved.status_code == 303, saved.text
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    page, fields = await checkout_form(buyer)
    home = re.search(r'name="address_choice" value="([0-9a-f-]{36})" checked', page)
    assert home and '<strong class="checkout-address__label">Home' in page
    placed = await buyer.post("/checkout", data={**fields, "address_choice": home.group(1)})
    assert placed.status_code == 303, placed.text
    async with runtime.database.reading() as session:
        group = await session.get(OrderGroup, await only_group(runtime))
        assert group is not None and group.shipping_address is not None
        assert group.shipping_address["city"] == "Lyon"


async def test_a_missing_address_is_shown_next_to_its_field_and_orders_nothing(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    _, fields = await checkout_form(buyer)
    typed = {**TYPED_ADDRESS, "full_name": "", "line1": ""}
    refused = await buyer.post("/checkout", data={**fields, **typed})
    assert refused.status_code == 422
    assert re.search(
        r'id="f-full_name-error"><span aria-hidden="true">⚠</span> This field', refused.text
    )
    assert 'id="f-line1-error"' in refused.text and 'id="f-city-error"' not in refused.text
    assert 'value="Lyon"' in refused.text  # what was typed stays
    bad_country = await buyer.post("/checkout", data={**fields, **TYPED_ADDRESS, "country": "F1"})
    assert bad_country.status_code == 422 and 'id="f-country-error"' in bad_country.text
    no_method = await buyer.post(
        "/checkout", data={**fields, **TYPED_ADDRESS, "payment_method": ""}
    )
    assert no_method.status_code == 422 and "Choose how you want to pay." in no_method.text
    assert await count(runtime, OrderGroup) == 0


async def test_submitting_the_same_page_twice_places_one_order(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 1), (market.lamp, 1))
    _, fields = await checkout_form(buyer)
    first = await buyer.post("/checkout", data={**fields, **TYPED_ADDRESS})
    second = await buyer.post("/checkout", data={**fields, **TYPED_ADDRESS})
    assert first.status_code == second.status_code == 303
    assert "/sandbox/pay/" in first.headers["location"]
    assert second.headers["location"] == first.headers["location"]
    assert await count(runtime, OrderGroup) == 1 and await count(runtime, Order) == 2


async def test_a_changed_cart_shows_its_problems_instead_of_the_pay_button(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, buyer: httpx.AsyncClient
):
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    _, fields = await checkout_form(buyer)
    changed = await client.patch(
        f"{API}/catalog/my/variants/{market.mug_small}",
        json={"price": "19.50"},
        headers=market.headers("seller"),
    )
    assert changed.status_code == 200, changed.text
    page = await buyer.get("/checkout")
    assert 'data-testid="checkout-problems"' in page.text and 'href="/cart"' in page.text
    assert 'data-testid="pay-button"' not in page.text
    stale = await buyer.post("/checkout", data={**fields, **TYPED_ADDRESS})
    assert stale.status_code == 409 and "changed since you added them" in stale.text
    assert await count(runtime, OrderGroup) == 0


async def test_changing_shipping_returns_the_sellers_and_summary_in_place(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, buyer: httpx.AsyncClient
):
    express = await client.post(
        f"{API}/catalog/my/shipping-profiles",
        json={"name": "Express", "currency": "EUR", "flat_rate": "9.90", "handling_days": 1},
        headers=market.headers("seller"),
    )
    assert express.status_code == 201, express.text
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    _, fields = await checkout_form(buyer)
    field = f"shipping-{market.seller_id}"
    swapped = await buyer.post(
        f"/checkout/shipping/{market.seller_id}",
        data={**fields, field: express.json()["id"]},
        headers=HTMX,
    )
    assert swapped.status_code == 200, swapped.text
    assert swapped.text.lstrip().startswith('<div class="checkout-sellers" id="checkout-sellers">')
    assert (
        'id="checkout-summary" aria-labelledby="summary-title" hx-swap-oob="true"' in swapped.text
    )
    assert "Pay €27.90" in swapped.text and 'value="2790"' in swapped.text
    refused = await buyer.post(
        f"/checkout/shipping/{market.seller_id}",
        data={**fields, field: str(market.lamp_profile)},
        headers=HTMX,
    )
    assert refused.status_code == 200 and "does not offer that shipping option" in refused.text
    assert "Pay €27.90" in refused.text


async def test_services_only_need_no_address(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    await fill_cart(runtime, market.buyer, (market.tune_up, 1))
    page, fields = await checkout_form(buyer)
    assert "Shipping address" not in page and "schedule the service" in page
    placed = await buyer.post("/checkout", data={**fields, "payment_method": "bank_transfer"})
    assert placed.status_code == 303
    group_id = await only_group(runtime)
    assert placed.headers["location"] == f"/checkout/{group_id}/confirmation"


async def test_confirmation_after_a_card_payment_thanks_with_each_order(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    group_id, _ = await place(runtime, market, buyer)
    pending = await buyer.get(f"/checkout/{group_id}/confirmation")
    assert pending.status_code == 200 and "Your payment is not finished" in pending.text
    await pay_group_by_card(runtime, await payment_of(runtime, group_id))
    page = await buyer.get(f"/checkout/{group_id}/confirmation")
    assert page.status_code == 200
    assert "Thank you for your order!" in page.text
    assert page.text.count('data-testid="confirmation-order"') == 2
    assert "hx-trigger" not in page.text.split('id="confirmation"')[1].split(">")[0]
    for order_id in (await orders_of(runtime, group_id)).values():
        assert f'href="/orders/{order_id}"' in page.text


async def test_confirmation_of_a_bank_transfer_waits_and_polls(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    group_id, placed = await place(runtime, market, buyer, method="bank_transfer")
    assert placed.headers["location"] == f"/checkout/{group_id}/confirmation"
    page = await buyer.get(placed.headers["location"])
    assert "Waiting for your bank transfer" in page.text
    async with runtime.database.reading() as session:
        group = await session.get(OrderGroup, group_id)
        assert group is not None
        assert f'data-testid="transfer-reference">{group.number}<' in page.text
    assert 'hx-trigger="every 2s"' in page.text


async def test_a_declined_card_offers_to_try_again(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    group_id, _ = await place(runtime, market, buyer)
    await pay_group_by_card(runtime, await payment_of(runtime, group_id), DECLINED_CARD)
    page = await buyer.get(f"/checkout/{group_id}/confirmation")
    assert "Your payment did not go through" in page.text
    assert 'data-testid="retry"' in page.text and "Your items stay reserved until" in page.text
    first_payment = await payment_of(runtime, group_id)
    retry = {
        "csrf_token": hidden(page.text, "csrf_token"),
        "idempotency_key": hidden(page.text, "idempotency_key"),
        "payment_method": "card",
    }
    again = await buyer.post(f"/checkout/{group_id}/payments", data=retry)
    assert again.status_code == 303 and "/sandbox/pay/" in again.headers["location"]
    assert await payment_of(runtime, group_id) != first_payment
    await pay_group_by_card(runtime, await payment_of(runtime, group_id))
    paid = await buyer.get(f"/checkout/{group_id}/confirmation")
    assert "Thank you for your order!" in paid.text


async def test_history_lists_each_checkout_with_its_orders(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    group_id, _ = await place(runtime, market, buyer)
    await pay_group_by_card(runtime, await payment_of(runtime, group_id))
    page = await buyer.get("/orders")
    assert page.status_code == 200
    assert page.text.count('data-testid="order-group"') == 1
    assert page.text.count('data-testid="history-order"') == 2
    assert "order-status--paid" in page.text and "€68.90" in page.text
    assert "Older orders" not in page.text


async def test_order_page_timeline_and_confirming_delivery(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    group_id, _ = await place(runtime, market, buyer)
    await pay_group_by_card(runtime, await payment_of(runtime, group_id))
    order_id = (await orders_of(runtime, group_id))[market.seller_id]
    page = await buyer.get(f"/orders/{order_id}")
    assert page.status_code == 200
    assert "Stoneware mug" in page.text and "12 rue des Lilas" in page.text
    assert 'data-testid="order-timeline"' in page.text and "by Mercato" in page.text
    assert 'Order placed <span class="order-timeline__who">by you</span>' in page.text
    assert "Cancel order" in page.text and "Confirm delivery" not in page.text

    seller = Principal(
        user_id=uuid.UUID(market.people["seller"].user_id or ""),
        role=Role.SELLER,
        email=market.people["seller"].email,
    )
    async with runtime.database.transaction() as session:
        await service.transition_order(session, seller, order_id, OrderStatus.ACCEPTED)
        ship = ShipIn(carrier="DHL", tracking_number="JD0142")
        await service.transition_order(session, seller, order_id, OrderStatus.SHIPPED, ship=ship)
    shipped = await buyer.get(f"/orders/{order_id}")
    assert "JD0142" in shipped.text and "Confirm delivery" in shipped.text
    assert "Cancel order" not in shipped.text
    token = hidden(shipped.text, "csrf_token")
    done = await buyer.post(
        f"/orders/{order_id}/actions", data={"to": "delivered", "csrf_token": token}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/orders/{order_id}"
    after = await buyer.get(f"/orders/{order_id}")
    assert "is marked delivered" in after.text  # the flash
    assert 'Delivered <span class="order-timeline__who">by you</span>' in after.text
    async with runtime.database.reading() as session:
        stored = await session.get(Order, order_id)
        assert stored is not None and stored.status == OrderStatus.DELIVERED.value
    refused = await buyer.post(
        f"/orders/{order_id}/actions", data={"to": "delivered", "csrf_token": token}
    )
    assert refused.status_code == 303
    assert "cannot become" in (await buyer.get(f"/orders/{order_id}")).text


async def test_the_buyer_cancels_before_acceptance(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    group_id, _ = await place(runtime, market, buyer)
    await pay_group_by_card(runtime, await payment_of(runtime, group_id))
    order_id = (await orders_of(runtime, group_id))[market.other_seller_id]
    page = await buyer.get(f"/orders/{order_id}")
    token = hidden(page.text, "csrf_token")
    forged = await buyer.post(f"/orders/{order_id}/actions", data={"to": "canceled"})
    assert forged.status_code == 403
    canceled = await buyer.post(
        f"/orders/{order_id}/actions",
        data={"to": "canceled", "reason": "Ordered twice", "csrf_token": token},
    )
    assert canceled.status_code == 303
    after = await buyer.get(f"/orders/{order_id}")
    assert "is cancelled" in after.text and "Ordered twice" in after.text


async def test_another_buyer_sees_nothing(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    group_id, _ = await place(runtime, market, buyer)
    order_id = next(iter((await orders_of(runtime, group_id)).values()))
    await create_user(runtime, "someone@example.com", Role.BUYER, "Someone Else")
    async with signed_in(runtime, "someone@example.com") as other:
        for path in (f"/orders/{order_id}", f"/checkout/{group_id}/confirmation"):
            assert (await other.get(path)).status_code == 404, path
        token = await csrf_of(other, "/orders")
        acted = await other.post(
            f"/orders/{order_id}/actions", data={"to": "canceled", "csrf_token": token}
        )
        assert acted.status_code == 404
        history = await other.get("/orders")
        assert "You have not ordered anything yet." in history.text


async def test_sellers_are_sent_to_their_own_order_page(
    runtime: Runtime, market: Market, buyer: httpx.AsyncClient
):
    group_id, _ = await place(runtime, market, buyer)
    order_id = (await orders_of(runtime, group_id))[market.seller_id]
    seller: Actor = market.people["seller"]
    async with signed_in(runtime, seller.email) as browser:
        response = await browser.get(f"/orders/{order_id}")
        assert response.status_code == 303
        assert response.headers["location"] == f"/seller/orders/{order_id}"
        assert (await browser.get("/checkout")).status_code == 403
