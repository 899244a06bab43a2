"""Disputes in a real browser on the demo marketplace (as ``make run`` serves it): the buyer
disputes a delivered order, the seller rejects, the buyer escalates, the admin refunds half;
the amounts shown and the order's refund agree. The demo's disputes and returns show in the
seller portal and the admin queue. The buyer reads the refund conditions on the return form,
sees an expired return on her order, asks again, and both parties see the ship-back deadline
once the seller approves."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"
SHOTS = Path(tempfile.gettempdir()) / "shots"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def shot(page: Page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    source = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / f"{name}.png"
    shutil.copy(source, SHOTS / f"disputes-{name}.png")


def euros(text: str) -> int:
    """Minor units of the first "€12.34" in ``text``."""
    match = re.search(r"€([\d,]+)\.(\d\d)", text)
    assert match, text
    return int(match.group(1).replace(",", "")) * 100 + int(match.group(2))


def test_buyer_disputes_seller_rejects_buyer_escalates_admin_refunds_half(
    new_context: NewContext,
) -> None:
    alice = new_context().new_page()
    sign_in(alice, "alice@mercato.example", DEMO_PASSWORD)
    alice.goto("/orders")
    delivered = (
        alice.get_by_test_id("history-order").filter(has_text="Nordic").filter(has_text="delivered")
    )
    delivered.first.locator(".order-row__link").click()
    panel = alice.locator("#disputes-panel")
    expect(panel).to_contain_text("Problem with this order?")
    shot(alice, "buyer-order-panel")
    panel.get_by_test_id("report-problem").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Report a problem")
    alice.get_by_label("Not as described").check()
    alice.get_by_label("Describe the problem").fill("Too short")
    alice.get_by_role("button", name="Open dispute").click()
    expect(alice.locator(".field__error").first).to_contain_text("at least 10 characters")
    alice.get_by_label("Describe the problem").fill("The stitching came apart on the first day.")
    alice.get_by_role("button", name="Open dispute").click()
    expect(alice.locator(".flash")).to_contain_text("Your dispute is open")
    line_total = euros(alice.get_by_test_id("line-total").inner_text())
    dispute_url = alice.url
    number = alice.locator(".breadcrumb a").nth(1).inner_text().removeprefix("Order ")
    shot(alice, "buyer-dispute-open")

    nordic = new_context().new_page()
    sign_in(nordic, "nordic@mercato.example", DEMO_PASSWORD)
    nordic.goto("/seller/disputes")
    expect(nordic.get_by_test_id("seller-disputes")).to_contain_text("Not as described")
    shot(nordic, "seller-inbox")
    nordic.get_by_role("link", name="Answer").first.click()
    nordic.get_by_label("Reject the claim").check()
    nordic.get_by_label("Message to the buyer").fill("It left our workshop intact; see photos.")
    shot(nordic, "seller-answer")
    nordic.get_by_role("button", name="Send answer").click()
    expect(nordic.locator(".flash")).to_contain_text("Your answer was sent")

    alice.goto(dispute_url)
    expect(alice.get_by_test_id("answer")).to_contain_text("Rejected the claim")
    alice.get_by_role("button", name="Ask Mercato to decide").click()
    expect(alice.locator(".flash")).to_contain_text("sent to the Mercato team")
    expect(alice.get_by_test_id("dispute-status")).to_have_text("With the platform")

    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin/disputes")
    first_row = admin.get_by_test_id("admin-disputes").locator("tbody tr").first
    expect(first_row).to_contain_text("With the platform")
    shot(admin, "admin-queue")
    row = admin.get_by_test_id("admin-disputes").locator("tr", has_text=number)
    expect(row).to_contain_text("With the platform")
    row.get_by_role("link", name="Decide").click()
    half = line_total // 2
    admin.get_by_label("Refund part").check()
    admin.get_by_label("Partial refund (EUR)").fill(f"{line_total / 100 + 1:.2f}")
    admin.get_by_label("Reason (sent to both parties)").fill("Both sides have a point.")
    admin.get_by_role("button", name="Record decision").click()
    expect(admin.get_by_test_id("amount-error")).to_contain_text("is left to refund")
    admin.get_by_label("Refund part").check()
    admin.get_by_label("Partial refund (EUR)").fill(f"{half / 100:.2f}")
    admin.get_by_label("Reason (sent to both parties)").fill("Both sides have a point.")
    admin.get_by_role("button", name="Record decision").click()
    expect(admin.locator(".flash")).to_contain_text("The decision was recorded")
    assert euros(admin.get_by_test_id("refunded").inner_text()) == half
    shot(admin, "admin-decided")

    alice.goto(dispute_url)
    expect(alice.get_by_test_id("outcome")).to_have_text("Partial refund")
    assert euros(alice.get_by_test_id("refunded").inner_text()) == half
    shot(alice, "buyer-dispute-decided")
    alice.get_by_role("link", name=re.compile(r"^Order ")).click()
    expect(alice.get_by_test_id("order-refunds")).to_contain_text(f"€{half / 100:.2f}")


def test_seller_returns_and_admin_queue_from_the_demo(new_context: NewContext) -> None:
    nordic = new_context().new_page()
    sign_in(nordic, "nordic@mercato.example", DEMO_PASSWORD)
    nordic.goto("/seller/returns")
    expect(nordic.get_by_test_id("seller-return").first).to_contain_text("Requested")
    shot(nordic, "seller-returns")
    atelier = new_context().new_page()
    sign_in(atelier, "atelier@mercato.example", DEMO_PASSWORD)
    atelier.goto("/seller/returns")
    returns = atelier.get_by_test_id("seller-return")
    expect(returns.filter(has_text="restocking fee kept").first).to_contain_text("Refunded:")
    expect(returns.filter(has_text="Expired on").first).to_contain_text("nothing was refunded")
    shot(atelier, "seller-returns-fee-and-expired")
    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin/disputes")
    table = admin.get_by_test_id("admin-disputes")
    expect(table).to_contain_text("Awaiting the seller")
    expect(table).to_contain_text("Decided")


def test_buyer_reads_the_refund_conditions_and_both_see_the_ship_back_deadline(
    new_context: NewContext,
) -> None:
    alice = new_context().new_page()
    sign_in(alice, "alice@mercato.example", DEMO_PASSWORD)
    alice.goto("/orders")
    completed = (
        alice.get_by_test_id("history-order")
        .filter(has_text="Atelier")
        .filter(has_text="Completed")
        .filter(has_not_text="service")
    )
    completed.first.locator(".order-row__link").click()
    panel = alice.locator("#disputes-panel")
    # The demo's approved return that was never sent back: expired, and a dispute still open.
    expect(panel.get_by_test_id("return-expired")).to_contain_text("the return expired")
    expect(panel.get_by_test_id("return-expired")).to_contain_text("still report a problem")
    shot(alice, "buyer-expired-return")

    panel.get_by_test_id("return-item").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Return an item")
    conditions = alice.get_by_test_id("return-conditions")
    expect(conditions).to_contain_text("Until")
    expect(conditions).to_contain_text("Within 14 days of the seller's approval")
    expect(conditions.get_by_test_id("restocking-fee")).to_contain_text("10 %")
    shot(alice, "buyer-return-conditions")
    alice.get_by_label(re.compile("I changed my mind")).check()
    alice.get_by_label("Tell the seller more").fill("It does not go with my kitchen after all.")
    alice.get_by_role("button", name="Request return").click()
    expect(alice.locator(".flash")).to_contain_text("Your return request was sent")

    atelier = new_context().new_page()
    sign_in(atelier, "atelier@mercato.example", DEMO_PASSWORD)
    atelier.goto("/seller/returns")
    card = atelier.get_by_test_id("seller-return").filter(has_text="Requested").first
    expect(card).to_contain_text("I changed my mind")
    expect(card).to_contain_text("10 % restocking fee")
    card.get_by_label("Return instructions").fill("Post it to 4 quai des Potiers, Lyon.")
    card.get_by_role("button", name="Approve").click()
    expect(atelier.locator(".flash")).to_contain_text("Return approved")
    deadline = atelier.get_by_test_id("ship-back-deadline").first
    expect(deadline).to_contain_text("Ship-back deadline")
    shot(atelier, "seller-ship-back-deadline")

    alice.reload()
    expect(alice.locator("#disputes-panel").get_by_test_id("ship-back-by")).to_contain_text(
        "Send it back by"
    )
    expect(alice.locator("#disputes-panel").get_by_test_id("ship-back-by")).to_contain_text(
        "10 % restocking fee"
    )
    shot(alice, "buyer-ship-back-by")
