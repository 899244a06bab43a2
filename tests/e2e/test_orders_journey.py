"""The orders capability end to end, in a real browser on the demo marketplace (`make run`):
Bob pays once by sandbox card for a cart from two sellers and gets two orders; he buys once
more by bank transfer, confirmed by the provider's webhook; each seller accepts and ships its
order; Bob confirms both deliveries; the admin finds the captured money in the two escrow
accounts, to the cent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"
BOB = "bob@mercato.example"
SELLERS = ("atelier@mercato.example", "nordic@mercato.example")


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def pay_by_card(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/sandbox/pay/"))
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def order_ids(page: Page) -> list[str]:
    links = page.get_by_test_id("confirmation-order").get_by_role("link", name="View order")
    hrefs = [links.nth(index).get_attribute("href") or "" for index in range(links.count())]
    return [href.rsplit("/", 1)[-1] for href in hrefs]


def test_two_sellers_one_payment_to_delivery_and_escrow(new_context: NewContext) -> None:
    bob = new_context().new_page()
    sign_in(bob, BOB, DEMO_PASSWORD)
    bob.goto("/checkout")
    expect(bob.get_by_test_id("checkout-seller")).to_have_count(2)
    bob.get_by_test_id("pay-button").click()
    pay_by_card(bob)
    expect(bob.get_by_test_id("confirmation-title")).to_have_text("Thank you for your order!")
    expect(bob.get_by_test_id("confirmation-order")).to_have_count(2)
    card_orders = order_ids(bob)
    screenshot(bob, "done-01-two-orders-one-payment")

    # A second purchase, by bank transfer: paid when the provider's webhook arrives.
    bob.goto(f"/orders/{card_orders[0]}")
    bob.locator(".checkout-line__title, .order-line__title").first.click()
    bob.get_by_role("button", name="Add to basket").click()
    expect(bob.get_by_test_id("added")).to_contain_text("to your cart")
    bob.goto("/checkout")
    bob.get_by_role("radio", name=re.compile("Instant bank transfer")).check()
    bob.get_by_test_id("pay-button").click()
    expect(bob.get_by_test_id("confirmation-title")).to_have_text("Waiting for your bank transfer")
    expect(bob.get_by_test_id("confirmation-title")).to_have_text(
        "Thank you for your order!", timeout=20_000
    )

    # Each seller accepts and ships its own order.
    for email, tracking in zip(SELLERS, ("6A00012345", "JD0000900011"), strict=True):
        seller = new_context().new_page()
        sign_in(seller, email, DEMO_PASSWORD)
        mine = [oid for oid in card_orders if seller.goto(f"/seller/orders/{oid}").ok]
        assert len(mine) == 1, (email, mine)
        seller.goto(f"/seller/orders/{mine[0]}")
        seller.get_by_role("button", name="Accept order").click()
        seller.get_by_label("Carrier").fill("Colissimo")
        seller.get_by_label("Tracking number").fill(tracking)
        seller.get_by_role("button", name="Mark shipped").click()
        expect(seller.locator(".flash")).to_contain_text("is shipped")
        screenshot(seller, f"done-02-shipped-by-{email.split('@')[0]}")

    # Bob confirms both deliveries.
    for order_id in card_orders:
        bob.goto(f"/orders/{order_id}")
        expect(bob.get_by_test_id("tracking")).to_be_visible()
        bob.get_by_role("button", name="Confirm delivery").click()
        expect(bob.get_by_test_id("order-timeline")).to_contain_text("Delivered")
    screenshot(bob, "done-03-delivered")

    # The admin sees each order's capture in its escrow account, equal to its total.
    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    for order_id in card_orders:
        admin.goto(f"/admin/orders/{order_id}")
        expect(admin.locator(".sorder-escrow--ok")).to_contain_text(
            "Escrow holds exactly the captured amount"
        )
        journal = admin.locator(".sorder-journal").first
        expect(journal).to_contain_text("payment capture")
        expect(journal).to_contain_text(f"escrow:order:{order_id}")
        total = admin.locator(".sorder-lines__total td").inner_text()
        expect(admin.locator(".sorder-escrow--ok")).to_contain_text(total)
        expect(journal.locator(".sorder-postings__escrow")).to_contain_text(f"+{total}")
    screenshot(admin, "done-04-escrow-ledger")
