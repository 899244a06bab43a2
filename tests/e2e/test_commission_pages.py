"""Commission pages in a real browser on the demo marketplace: the admin edits the commission
rules (a refused rule shows its error beside the field, a valid edit adds a version) and a seller
uses the "what will I net?" calculator and changes plan."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def test_admin_edits_commission_rules(new_context: NewContext) -> None:
    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin")
    admin.get_by_role("link", name="Commission").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Commission")
    rules = admin.locator("#rules-title + p + table")
    expect(rules).to_contain_text("Standard commission")
    expect(rules).to_contain_text("Lighting")
    expect(admin.locator("#plans-title ~ table")).to_contain_text("Business")

    # A negative rate is refused, with the message beside the field and nothing created.
    admin.get_by_text("New rule").click()
    form = admin.locator("#new-rule")
    form.get_by_label("Name").fill("Books")
    form.get_by_label("Rate (bps, 1000 = 10%)").fill("-5")
    form.get_by_role("button", name="Create rule").click()
    expect(admin.locator("#new-rule .field--invalid")).to_contain_text("A rate cannot be negative.")
    expect(rules).not_to_contain_text("Books")
    screenshot(admin, "commission-admin-refused")

    # The standard rule gets a second version at 12%.
    row = admin.locator("tr", has_text="Standard commission")
    row.get_by_text("1 version · edit").click()
    expect(row.get_by_label("Rate (bps, 1000 = 10%)")).to_have_value("1000")
    expect(row.get_by_label("Currency of amounts")).to_have_value("")
    row.get_by_label("Rate (bps, 1000 = 10%)").fill("1200")
    row.get_by_role("button", name="Save as new version").click()
    expect(admin.locator(".flash")).to_contain_text("Standard commission has version 2")
    row = admin.locator("tr", has_text="Standard commission")
    expect(row).to_contain_text("12%")
    row.get_by_text("2 versions · edit").click()
    expect(row.locator(".commission-history li")).to_have_count(2)
    screenshot(admin, "commission-admin-rules")


def test_seller_calculator_and_plan_change(new_context: NewContext) -> None:
    seller = new_context().new_page()
    sign_in(seller, "nordic@mercato.example", DEMO_PASSWORD)
    seller.goto("/seller")
    seller.get_by_role("link", name="Fees and plan").click()
    expect(seller.get_by_role("heading", name="Your plan: Business")).to_be_visible()
    seller.get_by_label("Unit price").fill("100.00")
    seller.get_by_label("Quantity").fill("2")
    seller.get_by_role("button", name="Calculate").click()
    # Business sets its own 5%: 200.00 gross, 10.00 fee, 190.00 net.
    expect(seller.locator("#quote-net")).to_have_text("€190.00")
    expect(seller.locator("#quote-result")).to_contain_text("Business plan 5%")
    screenshot(seller, "commission-seller-fees")

    seller.get_by_role("button", name="Switch to Pro").click()
    expect(seller.locator(".flash")).to_contain_text("You are now on the Pro plan")
    expect(seller.get_by_role("heading", name="Your plan: Pro")).to_be_visible()
