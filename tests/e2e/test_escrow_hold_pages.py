"""The escrow hold policy in a real browser on the demo marketplace: the admin reads the hold
periods (the policy in force, lamps a week; Nordic's own hold with who set it and why), sets a
seller's own hold (a missing reason explained beside its field first), drafts a longer hold
from the page's link (a value above 60 days refused beside its field), previews it on the
completed demo orders, and activates it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def test_admin_sets_a_seller_hold_and_drafts_previews_and_activates_a_hold(
    new_context: NewContext,
) -> None:
    admin: Page = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin")
    admin.get_by_role("link", name="Hold periods").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Hold periods")
    policy = admin.get_by_test_id("escrow-hold-policy")
    expect(policy).to_contain_text("Version 1")
    expect(admin.get_by_test_id("policy-base")).to_contain_text("3 days")
    expect(admin.get_by_test_id("category-holds")).to_contain_text("Lighting")
    expect(admin.get_by_test_id("category-holds")).to_contain_text("7 days")
    nordic = admin.get_by_test_id("seller-holds").locator("tr").filter(has_text="Nordic")
    expect(nordic).to_contain_text("10 days")
    expect(nordic).to_contain_text("Late shipments and open disputes")
    expect(nordic).to_contain_text("Ada Admin")
    screenshot(admin, "settlement-holds")

    # A seller's own hold needs a reason: refused beside the field, then set.
    admin.get_by_label("Seller", exact=True).select_option(label="Atelier Lumière")
    admin.locator("#hold-days").fill("2")
    admin.get_by_role("button", name="Set hold period").click()
    expect(admin.locator("#seller-hold .field__error").first).to_be_visible()
    admin.locator("#hold-days").fill("2")
    admin.get_by_label("Why", exact=True).fill("Trusted shop: two years without a dispute")
    admin.get_by_role("button", name="Set hold period").click()
    expect(admin.locator(".flash")).to_contain_text("Hold period set to 2 days")
    atelier = admin.get_by_test_id("seller-holds").locator("tr").filter(has_text="Atelier")
    expect(atelier).to_contain_text("Trusted shop")

    # The link opens the policy form on the escrow hold, filled with the version in force.
    admin.get_by_role("link", name="Draft a new version").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Policies and SLAs")
    expect(admin.get_by_label("Policy", exact=True)).to_have_value("escrow_hold")
    expect(admin.locator("#p-ship_within_days")).to_be_attached()
    expect(admin.locator("#p-ship_within_days")).to_be_hidden()  # the SLA's fields step aside
    base = admin.locator("#hold-days")
    expect(base).to_have_value("3")
    lamps = admin.locator("#hold-overrides tbody tr").first
    expect(lamps.locator("option:checked")).to_contain_text("Lighting")
    expect(lamps.locator("input")).to_have_value("7")
    expect(admin.locator('[data-hold-summary="1"]')).to_contain_text("Lighting: 7 days")
    admin.evaluate("window.scrollTo(0, 0)")  # the link's #draft-title scrolled the page
    screenshot(admin, "governance-escrow-hold-form")

    admin.get_by_label("Why this change").fill("Lamp disputes arrive late")
    base.fill("61")
    admin.get_by_role("button", name="Save draft").click()
    expect(admin.locator("#hold-days-error")).to_contain_text("from 0 to 60 days")
    admin.locator("#hold-days").fill("5")
    admin.get_by_label("Hold days of category 1").fill("10")
    admin.get_by_role("button", name="Save draft").click()

    expect(admin.get_by_role("heading", level=1)).to_contain_text("Preview: escrow hold version")
    expect(admin.locator('[data-moved="later"] .gov-stat__value')).not_to_have_text("0")
    expect(admin.locator('[data-average="hold"] .gov-stat__value')).to_contain_text("→")
    expect(admin.locator("svg.gov-chart rect")).to_have_count(12)
    expect(admin.locator("#held-longer")).to_contain_text("EUR")
    expect(admin.locator("#hold-sellers tbody tr").first).to_be_visible()
    screenshot(admin, "governance-escrow-hold-preview")

    admin.get_by_label("Note for the record").fill("Agreed with finance")
    admin.get_by_role("button", name="Activate").click()
    expect(admin.locator(".flash").first).to_contain_text("activated")
    admin.goto("/admin/settlement/holds")
    expect(admin.get_by_test_id("policy-base")).to_contain_text("5 days")
    expect(admin.get_by_test_id("category-holds")).to_contain_text("10 days")
    expect(admin.get_by_test_id("escrow-hold-policy")).to_contain_text("Agreed with finance")
    screenshot(admin, "settlement-holds-after")
