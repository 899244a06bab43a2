"""The audit log in a real browser on the demo marketplace: the admin opens the audit log from
the console, sees the demo's entries (money movements, sign-ins, seller decisions), filters by
action, verifies the chain; ``mercato audit verify`` passes on the demo database; support does
not see the log."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext, Server, screenshot, sign_in

DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def server(demo_server: Server) -> Server:
    return demo_server


def test_admin_searches_and_verifies_the_audit_log(new_context: NewContext, server: Server):
    admin = new_context().new_page()
    sign_in(admin, "admin@mercato.example", DEMO_PASSWORD)
    admin.goto("/admin")
    admin.get_by_role("link", name="Audit log").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Audit log")
    rows = admin.locator("tbody tr")
    expect(rows.first).to_be_visible()
    # The admin's sign-in a moment ago is the newest entry.
    expect(rows.first).to_contain_text("accounts.login")
    expect(admin.locator("tbody")).to_contain_text("admin@mercato.example")
    screenshot(admin, "audit-log")

    admin.get_by_label("Action starts with").fill("settlement.")
    admin.get_by_role("button", name="Filter").click()
    expect(admin).to_have_url(re.compile(r"action=settlement\."))
    actions = admin.locator("tbody .audit-action").all_inner_texts()
    assert actions and all(a.startswith("settlement.") for a in actions)
    expect(admin.locator("tbody")).to_contain_text("settlement.escrow_released")
    expect(rows.first.locator(".audit-hash")).to_have_text(re.compile(r"^[0-9a-f]{12}$"))
    screenshot(admin, "audit-log-filtered")

    admin.get_by_role("button", name="Verify chain").click()
    verification = admin.get_by_test_id("audit-verification")
    expect(verification).to_contain_text("The chain holds.")
    expect(verification).to_contain_text(re.compile(r"All \d+ entries were checked"))
    screenshot(admin, "audit-log-verified")

    mercato = str(Path(sys.executable).with_name("mercato"))
    done = subprocess.run(
        [mercato, "audit", "verify"], env=server.env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Audit chain OK" in done.stdout


def test_support_has_no_audit_log(new_context: NewContext):
    support = new_context().new_page()
    sign_in(support, "support@mercato.example", DEMO_PASSWORD)
    support.goto("/admin")
    expect(support.get_by_role("link", name="Audit log")).to_have_count(0)
    response = support.goto("/admin/audit")
    assert response is not None and response.status == 403
