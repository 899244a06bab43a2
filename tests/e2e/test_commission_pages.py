"""Commission pages in a real browser on the demo marketplace: the admin edits the commission
rules, plans and incentives in percent and euros (a refused value shows its error beside the
field, a valid edit adds a version) and a seller uses the "what will I net?" calculator and
changes plan."""

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

    # Rates are typed in percent: a negative one is refused beside the field, nothing created.
    admin.get_by_text("New rule").click()
    form = admin.locator("#new-rule")
    form.get_by_label("Name").fill("Books")
    form.get_by_label("Rate (%)").fill("-5")
    form.get_by_role("button", name="Create rule").click()
    expect(admin.locator("#new-rule .field--invalid")).to_contain_text(
        "Use a percentage between 0 and 100 with at most two decimals"
    )
    expect(rules).not_to_contain_text("Books")

    # An amount needs a currency: said beside the fee and the currency, nothing created.
    form.get_by_label("Rate (%)").fill("8.5")
    form.get_by_label("Currency of amounts").fill("")
    form.get_by_label("Fixed fee per item").fill("0.50")
    form.get_by_role("button", name="Create rule").click()
    expect(form.locator("#rule-item-error")).to_have_text(
        "⚠ An amount needs a currency: fill in the currency."
    )
    expect(form.locator("#rule-currency-error")).to_contain_text("Give the currency")
    expect(form.get_by_label("Rate (%)")).to_have_value("8.5")
    expect(rules).not_to_contain_text("Books")
    screenshot(admin, "commission-admin-refused")

    form.get_by_label("Currency of amounts").fill("EUR")
    form.get_by_role("button", name="Create rule").click()
    expect(admin.locator(".flash")).to_contain_text("Rule Books created")
    expect(rules.locator("tr", has_text="Books")).to_contain_text("8.5% + €0.50/item")

    # The tiered rule's edit form shows its tiers in euros and percent, as operators write them.
    tiered = admin.locator("tr", has_text="Outdoor volume")
    tiered.get_by_text("1 version · edit").click()
    expect(tiered.get_by_label("Volume tiers")).to_have_value("0.00 12\n1000.00 9\n5000.00 6\n")

    # The standard rule gets a second version at 12.5%.
    row = admin.locator("tr", has_text="Standard commission")
    row.get_by_text("1 version · edit").click()
    expect(row.get_by_label("Rate (%)")).to_have_value("10")
    expect(row.get_by_label("Currency of amounts")).to_have_value("")
    row.get_by_label("Rate (%)").fill("12.5")
    row.get_by_role("button", name="Save as new version").click()
    expect(admin.locator(".flash")).to_contain_text("Standard commission has version 2")
    row = admin.locator("tr", has_text="Standard commission")
    expect(row).to_contain_text("12.5%")
    row.get_by_text("2 versions · edit").click()
    expect(row.locator(".commission-history li")).to_have_count(2)
    expect(row.get_by_label("Rate (%)")).to_have_value("12.5")
    screenshot(admin, "commission-admin-rules")


def test_admin_edits_plans_and_incentives_in_euros(new_context: NewContext) -> None:
    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin/commission")
    row = admin.locator("#plans-title ~ table tr", has_text="Pro")
    row.get_by_text("edit").click()
    expect(row.get_by_label("Monthly fee")).to_have_value("19.00")
    expect(row.get_by_label("Own rate (%)")).to_have_value("")
    expect(row.get_by_label("Or discount on the rules' rate (% points)")).to_have_value("2")
    row.get_by_label("Monthly fee").fill("17.5")
    row.get_by_label("Or discount on the rules' rate (% points)").fill("2.5")
    screenshot(admin, "commission-admin-plan-edit")
    row.get_by_role("button", name="Save plan").click()
    expect(admin.locator(".flash")).to_contain_text("Plan Pro saved")
    row = admin.locator("#plans-title ~ table tr", has_text="Pro")
    expect(row).to_contain_text("€17.50")
    expect(row).to_contain_text("standard \u2212 2.5%")  # a minus sign

    admin.get_by_text("New incentive").click()
    form = admin.locator("#new-incentive")
    form.get_by_label("Name").fill("First thousand")
    form.get_by_label("Kind").select_option("volume")
    form.get_by_label("Rate (%)").fill("2.5")
    form.get_by_label("Currency").fill("EUR")
    form.get_by_label("Sales covered").fill("1000.001")
    form.get_by_role("button", name="Create incentive").click()
    expect(form.locator("#inc-cap-error")).to_contain_text("at most 2 decimals")
    screenshot(admin, "commission-admin-incentive-refused")
    form.get_by_label("Sales covered").fill("1000.00")
    form.get_by_role("button", name="Create incentive").click()
    expect(admin.locator(".flash")).to_contain_text("Incentive First thousand created")
    expect(admin.locator("tr", has_text="First thousand")).to_contain_text(
        "first €1,000.00 of sales"
    )


def test_seller_calculator_and_plan_change(new_context: NewContext) -> None:
    seller = new_context().new_page()
    sign_in(seller, "atelier@mercato.example", DEMO_PASSWORD)
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
