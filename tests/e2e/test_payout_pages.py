"""A seller's money in a real browser: the balance page with its chart, a payout request (a
double click makes one payout), the statement that agrees with it to the cent, and the admin
retrying a failed payout whose money had returned to the balance."""

from __future__ import annotations

import subprocess
import sys

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN_EMAIL, PASSWORD, Server, screenshot, sign_in, sign_out

SEED = """
import asyncio
from sqlalchemy import update
from mercato.accounts.service import create_user_with_role
from mercato.config import get_settings
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import build_runtime
from mercato.payments import Posting, clearing_account
from mercato.payments.providers.sandbox.provider import FAILING_PAYOUT_IBAN
from mercato.payments.service import credit_seller
from mercato.payouts import service
from mercato.payouts.schemas import PayoutRequestIn
from mercato.sellers.models import Seller
from mercato.sellers.schemas import PayoutAccountIn
from mercato.sellers.service import open_application, save_payout_account
from mercato.tasks_registry import load_all_tasks

load_all_tasks()

async def main():
    runtime = build_runtime(get_settings())
    db = runtime.database
    try:
        async with db.transaction() as s:
            user = await create_user_with_role(s, "payee@example.com", "%(password)s",
                                               "Paula Payee", Role.SELLER)
            seller = await open_application(s, user.id, "Paula's Pottery")
            await s.execute(update(Seller).where(Seller.id == seller.id).values(status="admitted"))
        me = Principal(user_id=user.id, role=Role.SELLER)
        async with db.transaction() as s:
            await save_payout_account(s, me, PayoutAccountIn(account_holder="Paula",
                                                             iban=FAILING_PAYOUT_IBAN))
        for key, amount in (("order-1", 4250), ("order-2", 1875), ("order-3", 990)):
            async with db.transaction() as s:
                source = [Posting(clearing_account("sandbox"), -amount, "EUR")]
                await credit_seller(s, seller.id, source, key=f"e2e:{key}", kind="release",
                                    reference=f"order:{key}")
        async with db.transaction() as s:  # to the closed test account: fails, money returns
            await service.request_payout(s, me, PayoutRequestIn(amount_minor=3000,
                                                                currency="EUR"), "e2e-fail")
        async with db.transaction() as s:
            await save_payout_account(s, me, PayoutAccountIn(account_holder="Paula",
                                                             iban="DE89370400440532013000"))
    finally:
        await runtime.close()

asyncio.run(main())
"""


def seed(server: Server) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SEED % {"password": PASSWORD}],
        env=server.env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_seller_balance_payout_statement_and_admin_retry(page: Page, server: Server):
    seed(server)
    sign_in(page, "payee@example.com")
    page.goto("/seller/balance")
    expect(page.get_by_role("heading", name="Balance", exact=True)).to_be_visible()
    available = page.locator('[data-balance="available_minor"] .balances__value')
    expect(available).to_have_text("€71.15")
    expect(page.locator(".balance-chart polyline")).to_be_visible()
    expect(page.get_by_role("cell", name="Failed payout returned")).to_be_visible()
    screenshot(page, "payouts-seller-balance")

    page.get_by_role("link", name="Payouts", exact=True).first.click()
    expect(page.get_by_text("Failed (money returned)")).to_be_visible()
    page.get_by_label("Amount (EUR)").fill("40.00")
    button = page.get_by_role("button", name="Request payout")
    button.dblclick()
    expect(page.get_by_role("heading", name="Payout of €40.00")).to_be_visible()
    expect(page.get_by_test_id("payout-amount")).to_have_text("-€40.00")
    statement = page.get_by_role("table", name="Statement")
    expect(statement.get_by_role("link", name="Order")).to_have_count(3)  # the releases
    expect(statement).to_contain_text("Carried forward")
    expect(statement).to_contain_text("€31.15")
    screenshot(page, "payouts-seller-statement")
    page.goto("/seller/payouts")
    expect(page.locator("tbody tr")).to_have_count(2)  # the double click made one payout
    sign_out(page)

    sign_in(page, ADMIN_EMAIL)
    page.goto("/admin/payouts?status=failed")
    row = page.locator("tbody tr").filter(has_text="€30.00")
    row.get_by_role("button", name="Retry").click()
    expect(page.locator(".flash")).to_contain_text("Retried as a new payout")
    screenshot(page, "payouts-admin")
    page.goto("/admin/payouts?status=paid")
    expect(page.locator("tbody tr")).to_have_count(2)
