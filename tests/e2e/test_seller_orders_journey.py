"""A seller works through the demo marketplace's order queue: bulk-accepts the paid orders,
ships one with a tracking number and prints its packing slip; an admin then opens that order
and checks its ledger journals."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def test_seller_accepts_ships_and_admin_checks_the_ledger(new_context: NewContext) -> None:
    seller = new_context().new_page()
    sign_in(seller, "atelier@mercato.example", DEMO_PASSWORD)
    seller.goto("/seller/orders")
    expect(seller.get_by_role("link", name="Orders", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    rows = seller.locator("tbody tr")
    waiting = rows.count()
    assert waiting >= 2
    screenshot(seller, "seller-orders-01-to-accept")
    seller.get_by_label("Select all orders").check()
    seller.get_by_role("button", name="Accept selected").click()
    expect(seller.locator("#bulk-result")).to_contain_text(
        f"{waiting} of {waiting} orders are now accepted"
    )
    expect(seller.locator(".sorder-outcome--ok")).to_have_count(waiting)
    screenshot(seller, "seller-orders-02-bulk-accepted")

    seller.get_by_role("link", name="To ship").click()
    expect(rows).to_have_count(waiting)
    number = rows.first.locator(".table__primary").inner_text()
    rows.first.locator(".table__primary").click()
    expect(seller.get_by_role("heading", level=1)).to_contain_text(number)
    seller.get_by_label("Carrier").fill("Colissimo")
    seller.get_by_label("Tracking number").fill("x")
    seller.get_by_role("button", name="Mark shipped").click()
    expect(seller.locator(".field__error")).to_contain_text("Use at least 4 characters.")
    screenshot(seller, "seller-orders-03-ship-form-error")
    seller.get_by_label("Tracking number").fill("6a00012345")
    seller.get_by_role("button", name="Mark shipped").click()
    expect(seller.locator(".flash")).to_contain_text(f"Order {number} is shipped")
    expect(seller.locator(".sorder-facts")).to_contain_text("6A00012345")
    screenshot(seller, "seller-orders-04-shipped")

    slip_link = seller.get_by_role("link", name="Packing slip")
    href = slip_link.get_attribute("href")
    assert href is not None
    seller.goto(href)
    expect(seller.locator(".packing-slip")).to_contain_text(number)
    expect(seller.locator(".packing-slip")).to_contain_text("Thank you")
    expect(seller.locator(".packing-slip")).not_to_contain_text("€")
    screenshot(seller, "seller-orders-05-packing-slip")

    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin/orders")
    admin.get_by_label("Order number or id").fill(number)
    admin.locator(".toolbar").get_by_role("button", name="Search").click()
    admin.get_by_role("link", name=number).click()
    # The captured amount, or what is left of it after a demo refund.
    expect(admin.locator(".sorder-escrow--ok")).to_contain_text("Escrow holds exactly")
    expect(admin.locator(".sorder-journal").first).to_contain_text("payment capture")
    expect(admin.locator(".sorder-journal").first).to_contain_text("escrow:order:")
    expect(admin.get_by_role("heading", level=1)).to_contain_text(re.compile("Shipped", re.I))
    screenshot(admin, "admin-orders-01-order-ledger")
