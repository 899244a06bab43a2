"""The admin's finance overview and reconciliation report in a real browser: the ledger of a fresh
marketplace holds a sandbox card payment, two captured orders (one released with its commission,
part of it paid out) and a journal the provider never saw; the admin reads the figures to the
cent, finds the mismatch in the daily reconciliation and reconciles again from the page."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    ADMIN_EMAIL,
    PASSWORD,
    Server,
    _environment,
    _free_port,
    _migrate,
    _serving,
    screenshot,
    sign_in,
)

SEED = """
import asyncio, uuid
from mercato.accounts.service import create_user_with_role
from mercato.config import get_settings
from mercato.kit.auth import Principal, Role
from mercato.kit.money import Money
from mercato.kit.runtime import build_runtime
from mercato.payments import (PLATFORM_COMMISSION, Posting, clearing_account, escrow_account,
    post_journal, seller_available_account, seller_in_transit_account, start_payment)
from mercato.payments.schemas import PaymentMethod
from mercato.payments.service import credit_seller, get_payment, pay_by_card
from mercato.payments.models import Payment
from mercato.tasks_registry import load_all_tasks

load_all_tasks()  # the card payment's webhook is delivered by a job in this process

CLEARING = clearing_account("sandbox")
SELLER = uuid.UUID(int=42)

async def main():
    runtime = build_runtime(get_settings())
    db = runtime.database
    try:
        async with db.transaction() as s:
            user = await create_user_with_role(s, "finance-buyer@example.com",
                                               "a-long-passphrase", "Buyer", Role.BUYER)
            buyer = Principal(user_id=user.id, role=Role.BUYER)
            started = await start_payment(s, buyer, Money(4500, "EUR"), PaymentMethod.CARD,
                                          "finance-1", "", None)
        async with db.transaction() as s:
            payment = await s.get(Payment, started.payment.id)
            await pay_by_card(s, payment.provider_payment_id, "4242 4242 4242 4242",
                              "12/34", "123")
        async with db.transaction() as s:
            for name, gross in (("o-1", 12000), ("o-2", 8000)):
                escrow = escrow_account("order", name)
                capture = [Posting(CLEARING, -gross, "EUR"), Posting(escrow, gross, "EUR")]
                await post_journal(s, f"capture:{name}", "payment_capture", capture,
                                   f"order:{name}")
            source = [Posting(escrow_account("order", "o-1"), -12000, "EUR"),
                      Posting(PLATFORM_COMMISSION, 1500, "EUR")]
            await credit_seller(s, SELLER, source, key="release:order:o-1", kind="escrow_release",
                                reference="order:o-1")
            await post_journal(s, "payout:p-1:sent", "payout_sent",
                               [Posting(seller_available_account(SELLER), -5000, "EUR"),
                                Posting(seller_in_transit_account(SELLER), 5000, "EUR")],
                               "payout:p-1")
    finally:
        await runtime.close()

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A fresh marketplace of its own: the seeded ledger must not meet other tests' money."""
    var_dir = tmp_path_factory.mktemp("e2e-finance-var")
    base_url = f"http://127.0.0.1:{_free_port()}"
    env = _environment(var_dir, base_url)
    _migrate(f"sqlite+aiosqlite:///{var_dir / 'mercato.db'}")
    mercato = str(Path(sys.executable).with_name("mercato"))
    create_admin = [mercato, "users", "create-admin", "--email", ADMIN_EMAIL]
    subprocess.run([*create_admin, "--password", PASSWORD], env=env, check=True)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=env, check=False, capture_output=True, text=True
    )
    assert seeded.returncode == 0, seeded.stderr
    command = [sys.executable, "-m", "uvicorn", "mercato.entrypoints:embedded_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", base_url.rsplit(":", 1)[1]]
    yield from _serving(command, env, base_url, var_dir / "server.log")


def test_the_admin_reads_the_finance_view_and_the_reconciliation(
    page: Page, server: Server
) -> None:
    mercato = str(Path(sys.executable).with_name("mercato"))
    daily = subprocess.run(
        [mercato, "payments", "reconcile", "--date", _today()],
        env=server.env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert daily.returncode == 1, daily.stdout + daily.stderr
    assert "2 mismatch(es)" in " ".join(daily.stdout.split())

    sign_in(page, ADMIN_EMAIL)
    page.goto("/admin")
    page.get_by_role("navigation", name="Admin console").get_by_role("link", name="Finance").click()
    expect(page).to_have_url(re.compile(r"/admin/finance$"))
    eur = page.get_by_test_id("finance-EUR")
    expect(eur.get_by_test_id("gmv")).to_have_text("€245.00")
    expect(eur.get_by_test_id("commission")).to_have_text("€15.00")
    expect(eur.get_by_test_id("take-rate")).to_have_text("6.12 %")
    expect(eur.get_by_test_id("escrow")).to_have_text("€125.00")
    expect(eur.get_by_test_id("available")).to_have_text("€55.00")
    expect(eur.get_by_test_id("in-transit")).to_have_text("€50.00")
    expect(eur.get_by_test_id("debt")).to_have_text("€0.00")
    expect(eur.get_by_test_id("chart-EUR").locator("rect")).to_have_count(30)
    screenshot(page, "finance-01-overview")

    page.get_by_role("link", name="Reconciliation").first.click()
    expect(page).to_have_url(re.compile(r"/admin/finance/reconciliation$"))
    # The daily job may have reconciled yesterday since the server started: look at today.
    today_runs = page.get_by_test_id("runs").locator("tbody tr", has_text=_today())
    expect(today_runs).to_have_count(1)
    expect(today_runs).to_contain_text("2 mismatches")
    screenshot(page, "finance-02-reconciliation")
    today_runs.get_by_role("link", name=_today()).click()
    mismatches = page.get_by_test_id("mismatches")
    expect(mismatches.locator("tbody tr")).to_have_count(2)
    expect(mismatches).to_contain_text("Missing at the provider")
    expect(mismatches).to_contain_text("capture:o-1")
    expect(mismatches).to_contain_text("capture:o-2")
    screenshot(page, "finance-03-mismatches")

    page.goto("/admin/finance/reconciliation")
    page.get_by_label("Day (UTC)").fill(_today())
    page.get_by_role("button", name="Reconcile now").click()
    expect(page).to_have_url(re.compile(r"/admin/finance/reconciliation/[0-9a-f-]+$"))
    expect(page.locator(".flash")).to_contain_text("mismatches")
    expect(page.get_by_test_id("mismatches").locator("tbody tr")).to_have_count(2)
    page.goto("/admin/finance/reconciliation")
    expect(page.get_by_test_id("runs").locator("tbody tr", has_text=_today())).to_have_count(2)


def _today() -> str:
    return datetime.now(UTC).date().isoformat()
