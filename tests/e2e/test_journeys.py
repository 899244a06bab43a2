"""The main journeys of the foundation, in a real browser against a real server."""

from __future__ import annotations

import re
import time
import uuid

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    ADMIN_EMAIL,
    MOBILE,
    PASSWORD,
    NewContext,
    link_in_last_mail,
    screenshot,
    sign_in,
    sign_out,
    sign_up,
)

pytestmark = pytest.mark.browser
TOTP_STEP = 30


def unique_email(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.com"


def admin_page(new_context: NewContext) -> Page:
    admin = new_context().new_page()
    sign_in(admin, ADMIN_EMAIL)
    expect(admin).to_have_url(re.compile(r"/account$"))
    return admin


def totp_after(secret: str, used_at: float) -> str:
    """A code from a later time step than the one used at ``used_at``: each step's code is
    accepted only once (replay protection)."""
    while int(time.time()) // TOTP_STEP <= int(used_at) // TOTP_STEP:
        time.sleep(0.25)
    return str(pyotp.TOTP(secret).now())


def test_buyer_signs_up_verifies_email_enables_2fa_and_signs_in_again(
    new_context: NewContext,
) -> None:
    email = unique_email("nia")
    buyer = new_context().new_page()
    buyer.goto("/")
    screenshot(buyer, "home-desktop")
    sign_up(buyer, "Nia Buyer", email)
    expect(buyer.locator(".flash")).to_contain_text(f"We sent a link to {email}")
    expect(buyer.get_by_text("Not confirmed yet")).to_be_visible()
    screenshot(buyer, "account-desktop")

    admin = admin_page(new_context)
    link = link_in_last_mail(admin, email, "Confirm your email address")
    screenshot(admin, "admin-mail-desktop")
    assert "/verify-email?token=" in link

    buyer.goto(link)
    buyer.get_by_role("button", name="Confirm my email address").click()
    expect(buyer.locator(".flash")).to_contain_text("Your email address is confirmed")
    expect(buyer.get_by_text("Confirmed", exact=True)).to_be_visible()

    buyer.get_by_role("link", name="Security & 2FA").first.click()
    buyer.get_by_role("button", name="Set up two-factor authentication").click()
    secret = buyer.locator("#totp-secret").inner_text().strip()
    expect(buyer.locator(".qr svg")).to_be_visible()
    screenshot(buyer, "totp-setup-desktop")
    buyer.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    enrolled_at = time.time()
    buyer.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(buyer.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(buyer.locator(".recovery-codes li")).to_have_count(10)
    screenshot(buyer, "recovery-codes-desktop")
    buyer.get_by_role("link", name="I have saved them").click()
    expect(buyer.locator(".badge", has_text="On").first).to_be_visible()

    sign_out(buyer)
    sign_in(buyer, email)
    expect(buyer).to_have_url(re.compile(r"/login/2fa\?next=%2Faccount$"))
    assert "token" not in buyer.url
    screenshot(buyer, "login-2fa-desktop")
    buyer.get_by_label("Code").fill(totp_after(secret, enrolled_at))
    buyer.get_by_role("button", name="Verify and sign in").click()
    expect(buyer).to_have_url(re.compile(r"/account$"))
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Hello, Nia Buyer")


def test_password_reset_through_the_emailed_link(new_context: NewContext) -> None:
    email = unique_email("omar")
    person = new_context().new_page()
    sign_up(person, "Omar", email)
    sign_out(person)

    person.goto("/login")
    person.get_by_role("link", name="Forgot your password?").click()
    person.get_by_label("Email address").fill(email)
    person.get_by_role("button", name="Send the reset link").click()
    screenshot(person, "login-with-flash-desktop")
    expect(person.locator(".flash")).to_contain_text(f"If an account uses {email}")

    link = link_in_last_mail(admin_page(new_context), email, "Reset your password")
    person.goto(link)
    person.get_by_label("New password", exact=True).fill("short")
    person.get_by_label("Repeat the new password").fill("short")
    person.get_by_role("button", name="Save the new password").click()
    expect(person.locator(".field__error")).to_have_text(re.compile("at least 10 characters"))
    screenshot(person, "reset-password-error-desktop")

    person.get_by_label("New password", exact=True).fill("a brand new passphrase")
    person.get_by_label("Repeat the new password").fill("a brand new passphrase")
    person.get_by_role("button", name="Save the new password").click()
    expect(person.locator(".flash")).to_contain_text("Your password is changed")

    sign_in(person, email, PASSWORD)
    expect(person.get_by_role("alert")).to_contain_text("The email or password is not correct.")
    sign_in(person, email, "a brand new passphrase")
    expect(person).to_have_url(re.compile(r"/account$"))


def test_admin_finds_and_disables_a_user_who_then_cannot_sign_in(
    new_context: NewContext,
) -> None:
    email = unique_email("mallory")
    user = new_context().new_page()
    sign_up(user, "Mallory", email)

    admin = admin_page(new_context)
    admin.goto("/admin")
    expect(admin.get_by_test_id("count-admin")).to_have_text("1")
    screenshot(admin, "admin-dashboard-desktop")

    admin.goto("/admin/users")
    admin.evaluate("window.__sameDocument = true")
    admin.get_by_label("Search by email").press_sequentially(email.split("@")[0], delay=20)
    rows = admin.locator("#user-results tbody tr")
    expect(rows).to_have_count(1)
    expect(admin).to_have_url(re.compile(r"/admin/users\?q=mallory"))
    assert admin.evaluate("window.__sameDocument") is True, "the live search reloaded the page"
    screenshot(admin, "admin-users-desktop")

    admin.on("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_role("button", name=re.compile("Disable")).click()
    expect(rows.first.get_by_text("Disabled", exact=True)).to_be_visible()
    expect(admin.locator(".flash")).to_contain_text(f"Saved {email}: role buyer, account disabled")
    assert admin.evaluate("window.__sameDocument") is True

    user.goto("/account")
    expect(user).to_have_url(re.compile(r"/login\?next=/account$"))
    sign_in(user, email)
    expect(user.get_by_role("alert")).to_contain_text("This account is disabled.")


def test_addresses_are_added_edited_made_default_and_deleted(new_context: NewContext) -> None:
    buyer = new_context().new_page()
    sign_up(buyer, "Ada", unique_email("ada"))
    buyer.goto("/account/addresses")
    expect(buyer.get_by_text("No saved addresses yet")).to_be_visible()

    buyer.get_by_role("link", name="Add an address").first.click()
    fill_address(buyer, "Home", "12 Rue de la Paix", "75002", "Paris", "XX")
    buyer.get_by_role("button", name="Save address").click()
    expect(buyer.locator("#f-country-error")).to_contain_text("two-letter country code")
    screenshot(buyer, "address-form-error-desktop")
    buyer.get_by_label("Country code").fill("FR")
    buyer.get_by_role("button", name="Save address").click()
    expect(buyer.locator(".flash")).to_contain_text("The address “Home” is saved.")

    buyer.get_by_role("link", name="Add an address").first.click()
    fill_address(buyer, "Office", "1 Main Street", "10001", "New York", "US")
    buyer.get_by_role("button", name="Save address").click()
    cards = buyer.locator(".address")
    expect(cards).to_have_count(2)
    expect(buyer.locator(".address--default .address__label")).to_have_text("Home")

    buyer.evaluate("window.__sameDocument = true")
    buyer.get_by_role("button", name="Make Office the default address").click()
    expect(buyer.locator(".address--default .address__label")).to_have_text("Office")
    expect(buyer.locator(".flash")).to_contain_text("“Office” is now your default address.")
    assert buyer.evaluate("window.__sameDocument") is True

    buyer.get_by_role("link", name="Edit Home").click()
    buyer.get_by_label("City").fill("Lyon")
    buyer.get_by_label("Postal code").fill("69001")
    buyer.get_by_role("button", name="Save address").click()
    expect(buyer.locator("#address-list")).to_contain_text("69001 Lyon")
    screenshot(buyer, "addresses-desktop")

    buyer.on("dialog", lambda dialog: dialog.accept())
    buyer.get_by_role("button", name="Delete Office").click()
    expect(cards).to_have_count(1)
    expect(buyer.locator(".address--default .address__label")).to_have_text("Home")


def fill_address(page: Page, label: str, line1: str, postal: str, city: str, country: str) -> None:
    page.get_by_label("Label").fill(label)
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address", exact=True).fill(line1)
    page.get_by_label("Postal code").fill(postal)
    page.get_by_label("City").fill(city)
    page.get_by_label("Country code").fill(country)


MOBILE_PAGES = ["/", "/signup", "/login", "/account", "/account/security", "/account/addresses"]


def test_pages_fit_a_phone_screen(new_context: NewContext) -> None:
    phone = new_context(MOBILE).new_page()
    for path in MOBILE_PAGES[:3]:
        phone.goto(path)
        screenshot(phone, f"{path.strip('/') or 'home'}-mobile")
        assert_fits(phone)
    sign_up(phone, "Priya", unique_email("priya"))
    for path in MOBILE_PAGES[3:]:
        phone.goto(path)
        screenshot(phone, f"{path.strip('/').replace('/', '-')}-mobile")
        assert_fits(phone)

    phone.goto("/admin")
    expect(phone.get_by_role("heading", level=1)).to_have_text("You are not allowed to do this")
    screenshot(phone, "forbidden-mobile")
    assert_fits(phone)

    admin = new_context(MOBILE).new_page()
    sign_in(admin, ADMIN_EMAIL)
    admin.goto("/admin/users")
    screenshot(admin, "admin-users-mobile")
    assert_fits(admin)
    admin.goto("/admin/mail")
    screenshot(admin, "admin-mail-mobile")
    assert_fits(admin)


def assert_fits(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"
