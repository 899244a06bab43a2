"""Reviews in a real browser on the demo marketplace: Bob confirms the delivery of his shipped
order and reviews it from the order page, the review shows on the product page; the seller
answers it from the portal; the admin hides the reported two-star review. Bob then edits his
review: the order page and the product page say it was edited, the seller's reply stays, and
his own review offers him no Report button (another reader's does)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def _review_bobs_shipped_order(bob: Page) -> None:
    sign_in(bob, "bob@mercato.example", DEMO_PASSWORD)
    bob.goto("/orders")
    bob.get_by_test_id("history-order").filter(has_text="Shipped").first.locator("a").click()
    bob.get_by_role("button", name="Confirm delivery").click()
    panel = bob.locator("#reviews-panel")
    expect(panel).to_contain_text("Your reviews")
    panel.get_by_text("Write a review").first.click()
    panel.locator("label[title='4 stars']").first.click()
    panel.get_by_label("Title").first.fill("Sturdy and pretty")
    panel.get_by_label("Your review").first.fill(
        "Arrived quickly, the glaze is even nicer in daylight."
    )
    screenshot(bob, "reviews-buyer-form")
    panel.get_by_role("button", name="Publish review").first.click()
    expect(bob.get_by_test_id("my-review").first).to_contain_text("Sturdy and pretty")
    screenshot(bob, "reviews-buyer-order-panel")


def test_buyer_reviews_seller_replies_admin_hides(new_context: NewContext) -> None:
    bob = new_context().new_page()
    _review_bobs_shipped_order(bob)
    bob.locator("#reviews-panel .review-panel__item a").first.click()
    reviews = bob.locator("#reviews")
    expect(reviews).to_contain_text("Arrived quickly, the glaze is even nicer in daylight.")
    expect(bob.get_by_test_id("product-rating")).to_be_visible()
    reviews.scroll_into_view_if_needed()
    screenshot(bob, "reviews-product-page")

    seller = new_context().new_page()
    sign_in(seller, "atelier@mercato.example", DEMO_PASSWORD)
    seller.goto("/seller/reviews")
    expect(seller.get_by_role("heading", level=1)).to_have_text("Reviews")
    seller.get_by_text("Reply", exact=True).first.click()
    seller.get_by_label("Your public reply").first.fill("Thank you Bob, enjoy your coffee!")
    seller.get_by_role("button", name="Publish reply").first.click()
    expect(seller.locator(".flash")).to_contain_text("Your reply is published")
    expect(seller.get_by_test_id("review-reply").first).to_be_visible()
    screenshot(seller, "reviews-seller-portal")

    bob.reload()
    expect(bob.locator("#reviews")).to_contain_text("Thank you Bob, enjoy your coffee!")

    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin/reviews")
    item = admin.get_by_test_id("moderation-item").first
    expect(item).to_contain_text("Not a genuine review")
    screenshot(admin, "reviews-admin-queue")
    item.get_by_label("Reason (kept in the record)").fill(
        "Checked with the order: unfounded claims."
    )
    item.get_by_role("button", name="Hide review").click()
    expect(admin.locator(".flash")).to_contain_text("hidden")
    admin.get_by_role("link", name="Reported and hidden").click()
    expect(admin.get_by_test_id("moderation-item").first).to_contain_text("Hidden")
    screenshot(admin, "reviews-admin-hidden")


def test_buyer_edits_a_review_and_cannot_report_it(new_context: NewContext) -> None:
    bob = new_context().new_page()
    sign_in(bob, "bob@mercato.example", DEMO_PASSWORD)
    bob.goto("/orders")
    # The order Bob reviewed in the first journey: delivered, with his answered review.
    bob.get_by_test_id("history-order").filter(has_text="Delivered").first.locator("a").click()
    panel = bob.locator("#reviews-panel")
    expect(panel.get_by_test_id("my-review").first).to_contain_text("Sturdy and pretty")
    panel.get_by_text("Edit your review").first.click()
    panel.locator("label[title='2 stars']").first.click()
    panel.get_by_label("Your review").first.fill(
        "The glaze chipped after a week in the dishwasher."
    )
    screenshot(bob, "reviews-buyer-edit-form")
    panel.get_by_role("button", name="Save changes").first.click()
    expect(panel).to_contain_text("Your review is updated.")
    mine = panel.get_by_test_id("my-review").first
    expect(mine).to_contain_text("The glaze chipped after a week in the dishwasher.")
    expect(mine.get_by_test_id("review-edited")).to_contain_text("Edited")
    expect(mine).to_contain_text("Thank you Bob, enjoy your coffee!")
    screenshot(bob, "reviews-buyer-edited")

    panel.locator(".review-panel__item a").first.click()
    own = (
        bob.locator("#reviews")
        .get_by_test_id("review")
        .filter(has_text="The glaze chipped after a week")
    )
    expect(own.get_by_test_id("review-edited")).to_contain_text("edited")
    expect(own).to_contain_text("Your review")
    expect(own.get_by_text("Report", exact=True)).to_have_count(0)
    own.scroll_into_view_if_needed()
    screenshot(bob, "reviews-own-review-no-report")

    alice = new_context().new_page()
    sign_in(alice, "alice@mercato.example", DEMO_PASSWORD)
    alice.goto(bob.url)
    theirs = (
        alice.locator("#reviews")
        .get_by_test_id("review")
        .filter(has_text="The glaze chipped after a week")
    )
    expect(theirs.get_by_text("Report", exact=True)).to_have_count(1)


def test_search_sorts_by_rating_and_filters(page: Page) -> None:
    page.goto("/search?sort=top_rated")
    expect(page.get_by_test_id("card-rating").first).to_be_visible()
    page.get_by_role("link", name="4★ & up").first.click()
    expect(page.locator(".chip").first).to_contain_text("4★ & up")
    screenshot(page, "reviews-search-top-rated")
