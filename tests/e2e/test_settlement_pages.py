"""Settlement pages in a real browser on the demo marketplace: the admin sees the escrow list
(the demo's completed orders released), refunds part of an order still in escrow from its
refund screen (a refund above what is left is explained and refused), and the buyer sees the
refund on the order page."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"
SHOTS = Path(tempfile.gettempdir()) / "shots"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def shot(page: Page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    source = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / f"{name}.png"
    shutil.copy(source, SHOTS / f"settlement-{name}.png")


def test_admin_refunds_an_order_in_escrow_and_the_buyer_sees_it(new_context: NewContext) -> None:
    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin")
    admin.get_by_role("link", name="Escrow").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Escrow")
    admin.get_by_role("link", name="Released", exact=True).click()
    expect(admin.locator("tbody tr")).to_have_count(6)  # the six completed demo orders
    shot(admin, "admin-escrow-released")

    admin.get_by_role("link", name="Held", exact=True).click()
    first = admin.locator("tbody tr").first
    number = first.locator(".table__primary").inner_text()
    first.locator(".table__primary").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(number)

    # More than is left: refused, explained beside the field, nothing refunded.
    admin.get_by_label("an amount").check()
    admin.get_by_label("Amount (EUR)").fill("9999")
    admin.get_by_label("Reason").fill("Too much")
    admin.get_by_role("button", name="Refund the buyer").click()
    expect(admin.locator(".field__error").first).to_contain_text("is left to refund")
    shot(admin, "admin-refund-refused")

    admin.get_by_label("an amount").check()
    admin.get_by_label("Amount (EUR)").fill("2.50")
    admin.get_by_label("Reason").fill("Missing gift wrap")
    admin.get_by_role("button", name="Refund the buyer").click()
    expect(admin.locator(".flash")).to_contain_text("€2.50 refunded on order")
    expect(admin.locator("#refunds-title + .table-wrap")).to_contain_text("Missing gift wrap")
    shot(admin, "admin-refund-done")

    admin.goto("/admin/settlement/refunds")
    expect(admin.locator("tbody")).to_contain_text("Missing gift wrap")
    shot(admin, "admin-refunds")

    # The order's buyer (Alice or Bob) sees the refund on the order page.
    for email in ("alice@mercato.example", "bob@mercato.example"):
        buyer = new_context().new_page()
        sign_in(buyer, email, DEMO_PASSWORD)
        buyer.goto("/orders")
        link = buyer.get_by_role("link", name=number)
        if link.count():
            link.first.click()
            refunds = buyer.get_by_test_id("order-refunds")
            expect(refunds).to_contain_text("€2.50")
            expect(refunds).to_contain_text("Missing gift wrap")
            shot(buyer, "buyer-order-refund")
            break
    else:
        raise AssertionError(f"no demo buyer lists order {number}")
