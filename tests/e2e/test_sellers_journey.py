"""A seller's way in, in a real browser: sign up, apply with a document, get approved by an
admin, then complete onboarding (terms, IBAN, storefront) and watch the checklist fill up."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from mercato.sellers.demo import logo_png, pdf_document
from tests.e2e.conftest import (
    ADMIN_EMAIL,
    MOBILE,
    PASSWORD,
    NewContext,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser
PDF = pdf_document("Extrait Kbis", "Lumiere Studio SAS")
LOGO = logo_png((15, 118, 110), (251, 191, 36), "sun")
XSS = "<script>document.title='pwned'</script>"


def unique_email(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.com"


def sign_up_seller(page: Page, name: str, email: str, business: str) -> None:
    page.goto("/signup")
    page.locator('input[name="account_type"][value="seller"]').check()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Business name").fill(business)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account$"))


def admin_sets_terms_and_criteria(admin: Page) -> None:
    admin.goto("/admin/sellers/terms")
    if admin.get_by_role("button", name="Publish version 1").count():
        admin.get_by_label("Title").fill("Mercato seller terms")
        admin.get_by_label("Text").fill(
            "1. Describe what you sell honestly.\n2. Ship on time.\n3. Honour your return policy."
        )
        admin.get_by_label("Why this change").fill("First version of the seller terms.")
        admin.get_by_role("button", name="Publish version 1").click()
        expect(admin.locator(".flash")).to_contain_text("Version 1 is published")
    admin.goto("/admin/sellers/criteria")
    if not admin.locator("td", has_text="Company registration extract").count():
        admin.get_by_label("Country code").fill("FR")
        admin.get_by_label("Document", exact=True).select_option("registration")
        admin.get_by_role("button", name="Add requirement").click()
        expect(admin.locator(".flash")).to_contain_text("Sellers from FR must now upload")
    screenshot(admin, "sellers-admin-criteria-desktop")


def fill_application(seller: Page) -> None:
    seller.get_by_label("Legal form").select_option("company")
    seller.get_by_label("Country code").fill("FR")
    seller.get_by_label("Contact name").fill("Lina Moreau")
    seller.get_by_label("Contact email").fill("lina@example.com")
    seller.get_by_label("Contact phone").fill("+33 1 23 45 67 89")
    seller.get_by_label("Physical goods").check()
    seller.get_by_label("Categories").fill("Lamps, lighting")


def test_seller_applies_is_approved_and_completes_onboarding(new_context: NewContext) -> None:
    admin = new_context().new_page()
    sign_in(admin, ADMIN_EMAIL)
    admin_sets_terms_and_criteria(admin)

    email = unique_email("lina")
    seller = new_context().new_page()
    sign_up_seller(seller, "Lina Moreau", email, "Lumière Studio")
    seller.get_by_role("link", name="Seller portal").first.click()
    expect(seller.get_by_role("heading", level=1)).to_have_text("Lumière Studio")
    expect(seller.locator(".seller-status")).to_have_text("Application in progress")
    seller.get_by_role("link", name="Continue your application").click()

    # A tax id with a wrong check digit is refused next to its field; nothing is saved.
    fill_application(seller)
    seller.get_by_label("Tax id").fill("732 829 321")
    seller.get_by_role("button", name="Save application").click()
    expect(seller.locator("#f-tax_id-error")).to_contain_text("SIREN number is not valid")
    expect(seller.get_by_label("Contact name")).to_have_value("Lina Moreau")
    screenshot(seller, "sellers-application-error-desktop")
    seller.get_by_label("Tax id").fill("732 829 320 00074")
    seller.get_by_role("button", name="Save application").click()
    expect(seller.locator(".flash")).to_contain_text("Your application is saved.")

    # A script renamed .pdf is refused by its content; the real PDF is attached.
    seller.get_by_label("Kind of document").select_option("registration")
    seller.get_by_label("File", exact=True).set_input_files(
        {"name": "kbis.pdf", "mimeType": "application/pdf", "buffer": XSS.encode()}
    )
    seller.get_by_role("button", name="Upload document").click()
    expect(seller.locator("#f-file-error")).to_contain_text("not a PDF, JPEG or PNG document")
    seller.get_by_label("File", exact=True).set_input_files(
        {"name": "kbis.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    seller.get_by_role("button", name="Upload document").click()
    expect(seller.locator(".flash")).to_contain_text("“kbis.pdf” is attached")
    expect(seller.locator(".seller-docs__name")).to_have_text("kbis.pdf")
    seller.get_by_role("button", name="Submit application").click()
    expect(seller.locator(".flash")).to_contain_text("Your application is submitted")
    expect(seller.locator(".seller-status").first).to_have_text("Waiting for review")
    screenshot(seller, "sellers-application-submitted-desktop")

    # The admin reviews the documents and check results, then approves.
    admin.goto("/admin/sellers")
    row = admin.locator("tr", has_text="Lumière Studio")
    expect(row.get_by_text("All passed")).to_be_visible()
    row.get_by_role("link", name=re.compile("Review")).click()
    expect(admin.locator(".seller-checks__item")).to_have_count(4)
    expect(admin.locator(".seller-docs__name")).to_have_text("kbis.pdf")
    screenshot(admin, "sellers-admin-review-desktop")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".flash")).to_contain_text("“Approve” is recorded and emailed")
    expect(admin.locator(".page-header .seller-status")).to_have_text("Admitted")

    # Onboarding: terms, payout account (a typo first), storefront with a logo.
    seller.goto("/seller")
    expect(seller.locator(".seller-state .seller-status")).to_have_text("Admitted")
    expect(seller.get_by_test_id("onboarding-count")).to_have_text("0 of 4 steps done")
    screenshot(seller, "sellers-onboarding-start-desktop")
    seller.get_by_role("link", name=re.compile("Start.*Accept the seller terms")).click()
    seller.get_by_label("I have read and I accept version 1").check()
    seller.get_by_role("button", name="Accept the terms").click()
    expect(seller.locator(".flash")).to_contain_text("You accepted version 1")

    seller.get_by_role("link", name=re.compile("Start.*Add your payout account")).click()
    seller.get_by_label("Account holder").fill("Lumière Studio SAS")
    seller.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 188")
    seller.get_by_role("button", name="Save payout account").click()
    expect(seller.locator("#f-iban-error")).to_contain_text("check digits do not match")
    seller.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    seller.get_by_role("button", name="Save payout account").click()
    expect(seller.locator(".flash")).to_contain_text("Your payout account is saved.")

    seller.get_by_role("link", name=re.compile("Start.*Set up your storefront")).click()
    seller.get_by_label("Shop name").fill("Lumière Studio")
    seller.get_by_label("Logo").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": LOGO}
    )
    seller.get_by_label("Description").fill(f"Hand-made lamps. {XSS}")
    seller.get_by_label("Return policy").fill("30 days, free returns.")
    seller.get_by_role("button", name="Save storefront").click()
    expect(seller.locator(".flash")).to_contain_text("Your storefront is saved.")
    expect(seller.get_by_test_id("onboarding-count")).to_have_text("3 of 4 steps done")
    expect(seller.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "75")
    expect(seller.locator('[data-step="first_listing"]')).to_contain_text("Pending")
    screenshot(seller, "sellers-onboarding-progress-desktop")

    seller.goto("/seller/storefront")
    expect(seller.locator(".seller-card__text").first).to_have_text(f"Hand-made lamps. {XSS}")
    assert seller.title() != "pwned"
    logo = seller.locator("img.seller-card__logo")
    expect(logo).to_be_visible()
    assert seller.evaluate("document.querySelector('img.seller-card__logo').naturalWidth") == 128
    screenshot(seller, "sellers-storefront-desktop")

    # The same pages on a phone.
    phone = new_context(MOBILE).new_page()
    sign_in(phone, email)
    for path, name in (
        ("/seller", "sellers-onboarding-mobile"),
        ("/seller/application", "sellers-application-mobile"),
        ("/seller/storefront", "sellers-storefront-mobile"),
    ):
        phone.goto(path)
        screenshot(phone, name)
        assert_fits(phone)
    admin_phone = new_context(MOBILE).new_page()
    sign_in(admin_phone, ADMIN_EMAIL)
    admin_phone.goto("/admin/sellers?status=admitted")
    screenshot(admin_phone, "sellers-admin-queue-mobile")
    assert_fits(admin_phone)
    admin_phone.locator("tr", has_text="Lumière Studio").get_by_role("link").click()
    screenshot(admin_phone, "sellers-admin-review-mobile")
    assert_fits(admin_phone)


def assert_fits(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"


def accept_terms_in_force(seller: Page) -> int:
    """Accept whatever version is in force on the seller terms page; returns that version."""
    seller.goto("/seller/terms")
    box = seller.get_by_label(re.compile(r"I have read and I accept version \d+"))
    version = int(re.findall(r"\d+", box.evaluate("e => e.labels[0].textContent"))[0])
    box.check()
    seller.get_by_role("button", name="Accept the terms").click()
    expect(seller.locator(".flash")).to_contain_text(f"You accepted version {version}")
    return version


def expect_no_terms_banner(seller: Page) -> None:
    """Once htmx has swapped the banner's placeholder (so the answer arrived), nothing shows."""
    expect(seller.locator('[hx-get="/seller/terms/banner"]')).to_have_count(0)
    expect(seller.locator("[data-terms-banner]")).to_have_count(0)


def test_a_new_terms_version_asks_sellers_to_accept_it_again(new_context: NewContext) -> None:
    admin = new_context().new_page()
    sign_in(admin, ADMIN_EMAIL)
    admin_sets_terms_and_criteria(admin)
    seller = new_context().new_page()
    sign_up_seller(seller, "Noa Petit", unique_email("noa"), "Atelier Noa")
    accepted = accept_terms_in_force(seller)
    seller.goto("/seller/orders")
    expect(seller.get_by_role("heading", level=1)).to_have_text("Orders")
    expect_no_terms_banner(seller)

    # A version for later is listed as scheduled and asks nothing of sellers yet.
    admin.goto("/admin/sellers/terms")
    admin.get_by_label("Title").fill("Mercato seller terms")
    admin.get_by_label("Text").fill("1. Describe what you sell honestly.\n2. Ship within 3 days.")
    admin.get_by_label("Why this change").fill("Shipping within three days becomes the rule.")
    admin.get_by_label("Effective from").fill("2099-01-01T09:00Z")
    admin.get_by_role("button", name=re.compile("Publish version")).click()
    expect(admin.locator(".flash")).to_contain_text("is scheduled: from 01 Jan 2099")
    expect(admin.locator("details.seller-terms-version").first).to_contain_text("Scheduled")
    seller.reload()
    expect_no_terms_banner(seller)

    # A version in force now: the banner is on every portal page until the seller accepts it.
    admin.get_by_label("Title").fill("Mercato seller terms")
    admin.get_by_label("Text").fill("1. Describe what you sell honestly.\n2. Ship on time, always.")
    admin.get_by_label("Why this change").fill("Clearer wording about shipping.")
    admin.get_by_role("button", name=re.compile("Publish version")).click()
    expect(admin.locator(".flash")).to_contain_text("is published; every seller must accept it")
    expect(admin.locator("details.seller-terms-version").first).to_contain_text(
        "Clearer wording about shipping."
    )
    screenshot(admin, "sellers-admin-terms-versions-desktop")
    for path in ("/seller/orders", "/seller"):
        seller.goto(path)
        expect(seller.locator("[data-terms-banner]")).to_contain_text(
            f"you accepted version {accepted}"
        )
    screenshot(seller, "sellers-terms-banner-desktop")
    seller.locator("[data-terms-banner]").get_by_role("link").click()
    expect(seller).to_have_url(re.compile(r"/seller/terms$"))
    assert accept_terms_in_force(seller) > accepted
    seller.goto("/seller/orders")
    expect(seller.get_by_role("heading", level=1)).to_have_text("Orders")
    expect_no_terms_banner(seller)
