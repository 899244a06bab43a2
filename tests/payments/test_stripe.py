"""The Stripe adapter, offline: the official library talks to a recording HTTP client that
answers with recorded JSON, and webhooks are signed here the way Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import stripe

from mercato.kit.auth import Principal
from mercato.kit.money import Money
from mercato.kit.runtime import Runtime
from mercato.payments import balance, service, start_payment
from mercato.payments.providers import register_provider
from mercato.payments.providers.base import (
    CreatePaymentRequest,
    IdempotencyMismatch,
    PayoutRequest,
    ProviderRejected,
    ProviderUnavailable,
    RefundRequest,
    TransferRequest,
    WebhookRejected,
)
from mercato.payments.providers.stripe import StripeProvider
from mercato.payments.schemas import PaymentMethod, PaymentStatus

SECRET = "whsec_test_secret"
OLD_SECRET = "whsec_rotated_out"


class RecordedHTTPClient(stripe.HTTPClient):
    """Answers each (method, path) with the next recorded response; keeps every request."""

    name = "recorded"

    def __init__(self) -> None:
        super().__init__()
        self.responses: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        self.requests: list[dict[str, Any]] = []

    def stub(self, method: str, path: str, body: dict[str, Any], status: int = 200) -> None:
        self.responses.setdefault((method, path), []).append((status, body))

    async def request_async(self, method, url, headers, post_data=None):
        path = httpx.URL(url).path
        self.requests.append(
            {
                "method": method,
                "path": path,
                "query": dict(httpx.URL(url).params),
                "headers": dict(headers),
                "data": dict(
                    parse_qsl(
                        post_data.decode() if isinstance(post_data, bytes) else post_data or ""
                    )
                ),
            }
        )
        queue = self.responses.get((method, path))
        if not queue:
            raise AssertionError(f"no recorded response for {method} {path}")
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        return json.dumps(body).encode(), status, {"Request-Id": "req_test"}

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        raise AssertionError("the adapter must use the async API")

    async def close_async(self) -> None:
        return None

    def close(self) -> None:
        return None


def intent(status: str, amount: int = 2500, currency: str = "eur", **extra: Any) -> dict:
    return {
        "id": "pi_123",
        "object": "payment_intent",
        "amount": amount,
        "currency": currency,
        "status": status,
        "client_secret": "pi_123_secret_abc",
        "transfer_group": "cart:42",
        "latest_charge": "ch_123",
        **extra,
    }


@pytest.fixture
def http() -> RecordedHTTPClient:
    return RecordedHTTPClient()


@pytest.fixture
def adapter(http: RecordedHTTPClient) -> StripeProvider:
    client = stripe.StripeClient("sk_test_123", http_client=http, max_network_retries=0)
    return StripeProvider(client, webhook_secrets=[OLD_SECRET, SECRET])


@pytest.fixture
def registered(adapter: StripeProvider) -> Iterator[StripeProvider]:
    previous = register_provider("stripe", lambda session: adapter)
    yield adapter
    register_provider("stripe", previous)


def stripe_signature(payload: bytes, secret: str = SECRET, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def event(event_type: str, obj: dict, event_id: str = "evt_1") -> bytes:
    body = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


async def test_a_payment_intent_is_created_with_its_transfer_group_and_key(adapter, http):
    http.stub("post", "/v1/payment_intents", intent("requires_payment_method"))
    result = await adapter.create_payment(
        CreatePaymentRequest(
            amount_minor=2500,
            currency="EUR",
            method=PaymentMethod.CARD,
            idempotency_key="mercato-payment-abc",
            return_url="http://testserver/payments/return",
            metadata={"purpose_reference": "cart:42"},
            transfer_group="cart:42",
        )
    )
    [sent] = http.requests
    assert sent["headers"]["Idempotency-Key"] == "mercato-payment-abc"
    assert sent["data"] == {
        "amount": "2500",
        "currency": "eur",
        "payment_method_types[0]": "card",
        "metadata[purpose_reference]": "cart:42",
        "transfer_group": "cart:42",
    }
    assert (result.provider_payment_id, result.status) == ("pi_123", PaymentStatus.REQUIRES_ACTION)
    assert (result.amount_minor, result.currency) == (2500, "EUR")
    assert result.client_secret == "pi_123_secret_abc"
    with pytest.raises(ProviderRejected):
        await adapter.create_payment(
            CreatePaymentRequest(2500, "EUR", PaymentMethod.BANK_TRANSFER, "k", "http://x/")
        )


async def test_refunds_transfers_and_payouts_send_what_stripe_expects(adapter, http):
    http.stub(
        "post",
        "/v1/refunds",
        {"id": "re_1", "object": "refund", "amount": 700, "currency": "eur", "status": "succeeded"},
    )
    refund = await adapter.refund_payment(
        RefundRequest("pi_123", 700, "EUR", "refund:1", reverse_transfer=True)
    )
    assert (refund.provider_refund_id, refund.status, refund.amount_minor) == (
        "re_1",
        "succeeded",
        700,
    )
    assert http.requests[-1]["data"] == {
        "payment_intent": "pi_123",
        "amount": "700",
        "reason": "requested_by_customer",
        "reverse_transfer": "true",
    }
    assert http.requests[-1]["headers"]["Idempotency-Key"] == "refund:1"

    http.stub("get", "/v1/payment_intents/pi_123", intent("succeeded"))
    http.stub(
        "post",
        "/v1/transfers",
        {
            "id": "tr_1",
            "object": "transfer",
            "amount": 1800,
            "currency": "eur",
            "destination": "acct_seller",
        },
    )
    transfer = await adapter.create_transfer(
        TransferRequest(1800, "EUR", "acct_seller", "release:order:1", "cart:42", "pi_123")
    )
    assert transfer.provider_transfer_id == "tr_1"
    assert http.requests[-1]["data"] == {
        "amount": "1800",
        "currency": "eur",
        "destination": "acct_seller",
        "transfer_group": "cart:42",
        "source_transaction": "ch_123",
    }
    assert http.requests[-1]["headers"]["Idempotency-Key"] == "release:order:1"

    http.stub(
        "post",
        "/v1/payouts",
        {
            "id": "po_1",
            "object": "payout",
            "amount": 1800,
            "currency": "eur",
            "status": "in_transit",
        },
    )
    payout = await adapter.create_payout(
        PayoutRequest(1800, "EUR", "acct_seller", "payout:1", {"seller": "s1"})
    )
    assert (payout.provider_payout_id, payout.status) == ("po_1", "pending")
    assert http.requests[-1]["headers"]["Stripe-Account"] == "acct_seller"
    assert http.requests[-1]["headers"]["Idempotency-Key"] == "payout:1"
    assert http.requests[-1]["data"] == {
        "amount": "1800",
        "currency": "eur",
        "metadata[seller]": "s1",
    }


async def test_retrieving_expands_the_charge_for_the_card_facts(adapter, http):
    charge = {
        "id": "ch_123",
        "object": "charge",
        "payment_method": "pm_abc",
        "payment_method_details": {
            "type": "card",
            "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2034},
        },
    }
    http.stub("get", "/v1/payment_intents/pi_123", intent("succeeded", latest_charge=charge))
    result = await adapter.retrieve_payment("pi_123")
    assert http.requests[-1]["query"] == {"expand[0]": "latest_charge"}
    assert result.status is PaymentStatus.SUCCEEDED
    assert result.card is not None
    assert (result.card.token, result.card.brand, result.card.last4) == ("pm_abc", "visa", "4242")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, {"error": {"type": "api_error", "message": "boom"}}, ProviderUnavailable),
        (429, {"error": {"type": "rate_limit_error", "message": "slow"}}, ProviderUnavailable),
        (
            400,
            {"error": {"type": "idempotency_error", "message": "key reused"}},
            IdempotencyMismatch,
        ),
        (
            402,
            {"error": {"type": "card_error", "code": "card_declined", "message": "declined"}},
            ProviderRejected,
        ),
        (400, {"error": {"type": "invalid_request_error", "message": "bad"}}, ProviderRejected),
        (
            401,
            {"error": {"type": "invalid_request_error", "message": "bad key"}},
            ProviderUnavailable,
        ),
    ],
)
async def test_stripe_errors_become_ours(adapter, http, status, body, error):
    http.stub("post", "/v1/payment_intents/pi_123/capture", body, status=status)
    with pytest.raises(error):
        await adapter.capture_payment("pi_123", 2500, "capture:1")


def test_webhook_signatures_are_checked_with_the_library(adapter):
    payload = event("payment_intent.succeeded", intent("succeeded"))
    parsed = adapter.parse_webhook(payload, {"Stripe-Signature": stripe_signature(payload)})
    assert parsed.event_id == "evt_1"
    assert parsed.payment is not None and parsed.payment.status is PaymentStatus.SUCCEEDED
    # Signed with the secret being rotated out: still accepted.
    adapter.parse_webhook(payload, {"Stripe-Signature": stripe_signature(payload, OLD_SECRET)})
    refused = [
        {"Stripe-Signature": stripe_signature(payload, "whsec_forged")},
        {"Stripe-Signature": stripe_signature(payload, timestamp=int(time.time()) - 330)},
        {"Stripe-Signature": stripe_signature(payload, timestamp=int(time.time()) + 330)},
        {"Stripe-Signature": "t=1,v0=abc"},
        {},
    ]
    for headers in refused:
        with pytest.raises(WebhookRejected):
            adapter.parse_webhook(payload, headers)
    reserialized = json.dumps(json.loads(payload), indent=2).encode()
    with pytest.raises(WebhookRejected):
        adapter.parse_webhook(reserialized, {"Stripe-Signature": stripe_signature(payload)})


async def test_a_stripe_payment_from_start_to_escrow(
    runtime: Runtime, client: httpx.AsyncClient, buyer: Principal, registered, http
):
    http.stub("post", "/v1/payment_intents", intent("requires_payment_method"))
    async with runtime.database.transaction() as session:
        started = await start_payment(
            session,
            buyer,
            Money(2500, "EUR"),
            PaymentMethod.CARD,
            "k-stripe",
            "cart:42",
            None,
            split=[("escrow:order:1", 3), ("escrow:order:2", 2)],
            provider="stripe",
        )
    assert started.payment.status is PaymentStatus.REQUIRES_ACTION
    assert started.payment.provider == "stripe"
    assert http.requests[0]["data"]["transfer_group"] == "cart:42"

    async def deliver(payload: bytes, signature: str | None = None) -> httpx.Response:
        return await client.post(
            "/api/v1/payments/webhooks/stripe",
            content=payload,
            headers={
                "Stripe-Signature": signature or stripe_signature(payload),
                "Content-Type": "application/json",
            },
        )

    mismatch = event("payment_intent.succeeded", intent("succeeded", amount=2400), "evt_bad")
    assert (await deliver(mismatch)).status_code == 422
    forged = event("payment_intent.succeeded", intent("succeeded"), "evt_forged")
    assert (await deliver(forged, stripe_signature(forged, "whsec_forged"))).status_code == 400
    processing = event("payment_intent.processing", intent("processing"), "evt_2")
    succeeded = event("payment_intent.succeeded", intent("succeeded"), "evt_3")
    for payload in (succeeded, processing, succeeded):  # out of order, and twice
        assert (await deliver(payload)).status_code == 200
    async with runtime.database.reading() as session:
        payment = await service.get_payment(session, buyer, started.payment.id)
        assert payment.status is PaymentStatus.SUCCEEDED
        assert await balance(session, "escrow:order:1", "EUR") == Money(1500, "EUR")
        assert await balance(session, "escrow:order:2", "EUR") == Money(1000, "EUR")
        assert await balance(session, "provider:stripe:clearing", "EUR") == Money(-2500, "EUR")
