"""The seller's catalog journey in a real browser: an admitted seller creates a listing with
variants and an image, publishes it, edits a price inline, imports a CSV with bad rows, reads
and downloads the report, fixes the rows and re-imports. Plus the admin's catalog console."""

# ruff: noqa: E501  (CSV rows read best one per line)

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from mercato.accounts.service import create_user_with_role, find_user_id_by_email
from mercato.catalog.service import list_categories_flat
from mercato.config import Settings
from mercato.kit.auth import Role
from mercato.kit.runtime import build_runtime, install_runtime
from mercato.sellers.service import open_application
from tests.e2e.conftest import (
    ADMIN_EMAIL,
    MOBILE,
    PASSWORD,
    NewContext,
    Server,
    screenshot,
    sign_in,
)
from tests.e2e.test_journeys import assert_fits
from tests.fixtures.catalog import admit, make_tree

pytestmark = pytest.mark.browser

HEADER = ["listing_ref", "sku", "title", "category", "price", "currency", "stock", "option1_name", "option1_value", "attr:material"]  # fmt: skip
GOOD_ROWS = [
    ["tum", "TUM-S", "Glass tumbler", "ceramics", "12.00", "EUR", "10", "Colour", "Sand", "Glass"],
    ["tum", "TUM-B", "", "", "12.00", "EUR", "6", "Colour", "Blue", ""],
    ["cup", "CUP-1", "Espresso cup", "ceramics", "9.50", "EUR", "20", "", "", "Porcelain"],
]  # fmt: skip
BAD_ROWS = [
    ["vase", "VASE-1", "Bud vase", "ceramics", "14.999", "EUR", "3", "", "", "Glass"],
    ["jar", "JAR-1", "Honey jar", "jars", "8", "EUR", "-1", "", "", "Glass"],
]  # fmt: skip
FIXED_ROWS = [
    ["vase", "VASE-1", "Bud vase", "ceramics", "14.99", "EUR", "3", "", "", "Glass"],
    ["jar", "JAR-1", "Honey jar", "ceramics", "8", "EUR", "1", "", "", "Glass"],
]  # fmt: skip


def run_async(factory: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine on its own loop in a thread, away from Playwright's and pytest's."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(factory()))
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def admitted_seller(server: Server) -> str:
    """A seller account admitted directly in the server's database, and the category tree."""
    email = f"maker.{uuid.uuid4().hex[:8]}@example.com"
    settings = Settings(var_dir=Path(server.env["MERCATO_VAR_DIR"]), password_hash_memory_kib=1024)

    async def setup() -> None:
        runtime = build_runtime(settings)
        try:
            async with runtime.database.transaction() as session:
                # Other journeys share this server and may have made categories of their own.
                names = {category.name for category in await list_categories_flat(session)}
                tree_exists = "Ceramics" in names
                user = await create_user_with_role(
                    session, email, PASSWORD, "Mara Maker", Role.SELLER
                )
                await open_application(session, user.id, "Mara's Studio")
            if not tree_exists:
                await make_tree(runtime)
            async with runtime.database.reading() as session:
                user_id = await find_user_id_by_email(session, email)
            await admit(runtime, str(user_id))
        finally:
            await runtime.close()
            install_runtime(None)

    run_async(setup)
    return email


def csv_file(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(output.getvalue(), encoding="utf-8")
    return path


def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "mug.png"
    Image.new("RGB", (800, 600), (15, 118, 110)).save(path)
    return path


def create_listing_with_variants(seller: Page) -> None:
    seller.goto("/seller/listings")
    expect(seller.get_by_text("No listings yet")).to_be_visible()
    seller.get_by_role("link", name="New listing").first.click()
    seller.get_by_label("Title").fill("Speckled <b>stoneware</b> mug")
    seller.get_by_label("Description").fill("Thrown on the wheel.\nDishwasher safe.")
    ceramics = seller.locator("#f-category_id option", has_text="Ceramics").get_attribute("value")
    seller.get_by_label("Category").select_option(ceramics)
    material = seller.locator("#f-attr-material")
    expect(material).to_be_visible()  # htmx swapped in the category's attribute fields
    material.select_option("Stoneware")
    seller.locator("#f-attr-diameter").fill("8.5")
    seller.get_by_label("Option 1 name").fill("Size")
    seller.locator("#f-v0-sku").fill("MUG-S")
    seller.locator("#f-v0-price").fill("24")
    seller.locator("#f-v0-stock").fill("5")
    seller.locator("#f-v0-opt1").fill("Small")
    seller.get_by_role("button", name="+ Add a variant").click()
    expect(seller.locator("#f-v1-sku")).to_be_visible()
    seller.locator("#f-v1-sku").fill("MUG-L")
    seller.locator("#f-v1-price").fill("28.505")
    seller.locator("#f-v1-stock").fill("3")
    seller.locator("#f-v1-opt1").fill("Large")
    seller.get_by_role("button", name="Save as draft").click()
    expect(seller.locator("#f-v1-price-error")).to_contain_text("at most 2 decimal places")
    screenshot(seller, "catalog-new-listing-error-desktop")
    seller.locator("#f-v1-price").fill("28.50")
    seller.get_by_role("button", name="Save as draft").click()
    expect(seller.locator(".flash")).to_contain_text("is saved as a draft")
    expect(seller.get_by_role("heading", level=1)).to_have_text("Speckled <b>stoneware</b> mug")


def wait_for_thumbnails(page: Page) -> None:
    """Let the thumbnail job (and the search update it triggers) finish before the next write:
    on SQLite a unit of work that read before another process committed cannot write (its
    deferred transaction's snapshot is stale), so the journey does not race the job."""
    for _ in range(40):
        if page.locator(".cat-gallery__badge").count() == 0:
            break
        page.wait_for_timeout(250)
        page.reload()
    page.wait_for_timeout(500)


def test_seller_lists_publishes_and_imports_a_catalog(
    new_context: NewContext, server: Server, tmp_path: Path
) -> None:
    email = admitted_seller(server)
    seller = new_context().new_page()
    sign_in(seller, email)
    expect(seller).to_have_url(re.compile(r"/account$"))
    create_listing_with_variants(seller)

    seller.locator("#f-image").set_input_files(str(png_file(tmp_path)))
    seller.get_by_role("button", name="Upload").click()
    expect(seller.locator(".flash")).to_contain_text("The image is added")
    expect(seller.locator(".cat-gallery__item img")).to_have_count(1)
    wait_for_thumbnails(seller)
    seller.get_by_role("button", name="Publish").click()
    expect(seller.locator(".flash")).to_contain_text("is published: buyers can find it now")
    expect(seller.locator(".cat-gallery__badge")).to_have_count(0)  # thumbnails are ready
    screenshot(seller, "catalog-listing-edit-desktop")

    seller.goto("/seller/listings")
    seller.evaluate("window.__sameDocument = true")
    row = seller.locator(
        "#variant-"
        + seller.locator(".cat-variant-inline").first.get_attribute("id").split("-", 1)[1]
    )
    row.get_by_label("Price of MUG-S").fill("22.00")
    row.get_by_label("Stock of MUG-S").fill("9")
    row.get_by_role("button", name="Save").click()
    expect(seller.locator(".cat-variant-inline__note").first).to_have_text("✓ Saved")
    assert seller.evaluate("window.__sameDocument") is True, "the inline edit reloaded the page"
    expect(seller.get_by_label("Price of MUG-S")).to_have_value("22.00")
    screenshot(seller, "catalog-listings-desktop")

    seller.goto("/seller/imports")
    seller.locator("#f-file").set_input_files(
        str(csv_file(tmp_path, "stock.csv", GOOD_ROWS + BAD_ROWS))
    )
    seller.get_by_role("button", name="Start the import").click()
    expect(seller.locator(".cat-import-status__message")).to_contain_text(
        "Nothing was imported: 3 problems found."
    )
    report_rows = seller.locator(".report tbody tr")
    expect(report_rows).to_have_count(3)
    expect(report_rows.first).to_contain_text("EUR prices have at most 2 decimal places")
    expect(seller.locator(".report")).to_contain_text("Unknown category “jars”.")
    expect(seller.locator(".report")).to_contain_text("Stock cannot be negative.")
    screenshot(seller, "catalog-import-report-desktop")
    with seller.expect_download() as download:
        seller.get_by_role("link", name="Download the error report (CSV)").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "row,column,reason"
    assert lines[1].startswith("5,price,")
    assert len(lines) == 4

    seller.goto("/seller/imports")
    seller.locator("#f-file").set_input_files(
        str(csv_file(tmp_path, "fixed.csv", GOOD_ROWS + FIXED_ROWS))
    )
    seller.get_by_role("button", name="Start the import").click()
    expect(seller.locator(".cat-import-status__message")).to_contain_text(
        "5 added, 0 updated, 0 unchanged."
    )
    expect(seller.get_by_test_id("count-created")).to_have_text("5")
    seller.goto("/seller/imports")
    seller.locator("#f-file").set_input_files(
        str(csv_file(tmp_path, "again.csv", GOOD_ROWS + FIXED_ROWS))
    )
    seller.get_by_label("Import the valid rows").check()
    seller.get_by_role("button", name="Start the import").click()
    expect(seller.locator(".cat-import-status__message")).to_contain_text(
        "0 added, 0 updated, 5 unchanged."
    )

    seller.goto("/seller/listings")
    expect(seller.locator("tbody tr")).to_have_count(5)
    expect(seller.get_by_text("Honey jar")).to_be_visible()

    phone = new_context(MOBILE).new_page()
    sign_in(phone, email)
    for path, name in (
        ("/seller/listings", "catalog-listings-mobile"),
        ("/seller/imports", "catalog-imports-mobile"),
    ):
        phone.goto(path)
        screenshot(phone, name)
        assert_fits(phone)


def test_admin_manages_categories_and_moderates_listings(
    new_context: NewContext, server: Server
) -> None:
    admitted_seller(server)  # makes sure the category tree exists
    admin = new_context().new_page()
    sign_in(admin, ADMIN_EMAIL)
    expect(admin).to_have_url(re.compile(r"/account$"))
    admin.goto("/admin/catalog/categories")
    admin.get_by_label("Name").fill(f"Lighting {uuid.uuid4().hex[:4]}")
    home = admin.locator("#f-parent_id option", has_text="Home & Living").first.get_attribute(
        "value"
    )
    admin.get_by_label("Parent").select_option(home)
    admin.get_by_role("button", name="Create the category").click()
    expect(admin.locator(".flash")).to_contain_text("is created")
    admin.get_by_label("Label", exact=True).fill("Bulb")
    admin.get_by_label("Code").fill("bulb")
    admin.get_by_label("Type").select_option("enum")
    admin.get_by_label("Allowed values").fill("E27, E14")
    admin.get_by_role("button", name="Add the attribute").click()
    expect(admin.locator(".flash")).to_contain_text("The attribute “Bulb” is added.")
    expect(admin.locator("#attributes")).to_contain_text("Material")  # inherited
    admin.evaluate("window.scrollTo(0, 0)")
    screenshot(admin, "catalog-admin-category-desktop")

    admin.goto("/admin/catalog/listings")
    screenshot(admin, "catalog-admin-moderation-desktop")
    phone = new_context(MOBILE).new_page()
    sign_in(phone, ADMIN_EMAIL)
    for path, name in (
        ("/admin/catalog/categories", "catalog-admin-categories-mobile"),
        ("/admin/catalog/listings", "catalog-admin-moderation-mobile"),
    ):
        phone.goto(path)
        screenshot(phone, name)
        assert_fits(phone)
