"""The payments API over HTTP: Idempotency-Key, visibility, webhooks and the staff ledger."""

from __future__ import annotations

import httpx
import pytest

from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.payments.models import Payment, SandboxPayment
from tests.fixtures.accounts import create_user, login
from tests.payments.conftest import count_rows, form_token

BODY = {"amount_minor": 2599, "currency": "EUR", "method": "card", "purpose_reference": "cart:7"}


async def headers_for(runtime: Runtime, client: httpx.AsyncClient, role: Role, name: str):
    email = f"{name}@example.com"
    await create_user(runtime, email, role, name.title())
    return await login(client, email)


@pytest.fixture
async def buyer(runtime: Runtime, client: httpx.AsyncClient) -> dict[str, str]:
    return await headers_for(runtime, client, Role.BUYER, "api-buyer")


async def create(client, headers, key="key-1", body=None) -> httpx.Response:
    return await client.post(
        "/api/v1/payments", json=body or BODY, headers={**headers, "Idempotency-Key": key}
    )


async def test_create_replay_and_conflict(runtime: Runtime, client, buyer):
    first = await create(client, buyer)
    assert first.status_code == 201, first.text
    payment = first.json()
    assert payment["status"] == "requires_action"
    assert (payment["amount_minor"], payment["currency"], payment["amount"]) == (
        2599,
        "EUR",
        "25.99",
    )
    assert payment["redirect_url"].startswith("http://testserver/sandbox/pay/sbx_pay_")
    assert "Idempotent-Replayed" not in first.headers

    again = await create(client, buyer)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == payment["id"]

    before = await count_rows(runtime.database, Payment, SandboxPayment)
    conflict = await create(client, buyer, body={**BODY, "amount_minor": 2600})
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"
    assert conflict.json()["type"] == "/problems/idempotency-key-reused"
    assert await count_rows(runtime.database, Payment, SandboxPayment) == before


@pytest.mark.parametrize(
    ("body", "key", "field"),
    [
        (BODY, None, "Idempotency-Key"),
        ({**BODY, "amount_minor": 0}, "k", "amount_minor"),
        ({**BODY, "amount_minor": 10.5}, "k", "amount_minor"),
        ({**BODY, "currency": "eur"}, "k", "currency"),
        ({**BODY, "currency": "XXX"}, "k", "currency"),
        ({**BODY, "method": "cheque"}, "k", "method"),
        ({**BODY, "return_url": "https://evil.example/"}, "k", "return_url"),
        ({**BODY, "card_number": "4242424242424242"}, "k", "card_number"),
    ],
)
async def test_bad_requests_are_422_and_write_nothing(runtime, client, buyer, body, key, field):
    headers = buyer if key is None else {**buyer, "Idempotency-Key": key}
    before = await count_rows(runtime.database, Payment, SandboxPayment)
    response = await client.post("/api/v1/payments", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await count_rows(runtime.database, Payment, SandboxPayment) == before


async def test_reading_payments(runtime: Runtime, client, buyer):
    payment = (await create(client, buyer)).json()
    other = await headers_for(runtime, client, Role.BUYER, "other-buyer")
    support = await headers_for(runtime, client, Role.SUPPORT, "api-support")
    own = await client.get(f"/api/v1/payments/{payment['id']}", headers=buyer)
    assert own.status_code == 200
    assert own.json() == payment
    assert (await client.get(f"/api/v1/payments/{payment['id']}", headers=other)).status_code == 404
    assert (
        await client.get(f"/api/v1/payments/{payment['id']}", headers=support)
    ).status_code == 200
    assert (await client.get(f"/api/v1/payments/{payment['id']}")).status_code == 401
    listed = await client.get("/api/v1/payments", headers=buyer)
    assert [p["id"] for p in listed.json()["items"]] == [payment["id"]]
    assert (await client.get("/api/v1/payments", headers=other)).json()["items"] == []
    filtered = await client.get("/api/v1/payments", params={"status": "succeeded"}, headers=support)
    assert filtered.json()["items"] == []


async def test_a_paid_payment_shows_in_the_staff_ledger(runtime: Runtime, client, buyer):
    payment = (await create(client, buyer, body={**BODY, "method": "ewallet"})).json()
    wallet_url = payment["redirect_url"].removeprefix("http://testserver")
    token = await form_token(client, wallet_url)
    paid = await client.post(f"{wallet_url}/wallet", data={"csrf_token": token})
    assert paid.status_code == 303
    admin = await headers_for(runtime, client, Role.ADMIN, "api-admin")
    reference = f"payment:{payment['id']}"
    journals = await client.get(
        "/api/v1/payments/ledger/journals", params={"reference": reference}, headers=admin
    )
    assert journals.status_code == 200
    [journal] = journals.json()["items"]
    assert journal["kind"] == "payment_capture"
    assert journal["postings"] == [
        {"account": "provider:sandbox:clearing", "currency": "EUR", "amount_minor": -2599},
        {"account": f"escrow:payment:{payment['id']}", "currency": "EUR", "amount_minor": 2599},
    ]
    balances = await client.get(
        "/api/v1/payments/ledger/balances", params={"prefix": "escrow:"}, headers=admin
    )
    assert balances.json() == [
        {
            "account": f"escrow:payment:{payment['id']}",
            "currency": "EUR",
            "balance_minor": 2599,
            "balance": "25.99",
        }
    ]
    bad_currency = await client.get(
        "/api/v1/payments/ledger/balances", params={"currency": "ZZZ"}, headers=admin
    )
    assert bad_currency.status_code == 422


async def test_the_sandbox_webhook_endpoint_accepts_signed_events(runtime, client, buyer):
    from mercato.kit import clock
    from mercato.payments.settings import payment_settings
    from tests.payments.memory_provider import signed_event

    payment = (await create(client, buyer, body={**BODY, "method": "bank_transfer"})).json()
    async with runtime.database.reading() as session:
        row = await session.get(Payment, __import__("uuid").UUID(payment["id"]))
        provider_id = row.provider_payment_id
    body, headers = signed_event(
        "evt_api_1",
        provider_id,
        "succeeded",
        2599,
        secret=payment_settings().resolved_sandbox_secret(),
        header="Sandbox-Signature",
        at=clock.now(),
    )
    response = await client.post(
        "/api/v1/payments/webhooks/sandbox",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"event_id": "evt_api_1", "outcome": "applied", "duplicate": False}
    again = await client.post(
        "/api/v1/payments/webhooks/sandbox",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert again.json()["duplicate"] is True
    assert (await client.get(f"/api/v1/payments/{payment['id']}", headers=buyer)).json()[
        "status"
    ] == "succeeded"
