"""Seller performance in a real browser on the demo marketplace: Nordic Outdoor Co. breached
the thresholds (its parcels leave after their ship-by deadline, among others) and was warned
and then suppressed by the policy. It sees its standing, the reason, its metrics and the
trend; its listings are gone from search but still open by direct link; the admin sees the
table and the seller's reasons, accepts the pending appeal, and the listings come back to
search."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"
NORDIC_TENT = "Fjell 2 ultralight tent"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def search_cards(page: Page, text: str):
    page.goto(f"/search?q={text.replace(' ', '+')}")
    return page.locator(".product-card").filter(has_text=text)


def nordic_tent_id(seller: Page) -> str:
    seller.goto("/seller/listings")
    href = seller.get_by_role("link", name=NORDIC_TENT).get_attribute("href") or ""
    return href.rsplit("/", 1)[-1]


def test_the_suppressed_seller_sees_why_and_leaves_search(new_context: NewContext) -> None:
    seller: Page = new_context().new_page()
    sign_in(seller, "nordic@mercato.example", DEMO_PASSWORD)
    seller.goto("/seller/performance")
    expect(seller.get_by_role("heading", level=1)).to_have_text("Performance")
    expect(seller.locator("#standing")).to_contain_text("Listings suppressed in search")
    expect(seller.locator("#standing-reason")).to_contain_text(
        "Over the last 30 days: Order defect rate"
    )
    defects = seller.locator('#metrics tr[data-metric="defect"]')
    expect(defects).to_contain_text("below 1%")
    expect(defects.locator(".gov-late").first).to_be_visible()
    # Its parcels left after their ship-by deadline: lateness is one of the reasons.
    expect(seller.locator("#standing-reason")).to_contain_text("Late shipment rate")
    late = seller.locator('#metrics tr[data-metric="late_shipment"]')
    expect(late).to_contain_text("below 4%")
    expect(late.locator(".gov-late").first).to_be_visible()
    expect(seller.locator("svg.perf-chart polyline").first).to_be_visible()
    expect(seller.locator("#appeals")).to_contain_text("Pending")
    screenshot(seller, "performance-seller")
    listing_id = nordic_tent_id(seller)

    buyer: Page = new_context().new_page()
    expect(search_cards(buyer, NORDIC_TENT)).to_have_count(0)
    buyer.goto(f"/products/{listing_id}")
    expect(buyer.get_by_role("heading", level=1)).to_have_text(NORDIC_TENT)


def test_the_admin_accepts_the_appeal(new_context: NewContext) -> None:
    admin: Page = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin/performance")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Seller performance")
    nordic = admin.locator("#sellers tbody tr").filter(has_text="Nordic Outdoor")
    expect(nordic).to_contain_text("Listings suppressed in search")
    appeal = admin.locator("#appeals form").first
    expect(appeal).to_contain_text("Nordic Outdoor")
    screenshot(admin, "performance-admin")
    nordic.get_by_role("link", name="Nordic Outdoor").click()
    detail = admin.locator("#seller-detail")
    expect(detail).to_contain_text("Late shipment rate")
    expect(detail.locator('tr[data-metric="late_shipment"] .gov-late').first).to_be_visible()
    screenshot(admin, "performance-admin-nordic")

    appeal.get_by_label("Answer to the seller").fill("The carrier strike is documented.")
    appeal.get_by_role("button", name="Accept: one level down").click()
    expect(admin.get_by_text("No appeal is waiting.")).to_be_visible()
    expect(nordic).to_contain_text("Warning")

    # Search follows the standing change through the event handler: the tent comes back.
    buyer: Page = new_context().new_page()
    deadline = time.monotonic() + 15
    while search_cards(buyer, NORDIC_TENT).count() == 0 and time.monotonic() < deadline:
        buyer.wait_for_timeout(500)
    expect(search_cards(buyer, NORDIC_TENT)).to_have_count(1)
