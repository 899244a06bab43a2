"""The whole way from a stranger to a listing a buyer finds, in one continuous browser journey
against the demo marketplace that ``make run`` serves: a new seller applies with documents, the
demo admin reads them and admits the shop, the seller completes onboarding, imports a CSV with
bad rows, fixes and re-imports it, gives a picture its alt text and publishes; then a buyer
finds the listing by a misspelt search, narrows it with a facet and opens it."""

# ruff: noqa: E501  (CSV rows read best one per line)

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mercato.demo import DEMO_PASSWORD
from mercato.sellers.demo import logo_png, pdf_document
from tests.e2e.conftest import NewContext, Server, sign_in
from tests.e2e.test_catalog_journey import png_file, wait_for_thumbnails
from tests.e2e.test_search_journey import assert_not_reloaded, mark_page, wait_for_htmx
from tests.e2e.test_sellers_journey import fill_application, sign_up_seller

pytestmark = pytest.mark.browser
DEMO_ADMIN = "admin@mercato.example"
SHOP = "Kiln & Cobalt"
TEAPOT = "Cobalt raku teapot"
ALT_TEXT = "A squat cobalt-blue teapot with a cane handle, on a slate table"
HEADER = ["listing_ref", "sku", "title", "description", "category", "price", "currency", "stock", "option1_name", "option1_value", "attr:material"]  # fmt: skip
GOOD_ROWS = [
    ["teapot", "KC-TEAPOT", TEAPOT, "Raku-fired stoneware, 0.9 l, with a cane handle.", "ceramics", "64.00", "EUR", "4", "", "", "Stoneware"],
    ["cups", "KC-CUP-BLUE", "Raku tea cups", "Thin-walled raku cups.", "ceramics", "18.00", "EUR", "8", "Colour", "Cobalt", "Stoneware"],
    ["cups", "KC-CUP-WHITE", "", "", "", "18.00", "EUR", "5", "Colour", "White", ""],
]  # fmt: skip
BAD_ROWS = [
    ["glass", "KC-GLASS-TEAPOT", "Cobalt glass teapot", "Borosilicate, 1 l.", "ceramics", "48.005", "EUR", "6", "", "", "Glass"],
    ["jug", "KC-JUG", "Milk jug", "", "teaware", "22.00", "EUR", "-2", "", "", "Stoneware"],
]  # fmt: skip
FIXED_ROWS = [
    ["glass", "KC-GLASS-TEAPOT", "Cobalt glass teapot", "Borosilicate, 1 l.", "ceramics", "48.00", "EUR", "6", "", "", "Glass"],
    ["jug", "KC-JUG", "Milk jug", "", "ceramics", "22.00", "EUR", "2", "", "", "Stoneware"],
]  # fmt: skip
RESTOCKED_JUG = ["jug", "KC-JUG", "Milk jug", "", "ceramics", "22.00", "EUR", "7", "", "", "Stoneware"]  # fmt: skip


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    """Every step of this journey runs against the seeded demo marketplace."""
    return demo_server


class Shots:
    """Screenshots of the key steps, numbered in journey order, in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page: Page, name: str) -> None:
        self.count += 1
        page.evaluate("window.scrollTo(0, 0)")  # a sticky header would be drawn mid-page
        page.wait_for_timeout(300)  # let the flash message finish fading in
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Shots:
    return Shots(tmp_path_factory.mktemp("marketplace-journey"))


def csv_file(folder: Path, name: str, rows: list[list[str]]) -> Path:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = folder / name
    path.write_text(output.getvalue(), encoding="utf-8")
    return path


def import_csv(seller: Page, path: Path) -> None:
    seller.goto("/seller/imports")
    seller.locator("#f-file").set_input_files(str(path))
    seller.get_by_role("button", name="Start the import").click()


# --- the seller's side -----------------------------------------------------------------------


def apply_with_documents(seller: Page, email: str, shots: Shots) -> None:
    sign_up_seller(seller, "Noor Haddad", email, SHOP)
    seller.get_by_role("link", name="Seller portal").first.click()
    expect(seller.locator(".seller-status")).to_have_text("Application in progress")
    seller.get_by_role("link", name="Continue your application").click()
    fill_application(seller)
    seller.get_by_label("Contact name").fill("Noor Haddad")
    seller.get_by_label("Contact email").fill(email)
    seller.get_by_label("Categories").fill("Teaware, ceramics")
    seller.get_by_label("Tax id").fill("552 100 554 00005")
    seller.get_by_role("button", name="Save application").click()
    expect(seller.locator(".flash")).to_contain_text("Your application is saved.")
    # The demo requires a registration extract and an identity document from French sellers.
    for kind, name, title in (
        ("registration", "kbis.pdf", "Extrait Kbis"),
        ("identity", "passport.pdf", "Passport"),
    ):
        seller.get_by_label("Kind of document").select_option(kind)
        seller.get_by_label("File", exact=True).set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": pdf_document(title, SHOP)}
        )
        seller.get_by_role("button", name="Upload document").click()
        expect(seller.locator(".flash")).to_contain_text(f"“{name}” is attached")
    expect(seller.locator(".seller-docs__name")).to_have_text(["kbis.pdf", "passport.pdf"])
    shots(seller, "seller-application")
    seller.get_by_role("button", name="Submit application").click()
    expect(seller.locator(".flash")).to_contain_text("Your application is submitted")
    expect(seller.locator(".seller-status").first).to_have_text("Waiting for review")


def admin_reads_documents_and_admits(admin: Page, shots: Shots) -> None:
    sign_in(admin, DEMO_ADMIN, DEMO_PASSWORD)
    expect(admin).to_have_url(re.compile(r"/account$"))
    admin.goto("/admin/sellers")
    row = admin.locator("tr", has_text=SHOP)
    expect(row.get_by_text("All passed")).to_be_visible()
    row.get_by_role("link", name=re.compile("Review")).click()
    documents = admin.locator("a.seller-docs__name")
    expect(documents).to_have_text(["kbis.pdf", "passport.pdf"])
    href = documents.first.get_attribute("href")
    assert href is not None
    document = admin.context.request.get(href)  # the admin's own session opens the file
    assert document.status == 200
    assert document.headers["content-type"] == "application/pdf"
    assert document.body().startswith(b"%PDF")
    shots(admin, "admin-review")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".flash")).to_contain_text("“Approve” is recorded and emailed")
    expect(admin.locator(".page-header .seller-status")).to_have_text("Admitted")


def complete_onboarding(seller: Page, shots: Shots) -> None:
    seller.goto("/seller")
    expect(seller.get_by_test_id("onboarding-count")).to_have_text("0 of 4 steps done")
    seller.get_by_role("link", name=re.compile("Start.*Accept the seller terms")).click()
    seller.get_by_label(re.compile("I have read and I accept version")).check()
    seller.get_by_role("button", name="Accept the terms").click()
    expect(seller.locator(".flash")).to_contain_text("You accepted version")
    seller.get_by_role("link", name=re.compile("Start.*Add your payout account")).click()
    seller.get_by_label("Account holder").fill(f"{SHOP} SAS")
    seller.get_by_label("IBAN").fill("FR76 3000 4008 2300 0109 8765 491")
    seller.get_by_role("button", name="Save payout account").click()
    expect(seller.locator(".flash")).to_contain_text("Your payout account is saved.")
    seller.get_by_role("link", name=re.compile("Start.*Set up your storefront")).click()
    seller.get_by_label("Shop name").fill(SHOP)
    seller.get_by_label("Logo").set_input_files(
        {
            "name": "logo.png",
            "mimeType": "image/png",
            "buffer": logo_png((30, 58, 138), (224, 242, 254), "moon"),
        }
    )
    seller.get_by_label("Description").fill("Raku teaware, fired in small batches.")
    seller.get_by_label("Return policy").fill("14 days, return shipping paid by us.")
    seller.get_by_role("button", name="Save storefront").click()
    expect(seller.locator(".flash")).to_contain_text("Your storefront is saved.")
    expect(seller.get_by_test_id("onboarding-count")).to_have_text("3 of 4 steps done")
    shots(seller, "seller-onboarding")


def import_fix_and_reimport(seller: Page, folder: Path, shots: Shots) -> None:
    import_csv(seller, csv_file(folder, "teaware.csv", GOOD_ROWS + BAD_ROWS))
    expect(seller.locator(".cat-import-status__message")).to_contain_text(
        "Nothing was imported: 3 problems found."
    )
    report = seller.locator(".report tbody tr")
    expect(report).to_have_count(3)
    # Rows count from the header (row 1): the glass teapot is row 5, the jug row 6.
    expect(report.nth(0)).to_contain_text("5")
    expect(report.nth(0)).to_contain_text("price")
    expect(report.nth(0)).to_contain_text("EUR prices have at most 2 decimal places")
    expect(seller.locator(".report")).to_contain_text("Unknown category “teaware”.")
    expect(seller.locator(".report")).to_contain_text("Stock cannot be negative.")
    shots(seller, "seller-import-report")
    seller.goto("/seller/listings")
    expect(seller.get_by_text("No listings yet")).to_be_visible()  # all or nothing

    fixed = csv_file(folder, "teaware-fixed.csv", GOOD_ROWS + FIXED_ROWS)
    import_csv(seller, fixed)
    expect(seller.locator(".cat-import-status__message")).to_contain_text(
        "5 added, 0 updated, 0 unchanged."
    )
    import_csv(seller, fixed)  # the same file again changes nothing
    expect(seller.locator(".cat-import-status__message")).to_contain_text(
        "0 added, 0 updated, 5 unchanged."
    )
    import_csv(
        seller, csv_file(folder, "restock.csv", GOOD_ROWS + FIXED_ROWS[:1] + [RESTOCKED_JUG])
    )
    expect(seller.locator(".cat-import-status__message")).to_contain_text(
        "0 added, 1 updated, 4 unchanged."
    )
    seller.goto("/seller/listings")
    expect(seller.locator("tbody tr")).to_have_count(4)


def describe_picture_and_publish(seller: Page, folder: Path, shots: Shots) -> None:
    seller.goto("/seller/listings")
    seller.get_by_role("link", name=TEAPOT).click()
    expect(seller.get_by_role("heading", level=1)).to_have_text(TEAPOT)
    seller.locator("#f-image").set_input_files(str(png_file(folder)))
    seller.get_by_role("button", name="Upload").click()
    expect(seller.locator(".flash")).to_contain_text("The image is added")
    wait_for_thumbnails(seller)

    mark_page(seller)
    alt = seller.get_by_label("Alt text of image 1")
    alt.fill("x" * 201)
    seller.get_by_role("button", name="Save the alt text of image 1").click()
    expect(seller.locator(".cat-alt__error")).to_have_text(
        "String should have at most 200 characters"
    )
    expect(alt).to_have_value("x" * 201)
    alt.fill(ALT_TEXT)
    seller.get_by_role("button", name="Save the alt text of image 1").click()
    expect(seller.locator(".cat-alt__note")).to_have_text("✓ Saved")
    assert_not_reloaded(seller)
    seller.reload()
    expect(seller.get_by_label("Alt text of image 1")).to_have_value(ALT_TEXT)
    expect(seller.locator(".cat-gallery__item img")).to_have_attribute("alt", ALT_TEXT)
    shots(seller, "seller-listing-images")
    seller.get_by_role("button", name="Publish").click()
    expect(seller.locator(".flash")).to_contain_text("is published: buyers can find it now")

    seller.goto("/seller/listings")
    seller.get_by_role("link", name="Cobalt glass teapot").click()
    seller.get_by_role("button", name="Publish").click()
    expect(seller.locator(".flash")).to_contain_text("is published: buyers can find it now")
    seller.goto("/seller")
    expect(seller.get_by_test_id("onboarding-count")).to_have_text("4 of 4 steps done")


# --- the buyer's side ------------------------------------------------------------------------


def buyer_finds_the_teapot(buyer: Page, shots: Shots) -> None:
    buyer.goto("/")
    search_box = buyer.get_by_role("searchbox", name="Search Mercato").first
    search_box.fill("teapto")
    search_box.press("Enter")
    expect(buyer).to_have_url(re.compile(r"/search\?q=teapto"))
    titles = buyer.locator(".product-card__title")
    expect(titles).to_have_text(["Cobalt glass teapot", TEAPOT], timeout=15_000)
    expect(buyer.locator(".browse__note")).to_contain_text("teapto")
    picture = buyer.locator(".product-card", has_text=TEAPOT).locator("img")
    expect(picture).to_have_attribute("alt", ALT_TEXT)
    shots(buyer, "buyer-search-typo")

    mark_page(buyer)
    stoneware = buyer.locator('.facet__option[data-facet="attr.material"][data-value="Stoneware"]')
    stoneware.click()
    expect(buyer).to_have_url(re.compile(r"attr\.material=Stoneware"))
    expect(buyer.locator(".chip", has_text="Material: Stoneware")).to_be_visible()
    expect(titles).to_have_text([TEAPOT])
    assert_not_reloaded(buyer)
    wait_for_htmx(buyer)
    shots(buyer, "buyer-search-facet")

    titles.filter(has_text=TEAPOT).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(TEAPOT)
    expect(buyer.get_by_test_id("price")).to_have_text("€64.00")
    expect(buyer.locator(".vendor-card")).to_contain_text(SHOP)
    expect(buyer.locator(f'img[alt="{ALT_TEXT}"]').first).to_be_visible()
    shots(buyer, "buyer-product")


def test_a_new_seller_is_admitted_imports_and_a_buyer_finds_the_listing(
    new_context: NewContext, tmp_path: Path, shots: Shots
) -> None:
    email = f"noor.{uuid.uuid4().hex[:8]}@example.com"
    seller = new_context().new_page()
    apply_with_documents(seller, email, shots)
    admin_reads_documents_and_admits(new_context().new_page(), shots)
    complete_onboarding(seller, shots)
    import_fix_and_reimport(seller, tmp_path, shots)
    describe_picture_and_publish(seller, tmp_path, shots)
    buyer_finds_the_teapot(new_context().new_page(), shots)
    print(f"screenshots: {shots.folder}")
