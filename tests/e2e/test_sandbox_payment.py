"""Paying through the sandbox provider in a real browser: a payment is created through the API,
the buyer pays on the sandbox's hosted pages and lands back on Mercato with the result."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    ADMIN_EMAIL,
    PASSWORD,
    NewContext,
    Server,
    screenshot,
    sign_in,
    sign_up,
)

pytestmark = pytest.mark.browser


def api_token(server: Server, email: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.base_url}/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def create_payment(server: Server, headers: dict[str, str], method: str = "card") -> dict:
    response = httpx.post(
        f"{server.base_url}/api/v1/payments",
        json={
            "amount_minor": 2500,
            "currency": "EUR",
            "method": method,
            "purpose_reference": "e2e",
        },
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return response.json()


def status_of(server: Server, headers: dict[str, str], payment_id: str) -> str:
    response = httpx.get(f"{server.base_url}/api/v1/payments/{payment_id}", headers=headers)
    status: str = response.json()["status"]
    return status


def fill_card(page: Page, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay EUR 25.00").click()


def test_a_buyer_pays_by_card_and_through_the_challenge(new_context: NewContext, server: Server):
    email = f"payer.{uuid.uuid4().hex[:8]}@example.com"
    page = new_context().new_page()
    sign_up(page, "Pia Payer", email)
    headers = api_token(server, email)

    # A plain card payment.
    payment = create_payment(server, headers)
    assert payment["status"] == "requires_action"
    page.goto(payment["redirect_url"])
    expect(page.get_by_role("note")).to_contain_text("Sandbox payments — no real money")
    expect(page.get_by_test_id("amount")).to_have_text("EUR 25.00")
    screenshot(page, "payments-sandbox-card")
    # A mistyped number is caught on the provider's page, and not echoed back.
    fill_card(page, "4242 4242 4242 4241")
    expect(page.get_by_text("This card number is not valid.")).to_be_visible()
    expect(page.get_by_label("Card number")).to_have_value("")
    fill_card(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(rf"/payments/{payment['id']}$"))
    expect(page.get_by_test_id("payment-status")).to_have_text("Payment succeeded")
    expect(page.get_by_text("Visa •••• 4242")).to_be_visible()
    screenshot(page, "payments-succeeded")
    assert status_of(server, headers, payment["id"]) == "succeeded"

    # A card that asks for a 3-D Secure style challenge.
    challenged = create_payment(server, headers)
    page.goto(challenged["redirect_url"])
    fill_card(page, "4000 0000 0000 3220")
    expect(page).to_have_url(re.compile(r"/challenge$"))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    screenshot(page, "payments-sandbox-challenge")
    page.get_by_role("button", name="Approve payment").click()
    expect(page).to_have_url(re.compile(rf"/payments/{challenged['id']}$"))
    expect(page.get_by_test_id("payment-status")).to_have_text("Payment succeeded")
    assert status_of(server, headers, challenged["id"]) == "succeeded"

    # The operator sees the capture journal: clearing account → escrow, to the cent.
    admin = new_context().new_page()
    sign_in(admin, ADMIN_EMAIL)
    expect(admin).to_have_url(re.compile(r"/account$"))
    admin.goto(f"/admin/payments/journals?reference=payment:{payment['id']}")
    journal = admin.locator("section.journal")
    expect(journal).to_have_count(1)
    expect(journal.get_by_role("row", name="provider:sandbox:clearing")).to_contain_text("-25.00")
    expect(journal.get_by_role("row", name=f"escrow:payment:{payment['id']}")).to_contain_text(
        "+25.00"
    )
    admin.goto("/admin/payments/journals")
    screenshot(admin, "payments-admin-journals")


def test_a_bank_transfer_is_confirmed_while_the_buyer_waits(
    new_context: NewContext, server: Server
):
    email = f"transfer.{uuid.uuid4().hex[:8]}@example.com"
    page = new_context().new_page()
    sign_up(page, "Tom Transfer", email)
    headers = api_token(server, email)
    payment = create_payment(server, headers, method="bank_transfer")
    assert payment["status"] == "processing"
    page.goto(f"/payments/{payment['id']}")
    expect(page.get_by_test_id("payment-status")).to_have_text("Payment processing")
    # The sandbox settles the transfer a few seconds later and sends its signed webhook; the
    # page polls and shows the result without a reload.
    expect(page.get_by_test_id("payment-status")).to_have_text("Payment succeeded", timeout=20_000)
    assert status_of(server, headers, payment["id"]) == "succeeded"


def test_the_wallet_can_be_canceled(new_context: NewContext, server: Server):
    email = f"wallet.{uuid.uuid4().hex[:8]}@example.com"
    page = new_context().new_page()
    sign_up(page, "Wu Wallet", email)
    headers = api_token(server, email)
    payment = create_payment(server, headers, method="ewallet")
    page.goto(payment["redirect_url"])
    expect(page.get_by_role("heading", name="Pay with Sandbox Wallet")).to_be_visible()
    page.get_by_role("button", name="Cancel and return to Mercato").click()
    expect(page.get_by_test_id("payment-status")).to_have_text("Payment canceled")
    assert status_of(server, headers, payment["id"]) == "canceled"
