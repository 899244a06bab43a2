"""A buyer and a seller talk about an order on the demo marketplace: Atelier finds Bob's
question in its list of messages awaiting a reply (and its reply deadline among its service
levels); Bob adds a follow-up from his order page
(an empty message is refused in place); Atelier answers from its order page and its list
empties; Bob reads the answer; an admin reads the thread; Nordic's late answer shows as a
breach on its service levels page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import MOBILE, NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"
BOB_QUESTION = "The tracking hasn't moved for two days"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def thread_of(page: Page):
    return page.get_by_test_id("thread").locator(".message__body")


def test_buyer_writes_and_seller_replies(new_context: NewContext) -> None:
    seller = new_context().new_page()
    sign_in(seller, "atelier@mercato.example", DEMO_PASSWORD)
    seller.goto("/seller/orders")
    seller.get_by_role("link", name="Messages", exact=True).click()
    expect(seller.get_by_role("heading", level=1)).to_have_text("Messages awaiting your reply")
    expect(seller.get_by_test_id("waiting-orders")).to_have_text("1")
    expect(seller.get_by_test_id("waiting-messages")).to_have_text("1")
    row = seller.locator("#awaiting-replies tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(BOB_QUESTION)
    screenshot(seller, "order-messages-01-seller-awaiting")
    link = row.get_by_role("link")
    number = link.inner_text()
    found = re.search(r"/seller/orders/([0-9a-f-]+)#messages", link.get_attribute("href") or "")
    assert found, "the list links to the order's messages"
    order_id = found.group(1)
    seller.goto("/seller/sla")
    expect(seller.locator("#open-deadlines tr", has_text="Reply to the buyer")).to_contain_text(
        number
    )

    buyer = new_context().new_page()
    sign_in(buyer, "bob@mercato.example", DEMO_PASSWORD)
    buyer.goto(f"/orders/{order_id}")
    expect(buyer.get_by_role("heading", level=1)).to_contain_text(number)
    expect(thread_of(buyer)).to_have_count(1)
    expect(thread_of(buyer).first).to_contain_text(BOB_QUESTION)
    buyer.get_by_role("button", name="Send message").click()
    expect(buyer.locator("#message-body-error")).to_contain_text("This field is required.")
    screenshot(buyer, "order-messages-02-buyer-empty-refused")
    buyer.get_by_label("Write to Atelier Lumière").fill("Any news? <b>It's a gift</b> for Friday.")
    buyer.get_by_role("button", name="Send message").click()
    expect(thread_of(buyer)).to_have_count(2)
    expect(thread_of(buyer).last).to_have_text("Any news? <b>It's a gift</b> for Friday.")
    expect(buyer.locator(".message-form__sent")).to_have_text("✓ Sent")
    expect(buyer.get_by_label("Write to Atelier Lumière")).to_have_value("")
    screenshot(buyer, "order-messages-03-buyer-wrote")

    seller.goto("/seller/messages")
    expect(seller.get_by_test_id("waiting-messages")).to_have_text("2")
    seller.locator("#awaiting-replies").get_by_role("link", name=number).click()
    expect(seller.get_by_role("heading", level=1)).to_contain_text(number)
    expect(thread_of(seller)).to_have_count(2)
    expect(seller.get_by_test_id("waiting")).to_contain_text("waiting")
    seller.get_by_label("Reply to the buyer").fill(
        "Hi Bob, the carrier scanned it this morning: it arrives Thursday."
    )
    seller.get_by_role("button", name="Send message").click()
    expect(thread_of(seller)).to_have_count(3)
    expect(seller.get_by_test_id("waiting")).to_have_count(0)
    screenshot(seller, "order-messages-04-seller-replied")
    seller.get_by_role("link", name="Messages", exact=True).click()
    expect(seller.get_by_test_id("no-waiting")).to_be_visible()
    expect(seller.get_by_test_id("waiting-orders")).to_have_text("0")
    screenshot(seller, "order-messages-05-seller-nothing-waiting")

    buyer.reload()
    expect(thread_of(buyer)).to_have_count(3)
    expect(thread_of(buyer).last).to_contain_text("it arrives Thursday")
    expect(buyer.locator(".message__state--waiting")).to_have_count(0)
    screenshot(buyer, "order-messages-06-buyer-reads-the-reply")
    phone = new_context(viewport=MOBILE).new_page()
    sign_in(phone, "bob@mercato.example", DEMO_PASSWORD)
    phone.goto(f"/orders/{order_id}#messages")
    expect(thread_of(phone)).to_have_count(3)
    phone.locator("#messages").scroll_into_view_if_needed()
    screenshot(phone, "order-messages-07-buyer-mobile")

    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto(f"/admin/orders/{order_id}")
    expect(thread_of(admin)).to_have_count(3)
    expect(admin.get_by_test_id("messages")).to_contain_text("read-only")
    expect(admin.get_by_test_id("messages").locator("textarea")).to_have_count(0)
    screenshot(admin, "order-messages-08-admin-reads")


def test_a_late_answer_is_a_breach_on_the_service_levels_page(new_context: NewContext) -> None:
    seller = new_context().new_page()
    sign_in(seller, "nordic@mercato.example", DEMO_PASSWORD)
    seller.goto("/seller/sla")
    breaches = seller.locator("#breaches")
    expect(breaches).to_contain_text("Reply to the buyer")
    expect(seller.locator("#warnings")).to_contain_text("missed its deadline to reply to the buyer")
    screenshot(seller, "order-messages-09-seller-respond-breach")
    breaches.locator("tr", has_text="Reply to the buyer").get_by_role("link").click()
    expect(thread_of(seller)).to_have_count(2)
    expect(thread_of(seller).last).to_contain_text("Sorry for the slow answer")
