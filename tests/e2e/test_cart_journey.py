"""A guest fills a cart from two shops, changes a quantity in place, signs in as a buyer and
finds the same cart, merged into theirs."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.cart_seed import BUYER_EMAIL
from tests.e2e.conftest import PASSWORD, NewContext, Server, screenshot


@pytest.fixture(scope="module")
def products(server: Server) -> list[str]:
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.e2e.cart_seed"],
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    return seeded.stdout.split()


def add_to_cart(page: Page, product_id: str, quantity: int, option: str | None = None) -> None:
    page.goto(f"/products/{product_id}")
    if option:
        page.get_by_label(re.compile(option)).check()
        expect(page.locator("#buy-box")).to_contain_text(option)
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to basket").click()
    expect(page.get_by_test_id("added")).to_contain_text("to your cart")


def test_guest_cart_survives_sign_in(products: list[str], new_context: NewContext) -> None:
    teapot, scarf = products
    page = new_context().new_page()
    add_to_cart(page, teapot, 2, option="Large")
    screenshot(page, "cart-01-added-on-product-page")
    add_to_cart(page, scarf, 1)
    expect(page.get_by_test_id("cart-count")).to_have_text("3")

    page.goto("/cart")
    expect(page.get_by_test_id("cart-group")).to_have_count(2)
    # Teapots 88.00 + flat 4.90 (cheaper than 2.00 + 3 started kg x 1.50); scarf 29.00 + 3.50.
    expect(page.get_by_test_id("cart-total")).to_have_text("€125.40")
    page.evaluate("window.__not_reloaded = true")
    scarf_line = page.get_by_test_id("cart-line").filter(has_text="wool scarf")
    scarf_line.get_by_role("button", name=re.compile("One more")).click()
    expect(page.get_by_test_id("cart-count")).to_have_text("4")
    # 2 scarves = 58.00, above the free-shipping threshold of 50.00.
    expect(page.get_by_test_id("cart-total")).to_have_text("€150.90")
    assert page.evaluate("window.__not_reloaded") is True  # swapped by htmx, no reload
    screenshot(page, "cart-02-guest-cart")

    page.get_by_role("link", name="Checkout").click()
    expect(page).to_have_url(re.compile(r"/login\?next=/cart/checkout"))
    # Signing in right there leads on to the checkout, with the guest cart already joined.
    page.get_by_label("Email address").fill(BUYER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/checkout$"))
    expect(page.get_by_text("wool scarf").first).to_be_visible()
    page.goto("/cart")
    expect(page.get_by_test_id("cart-count")).to_have_text("4")
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("cart-total")).to_have_text("€150.90")
    screenshot(page, "cart-03-merged-after-sign-in")
