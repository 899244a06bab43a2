"""Bob, a demo buyer, checks out his cart from the two demo sellers by sandbox card, lands on
the confirmation with one order per seller and opens an order's timeline; then he buys again
by bank transfer and watches the confirmation turn paid by itself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

BOB = "bob@mercato.example"
DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def pay_by_sandbox_card(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/sandbox/pay/"))
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("Security code").fill("123")
    screenshot(page, "orders-02-sandbox-card")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def test_bob_checks_out_by_card_then_by_bank_transfer(new_context: NewContext) -> None:
    page = new_context().new_page()
    sign_in(page, BOB, DEMO_PASSWORD)
    page.goto("/checkout")
    expect(page.get_by_test_id("checkout-seller")).to_have_count(2)
    expect(page.get_by_role("radio", name=re.compile("Home"))).to_be_checked()
    total = page.get_by_test_id("summary-total").inner_text()
    expect(page.get_by_test_id("pay-button")).to_have_text(f"Pay {total}")
    screenshot(page, "orders-01-checkout")

    page.get_by_test_id("pay-button").click()
    pay_by_sandbox_card(page)

    expect(page).to_have_url(re.compile(r"/checkout/[0-9a-f-]+/confirmation"))
    expect(page.get_by_test_id("confirmation-title")).to_have_text("Thank you for your order!")
    expect(page.get_by_test_id("confirmation-order")).to_have_count(2)
    expect(page.get_by_test_id("confirmation-order").first).to_contain_text("Paid")
    screenshot(page, "orders-03-confirmation")

    page.get_by_role("link", name="View order").first.click()
    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]+$"))
    timeline = page.get_by_test_id("order-timeline")
    expect(timeline).to_contain_text("Paid by Mercato")
    expect(page.get_by_test_id("order-actions")).to_contain_text("Cancel order")
    screenshot(page, "orders-04-order")

    # Buy the same item again, by bank transfer this time.
    page.locator(".checkout-line__title").first.click()
    page.get_by_role("button", name="Add to basket").click()
    expect(page.get_by_test_id("added")).to_contain_text("to your cart")
    page.goto("/checkout")
    expect(page.get_by_test_id("checkout-seller")).to_have_count(1)
    page.get_by_role("radio", name=re.compile("Instant bank transfer")).check()
    page.get_by_test_id("pay-button").click()
    expect(page.get_by_test_id("confirmation-title")).to_have_text("Waiting for your bank transfer")
    screenshot(page, "orders-05-waiting-for-transfer")
    expect(page.get_by_test_id("confirmation-title")).to_have_text(
        "Thank you for your order!", timeout=15_000
    )

    page.get_by_role("link", name="Orders", exact=True).click()
    newest = page.get_by_test_id("order-group").first
    expect(newest).to_contain_text("Instant bank transfer")
    expect(newest).to_contain_text("Paid")
    screenshot(page, "orders-06-history")
