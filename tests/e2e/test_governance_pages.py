"""Governance in a real browser on the demo marketplace: the admin drafts a stricter SLA,
previews it on past orders (numbers shown, a bad value explained beside its field first),
activates it; the late demo seller sees its breach and warning on its service levels page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def test_admin_previews_and_activates_a_stricter_sla(new_context: NewContext) -> None:
    admin: Page = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin")
    admin.get_by_role("link", name="Policies and SLAs").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Policies and SLAs")
    expect(admin.get_by_text("In force").first).to_be_visible()
    screenshot(admin, "governance-admin-policies")

    admin.get_by_label("Why this change").fill("Next-day shipping for everyone")
    admin.get_by_label(re.compile(r"^Ship within days")).fill("0")
    admin.get_by_role("button", name="Save draft").click()
    expect(admin.locator(".field__error").first).to_contain_text("greater than zero")

    admin.get_by_label("Why this change").fill("Next-day shipping for everyone")
    admin.get_by_label(re.compile(r"^Ship within days")).fill("1")
    admin.get_by_label(re.compile(r"^Auto cancel unshipped days")).fill("4")
    admin.get_by_role("button", name="Save draft").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Preview: SLA version")
    expect(admin.locator('[data-breaches="ship"] .gov-stat__value')).to_contain_text("→")
    expect(admin.locator("svg.gov-chart rect")).to_have_count(6)
    screenshot(admin, "governance-admin-preview")

    admin.get_by_role("button", name="Activate").click()
    expect(admin.locator("[role=status], .flash, .alert").first).to_contain_text("activated")
    expect(admin.get_by_text("Next-day shipping for everyone")).to_be_visible()


def test_the_late_seller_sees_its_breach(new_context: NewContext) -> None:
    seller: Page = new_context().new_page()
    sign_in(seller, "nordic@mercato.example", DEMO_PASSWORD)
    seller.goto("/seller/sla")
    expect(seller.get_by_role("heading", level=1)).to_have_text("Service levels")
    expect(seller.locator("#breaches tbody tr").first).to_contain_text("Ship")
    expect(seller.locator("#warnings li").first).to_contain_text("missed its deadline")
    screenshot(seller, "governance-seller-sla")
