"""Payments pages over HTTP: the sandbox's hosted card, challenge and wallet pages, the buyer's
payment page, and the staff console's payments and ledger journals."""

from __future__ import annotations

import re

import httpx
import pytest

from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.payments.models import Payment, SandboxCardToken, SandboxPayment
from tests.fixtures.accounts import create_user, login
from tests.payments.conftest import count_rows, form_token

BODY = {"amount_minor": 4200, "currency": "EUR", "method": "card"}


@pytest.fixture(autouse=True)
def browser_like(client: httpx.AsyncClient) -> None:
    client.headers["accept"] = "text/html"


async def headers_for(runtime: Runtime, client: httpx.AsyncClient, role: Role, name: str):
    await create_user(runtime, f"{name}@example.com", role, name.title())
    return await login(client, f"{name}@example.com")


@pytest.fixture
async def buyer(runtime: Runtime, client: httpx.AsyncClient) -> dict[str, str]:
    return await headers_for(runtime, client, Role.BUYER, "page-buyer")


async def new_payment(client, buyer, key="p1", **body) -> dict:
    response = await client.post(
        "/api/v1/payments",
        json={**BODY, **body},
        headers={**buyer, "Idempotency-Key": key, "accept": "application/json"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def local(url: str) -> str:
    return url.removeprefix("http://testserver")


async def submit(client, path: str, form_path: str | None = None, **data: str) -> httpx.Response:
    token = await form_token(client, form_path or path.rsplit("/", 1)[0])
    return await client.post(path, data={"csrf_token": token, **data})


async def test_the_card_page_is_the_providers_own(runtime, client, buyer):
    payment = await new_payment(client, buyer)
    page = await client.get(local(payment["redirect_url"]))
    assert page.status_code == 200
    assert "Sandbox payments — no real money" in page.text
    assert "EUR 42.00" in page.text
    assert "<script" not in page.text
    policy = page.headers["content-security-policy"]
    assert "form-action 'self'" in policy
    assert "default-src 'none'" in policy
    assert page.headers["cache-control"] == "no-store"
    # The form posts to the provider's own endpoint, nowhere else.
    actions = re.findall(r'<form method="post" action="([^"]+)"', page.text)
    sandbox_id = local(payment["redirect_url"]).rsplit("/", 1)[1]
    assert actions == [f"/sandbox/pay/{sandbox_id}/card", f"/sandbox/pay/{sandbox_id}/cancel"]


async def test_a_good_card_pays_and_returns_the_buyer(runtime, client, buyer):
    payment = await new_payment(client, buyer)
    path = local(payment["redirect_url"])
    paid = await submit(
        client,
        f"{path}/card",
        path,
        number="4242 4242 4242 4242",
        expiry="12/34",
        cvc="123",
        name="Ana",
    )
    assert paid.status_code == 303
    back = paid.headers["location"]
    assert back.startswith("http://testserver/payments/return?sandbox_payment=sbx_pay_")
    returned = await client.get(local(back), headers=buyer)
    assert returned.status_code == 303
    assert returned.headers["location"] == f"/payments/{payment['id']}"
    status_page = await client.get(f"/payments/{payment['id']}", headers=buyer)
    assert status_page.status_code == 200
    assert "Payment succeeded" in status_page.text
    assert "Visa •••• 4242 (12/34)" in status_page.text
    # Another buyer cannot see it; nobody can pay it twice.
    other = await headers_for(runtime, client, Role.BUYER, "page-other")
    assert (await client.get(f"/payments/{payment['id']}", headers=other)).status_code == 404
    done = await client.get(path)
    assert "Payment complete" in done.text


async def test_card_errors_are_shown_and_the_number_is_never_echoed(runtime, client, buyer):
    payment = await new_payment(client, buyer)
    path = local(payment["redirect_url"])
    before = await count_rows(runtime.database, SandboxCardToken, SandboxPayment, Payment)
    refused = await submit(
        client, f"{path}/card", path, number="4242 4242 4242 4241", expiry="01/20", cvc="98"
    )
    assert refused.status_code == 422
    assert "This card number is not valid." in refused.text
    assert "This card has expired." in refused.text
    assert "Enter the 3-digit security code." in refused.text
    assert "4242 4242 4242 4241" not in refused.text
    assert "4242424242424241" not in refused.text
    assert await count_rows(runtime.database, SandboxCardToken, SandboxPayment, Payment) == before


async def test_forms_without_the_csrf_token_are_refused(runtime, client, buyer):
    payment = await new_payment(client, buyer)
    path = local(payment["redirect_url"])
    await client.get(path)
    response = await client.post(
        f"{path}/card", data={"number": "4242424242424242", "expiry": "12/34", "cvc": "123"}
    )
    assert response.status_code == 403
    api = await client.get(f"/api/v1/payments/{payment['id']}", headers=buyer)
    assert api.json()["status"] == "requires_action"


@pytest.mark.parametrize(("decision", "status"), [("approve", "succeeded"), ("deny", "failed")])
async def test_the_challenge_page(runtime, client, buyer, decision, status):
    payment = await new_payment(client, buyer)
    path = local(payment["redirect_url"])
    asked = await submit(
        client, f"{path}/card", path, number="4000000000003220", expiry="12/34", cvc="123"
    )
    assert asked.headers["location"] == f"http://testserver{path}/challenge"
    # Back on the card page, the buyer is sent on to the challenge.
    assert (await client.get(path)).headers["location"] == f"{path}/challenge"
    challenge = await client.get(f"{path}/challenge")
    assert "Confirm it is you" in challenge.text
    answered = await submit(client, f"{path}/challenge", f"{path}/challenge", decision=decision)
    assert answered.headers["location"].endswith(f"redirect_status={status}")
    api = await client.get(f"/api/v1/payments/{payment['id']}", headers=buyer)
    assert api.json()["status"] == status


async def test_the_wallet_page(runtime, client, buyer):
    approved = await new_payment(client, buyer, key="w1", method="ewallet")
    canceled = await new_payment(client, buyer, key="w2", method="ewallet")
    for payment, action in ((approved, "wallet"), (canceled, "cancel")):
        path = local(payment["redirect_url"])
        page = await client.get(path)
        assert "Pay with Sandbox Wallet" in page.text
        await submit(client, f"{path}/{action}", path)
    statuses = [
        (await client.get(f"/api/v1/payments/{p['id']}", headers=buyer)).json()["status"]
        for p in (approved, canceled)
    ]
    assert statuses == ["succeeded", "canceled"]


async def test_an_unknown_sandbox_payment_is_not_found(client):
    assert (await client.get("/sandbox/pay/sbx_pay_nope")).status_code == 404


async def test_the_console_lists_payments_settles_transfers_and_shows_journals(
    runtime, client, buyer
):
    transfer = await new_payment(client, buyer, key="t1", method="bank_transfer")
    admin = await headers_for(runtime, client, Role.ADMIN, "page-admin")
    support = await headers_for(runtime, client, Role.SUPPORT, "page-support")
    listing = await client.get("/admin/payments", headers=admin)
    assert listing.status_code == 200
    assert transfer["id"] in listing.text
    assert "Settle now" in listing.text
    assert "Settle now" not in (await client.get("/admin/payments", headers=support)).text
    assert (await client.get("/admin/payments", headers=buyer)).status_code == 403

    token = await form_token(client, "/admin/payments", admin)
    forbidden = await client.post(
        f"/admin/payments/{transfer['id']}/settle", data={"csrf_token": token}, headers=support
    )
    assert forbidden.status_code == 403
    settled = await client.post(
        f"/admin/payments/{transfer['id']}/settle", data={"csrf_token": token}, headers=admin
    )
    assert settled.status_code == 303
    api = await client.get(f"/api/v1/payments/{transfer['id']}", headers=buyer)
    assert api.json()["status"] == "succeeded"

    journals = await client.get(
        "/admin/payments/journals",
        params={"reference": f"payment:{transfer['id']}"},
        headers=support,
    )
    assert journals.status_code == 200
    assert "provider:sandbox:clearing" in journals.text
    assert f"escrow:payment:{transfer['id']}" in journals.text
    assert "-42.00" in journals.text and "+42.00" in journals.text
    assert (await client.get("/admin/payments/journals", headers=buyer)).status_code == 403
