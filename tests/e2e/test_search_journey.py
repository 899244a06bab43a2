"""A buyer finds a listing by search — with a typo — narrows it with a facet and the sort
(swapped in place by htmx, no page load), opens the product and switches variant."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import MOBILE, NewContext, Server, screenshot

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
MARKER = "window.__mercatoPageMarker"


@pytest.fixture(scope="module")
def catalog(server: Server) -> None:
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.e2e.search_seed"],
        env=server.env,
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    assert seeded.returncode == 0, seeded.stderr


def open_when_fresh(page: Page, url: str, ready: Locator, seconds: float = 45) -> None:
    """The catalog was seeded by another process, and the server's in-memory cache only learns
    of it when its entries expire (30 s for search, by design without Redis): reload until the
    fresh page is served."""
    deadline = time.monotonic() + seconds
    page.goto(url)
    while not ready.count() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.goto(url)


def wait_for_htmx(page: Page) -> None:
    """Let the last swap finish: an element htmx is still replacing drops the events sent to
    it (a sort picked during the swap would be lost)."""
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def mark_page(page: Page) -> None:
    """Leave a mark in this document: it survives only if the page is not reloaded."""
    page.evaluate(f"{MARKER} = 'still here'")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate(MARKER) == "still here"


def test_buyer_searches_with_a_typo_filters_and_picks_a_variant(
    catalog: None, new_context: NewContext
) -> None:
    buyer = new_context().new_page()
    electronics = buyer.get_by_role("link", name=re.compile("Electronics"))
    open_when_fresh(buyer, "/", electronics)
    expect(electronics).to_be_visible()
    expect(buyer.locator(".product-card").first).to_be_visible()
    screenshot(buyer, "storefront-home-desktop")

    search_box = buyer.get_by_role("searchbox", name="Search Mercato").first
    search_box.fill("iphnoe")
    search_box.press("Enter")
    expect(buyer).to_have_url(re.compile(r"/search\?q=iphnoe"))
    titles = buyer.locator(".product-card__title")
    expect(titles.filter(has_text="Apple iPhone 15 Pro")).to_be_visible()
    expect(buyer.locator(".browse__note")).to_contain_text("iphnoe")
    expect(buyer.get_by_text("Samsung Galaxy S24")).to_have_count(0)
    screenshot(buyer, "search-typo-desktop")

    mark_page(buyer)
    black = buyer.locator('.facet__option[data-facet="attr.colour"][data-value="Black"]')
    black.click()
    expect(buyer).to_have_url(re.compile(r"attr\.colour=Black"))
    expect(buyer.locator(".chip", has_text="Colour: Black")).to_be_visible()
    expect(titles).to_have_text(["Apple iPhone 15 Pro"])
    assert_not_reloaded(buyer)
    # The colour facet still offers the other colours, counted without the colour filter.
    expect(buyer.locator('.facet__option[data-facet="attr.colour"]')).to_have_count(3)

    wait_for_htmx(buyer)
    black.click()  # off again
    expect(buyer).not_to_have_url(re.compile(r"attr\.colour"))
    wait_for_htmx(buyer)
    buyer.get_by_label("Sort by").select_option("price_desc")
    expect(buyer).to_have_url(re.compile(r"sort=price_desc"))
    expect(titles.first).to_have_text("Apple iPhone 15 Pro")
    assert_not_reloaded(buyer)
    screenshot(buyer, "search-sorted-desktop")

    # Back goes through the pushed states: unsorted, then the colour filter again.
    buyer.go_back()
    expect(buyer).to_have_url(re.compile(r"/search\?q=iphnoe$"))
    buyer.go_back()
    expect(buyer).to_have_url(re.compile(r"attr\.colour=Black"))
    expect(titles).to_have_text(["Apple iPhone 15 Pro"])

    titles.filter(has_text="Apple iPhone 15 Pro").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Apple iPhone 15 Pro")
    price, stock = buyer.get_by_test_id("price"), buyer.get_by_test_id("stock")
    expect(price).to_have_text("€999.00")
    expect(stock).to_have_text("Only 4 left")
    expect(buyer.locator(".vendor-card")).to_contain_text("Nordic Gadgets")
    mark_page(buyer)
    buyer.get_by_text("256 GB").click()
    expect(price).to_have_text("€1,129.00")
    expect(stock).to_have_text("Out of stock")
    expect(buyer).to_have_url(re.compile(r"\?variant="))
    assert_not_reloaded(buyer)
    screenshot(buyer, "product-desktop")

    buyer.get_by_role("link", name="Visit the shop").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Nordic Gadgets")
    expect(buyer.locator(".product-card")).to_have_count(7)
    screenshot(buyer, "shop-desktop")


def test_search_and_product_pages_on_a_phone(catalog: None, new_context: NewContext) -> None:
    phone = new_context(MOBILE).new_page()
    phone.goto("/search?q=espresso+cups")
    expect(phone.locator(".product-card__title").first).to_have_text(
        "Ceramic espresso cups, set of 2"
    )
    screenshot(phone, "search-mobile")
    phone.locator(".facets__summary").click()
    expect(phone.locator(".facet").first).to_be_visible()
    phone.locator(".product-card__title").first.click()
    expect(phone.locator("#buy-box")).to_be_visible()
    screenshot(phone, "product-mobile")
