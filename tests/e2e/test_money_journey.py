"""Money after the sale, in a real browser on the demo marketplace ``make run`` serves: two
completed orders were released to their seller with an itemised commission; the admin refunds
part of one after its release; the seller is paid out; the payout's statement and the admin's
finance view agree to the cent; ``mercato payments ledger-check`` passes."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from mercato.demo import DEMO_PASSWORD
from tests.e2e.conftest import Server, sign_in, sign_out
from tests.e2e.test_marketplace_journey import DEMO_ADMIN, Shots

SELLER = "nordic@mercato.example"  # Erik: two completed orders, payouts on request


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Shots:
    return Shots(tmp_path_factory.mktemp("money-journey"))


def euros(text: str) -> Decimal:
    """A shown amount as a Decimal; the pages write negative amounts with a minus sign."""
    cleaned = text.replace("\u2212", "-").replace("€", "").replace(",", "").strip()
    return Decimal(cleaned)


def amount_of(locator: Locator) -> Decimal:
    return euros(locator.inner_text())


def completed_orders(page: Page) -> list[str]:
    page.goto("/seller/orders?tab=all&status=completed")
    links = page.locator("tbody a.table__primary")
    expect(links.first).to_be_visible()
    return [str(link.get_attribute("href")) for link in links.all()]


def check_released_with_commission(page: Page, href: str) -> tuple[Decimal, Decimal]:
    """The order page itemises each line's commission; gross minus commission is net, and the
    escrow says what went to the seller and to the platform. (net, commission) of the items."""
    page.goto(href)
    earnings = page.get_by_test_id("order-earnings")
    expect(earnings.get_by_test_id("escrow-state")).to_contain_text("released")
    for row in earnings.get_by_test_id("fee-line").all():
        cells = row.locator("td").all_inner_texts()
        gross, fee, net = euros(cells[1]), euros(cells[3]), euros(cells[4])
        assert gross + fee == net and fee < 0, cells
        assert cells[2].strip(), "each line names the rule that priced it"
    fee_total = amount_of(earnings.get_by_test_id("fee-total"))
    net_total = amount_of(earnings.get_by_test_id("net-total"))
    state = earnings.get_by_test_id("escrow-state").inner_text()
    to_seller, commission = re.findall(r"€([\d.,]+)", state)[:2]
    assert (euros(to_seller), -euros(commission)) == (net_total, fee_total), state
    return net_total, fee_total


def refund_part_after_release(page: Page, href: str, amount: str) -> None:
    order_id = href.rsplit("/", 1)[1]
    page.goto(f"/admin/orders/{order_id}")
    page.get_by_role("link", name="Refund this order…").click()
    page.get_by_label("an amount").check()
    page.get_by_label("Amount (EUR)").fill(amount)
    page.get_by_label("Reason").fill("The lid arrived scratched: partial refund.")
    page.get_by_role("button", name="Refund the buyer").click()
    expect(page.locator(".flash")).to_contain_text(amount)


def request_everything(page: Page) -> Decimal:
    page.goto("/seller/payouts")
    available = amount_of(page.get_by_test_id("available"))
    assert available > 0
    page.get_by_label("Amount (EUR)").fill(f"{available:.2f}")
    page.get_by_role("button", name="Request payout").click()
    expect(page.get_by_test_id("payout-amount")).to_have_text(f"-€{available:.2f}")
    for _ in range(20):  # the provider's answer arrives through a background job
        if page.locator(".badge", has_text="Paid").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator(".badge", has_text="Paid").first).to_be_visible()
    return available


def test_release_refund_payout_statement_and_finance_agree(
    page: Page, server: Server, shots: Shots
):
    sign_in(page, SELLER, DEMO_PASSWORD)
    orders = completed_orders(page)
    assert len(orders) == 2
    for href in orders:
        check_released_with_commission(page, href)
    shots(page, "order-released-with-commission")
    sign_out(page)

    sign_in(page, DEMO_ADMIN, DEMO_PASSWORD)
    commission_before = finance_commission(page)
    refund_part_after_release(page, orders[0], "2.00")
    shots(page, "refund-after-release")
    sign_out(page)

    sign_in(page, SELLER, DEMO_PASSWORD)
    paid = request_everything(page)
    statement = page.get_by_role("table", name="Statement")
    expect(statement).to_contain_text("Order completed: released to you")
    closing = amount_of(page.get_by_test_id("closing-balance"))
    assert closing == paid and amount_of(page.get_by_test_id("carried-forward")) == 0
    rows = statement.locator("tbody tr").all()
    opening = euros(rows[0].locator("td").nth(5).inner_text())
    moved = [euros(row.locator("td").nth(5).inner_text()) for row in rows[1:-3]]
    assert opening + sum(moved) == closing  # every movement is listed
    refund = statement.locator("tbody tr", has_text="Refund to the buyer")
    assert euros(refund.locator("td").nth(3).inner_text()) == Decimal("-2.00")
    commission_returned = euros(refund.locator("td").nth(4).inner_text())
    assert 0 < commission_returned < Decimal("2.00")
    shots(page, "statement")
    page.goto("/seller/balance")
    assert amount_of(page.locator('[data-balance="available_minor"] .balances__value')) == 0
    sign_out(page)

    # The admin's finance view saw the same refund: the platform gave back exactly the
    # commission the seller's statement shows; the payout itself moved no commission.
    sign_in(page, DEMO_ADMIN, DEMO_PASSWORD)
    assert finance_commission(page) == commission_before - commission_returned
    shots(page, "finance")

    checked = subprocess.run(
        [str(Path(sys.executable).with_name("mercato")), "payments", "ledger-check"],
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Ledger OK" in checked.stdout


def finance_commission(page: Page) -> Decimal:
    page.goto("/admin/finance")
    return amount_of(page.get_by_test_id("finance-EUR").get_by_test_id("commission"))
