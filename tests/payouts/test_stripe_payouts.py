"""Payouts through Stripe Connect, offline: the money is transferred to the seller's connected
account and paid out from there; the bank's later verdict arrives by signed webhook and is
applied to our payout; a failed payout takes its transfer back and returns the money to the
seller's available balance."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import stripe
from pydantic import ValidationError

from mercato.kit.errors import Conflict, NotFound
from mercato.kit.runtime import Runtime
from mercato.payments.providers import register_provider
from mercato.payments.providers.stripe import StripeProvider
from mercato.payments.settings import PaymentSettings, use_payment_settings
from mercato.payouts.schemas import PayoutRequestIn
from mercato.payouts.service import PayoutRefused, request_payout
from mercato.sellers.schemas import ProviderAccountIn
from mercato.sellers.service import set_provider_account
from tests.payments.test_stripe import SECRET, RecordedHTTPClient, event, stripe_signature
from tests.payouts.conftest import Sellers, balances_of, fund, row_counts
from tests.payouts.test_payouts_service import journal_keys, ledger_ok, payout_row

ACCOUNT = "acct_1SellerAbc"


@pytest.fixture
def http() -> RecordedHTTPClient:
    return RecordedHTTPClient()


@pytest.fixture
async def on_stripe(http: RecordedHTTPClient) -> AsyncIterator[StripeProvider]:
    client = stripe.StripeClient("sk_test_123", http_client=http, max_network_retries=0)
    adapter = StripeProvider(client, webhook_secrets=[SECRET])
    previous_provider = register_provider("stripe", lambda session: adapter)
    previous_settings = use_payment_settings(PaymentSettings(provider="stripe"))
    yield adapter
    use_payment_settings(previous_settings)
    register_provider("stripe", previous_provider)


def stub_transfer_and_payout(http: RecordedHTTPClient, amount: int, status: int = 200) -> None:
    transfer = {"id": "tr_9", "object": "transfer", "amount": amount, "currency": "eur"}
    http.stub("post", "/v1/transfers", transfer | {"destination": ACCOUNT})
    payout = {"id": "po_9", "object": "payout", "amount": amount, "currency": "eur"}
    if status == 200:
        http.stub("post", "/v1/payouts", payout | {"status": "pending"})
    else:
        refusal = {"error": {"type": "invalid_request_error", "message": "No external account."}}
        http.stub("post", "/v1/payouts", refusal, status=status)
        http.stub("post", "/v1/transfers/tr_9/reversals", {"id": "trr_1", "object": "x"})


async def connect(runtime: Runtime, sellers: Sellers, account: str = ACCOUNT) -> None:
    async with runtime.database.transaction() as session:
        await set_provider_account(
            session,
            sellers.principal("admin"),
            sellers.seller_id,
            ProviderAccountIn(account_id=account),
        )


async def ask(runtime: Runtime, sellers: Sellers, amount: int):
    async with runtime.database.transaction() as session:
        return await request_payout(
            session,
            sellers.principal("seller"),
            PayoutRequestIn(amount_minor=amount, currency="EUR"),
            f"stripe-{amount}",
        )


async def deliver(client: httpx.AsyncClient, status: str, event_id: str, **extra: str) -> None:
    body = event(
        f"payout.{status}",
        {"id": "po_9", "object": "payout", "amount": 3000, "currency": "eur", "status": status}
        | extra,
        event_id,
    )
    response = await client.post(
        "/api/v1/payments/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": stripe_signature(body), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


async def test_a_payout_goes_to_the_connected_account_and_the_webhook_settles_it(
    runtime: Runtime, client: httpx.AsyncClient, sellers: Sellers, on_stripe, http
):
    await connect(runtime, sellers)
    await fund(runtime, sellers.seller_id, 5000, "f1")
    stub_transfer_and_payout(http, 3000)
    payout = (await ask(runtime, sellers, 3000)).payout
    transfer, paid_out = http.requests[-2], http.requests[-1]
    assert (transfer["path"], transfer["data"]["destination"]) == ("/v1/transfers", ACCOUNT)
    assert transfer["headers"]["Idempotency-Key"] == f"payout:{payout.id}:transfer"
    assert paid_out["headers"]["Stripe-Account"] == ACCOUNT
    assert paid_out["headers"]["Idempotency-Key"] == f"payout:{payout.id}"
    row = await payout_row(runtime, payout.id)
    assert (row.status, row.provider_payout_id, row.provider_transfer_id) == (
        "in_transit",
        "po_9",
        "tr_9",
    )
    assert (await balances_of(runtime, sellers.seller_id)).in_transit_minor == 3000
    await deliver(client, "paid", "evt_paid")
    await deliver(client, "paid", "evt_paid")  # a redelivery changes nothing
    assert (await payout_row(runtime, payout.id)).status == "paid"
    balances = await balances_of(runtime, sellers.seller_id)
    assert (balances.available_minor, balances.in_transit_minor) == (2000, 0)
    assert await journal_keys(runtime, payout.id) == [
        f"payout:{payout.id}:sent",
        f"payout:{payout.id}:paid",
    ]
    await ledger_ok(runtime)


async def test_a_payout_the_bank_refuses_later_returns_the_money_and_the_transfer(
    runtime: Runtime, client: httpx.AsyncClient, sellers: Sellers, on_stripe, http
):
    await connect(runtime, sellers)
    await fund(runtime, sellers.seller_id, 3000, "f1")
    stub_transfer_and_payout(http, 3000)
    http.stub(
        "post", "/v1/transfers/tr_9/reversals", {"id": "trr_1", "object": "transfer_reversal"}
    )
    payout = (await ask(runtime, sellers, 3000)).payout
    await deliver(
        client,
        "failed",
        "evt_failed",
        failure_code="account_closed",
        failure_message="The bank account has been closed.",
    )
    row = await payout_row(runtime, payout.id)
    assert (row.status, row.failure_code, row.failure_message) == (
        "failed",
        "account_closed",
        "The bank account has been closed.",
    )
    reversal = http.requests[-1]
    assert (reversal["path"], reversal["data"]) == (
        "/v1/transfers/tr_9/reversals",
        {"amount": "3000"},
    )
    assert reversal["headers"]["Idempotency-Key"] == f"payout:{payout.id}:reversal"
    balances = await balances_of(runtime, sellers.seller_id)
    assert (balances.available_minor, balances.in_transit_minor) == (3000, 0)
    await deliver(client, "paid", "evt_late_paid")  # a failed payout never turns paid
    assert (await payout_row(runtime, payout.id)).status == "failed"
    await ledger_ok(runtime)


async def test_a_payout_stripe_refuses_outright_takes_the_transfer_back_at_once(
    runtime: Runtime, sellers: Sellers, on_stripe, http
):
    await connect(runtime, sellers)
    await fund(runtime, sellers.seller_id, 3000, "f1")
    stub_transfer_and_payout(http, 3000, status=400)
    payout = (await ask(runtime, sellers, 3000)).payout
    assert [r["path"] for r in http.requests] == [
        "/v1/transfers",
        "/v1/payouts",
        "/v1/transfers/tr_9/reversals",
    ]
    row = await payout_row(runtime, payout.id)
    assert (row.status, row.failure_code) == ("failed", "provider_rejected")
    assert (await balances_of(runtime, sellers.seller_id)).available_minor == 3000
    await ledger_ok(runtime)


async def test_a_seller_without_a_connected_account_is_not_paid_through_stripe(
    runtime: Runtime, sellers: Sellers, on_stripe, http
):
    await fund(runtime, sellers.seller_id, 3000, "f1")
    before = await row_counts(runtime)
    with pytest.raises(PayoutRefused):
        await ask(runtime, sellers, 3000)
    assert http.requests == []
    assert await row_counts(runtime) == before


async def test_connected_accounts_are_set_by_admins_and_pay_one_seller(
    runtime: Runtime, sellers: Sellers
):
    await connect(runtime, sellers)
    async with runtime.database.transaction() as session:
        with pytest.raises(Conflict):
            await set_provider_account(
                session,
                sellers.principal("admin"),
                sellers.other_seller_id,
                ProviderAccountIn(account_id=ACCOUNT),
            )
        with pytest.raises(NotFound):
            await set_provider_account(
                session,
                sellers.principal("admin"),
                uuid.uuid4(),
                ProviderAccountIn(account_id=ACCOUNT),
            )
    with pytest.raises(ValidationError):
        ProviderAccountIn(account_id="DE89370400440532013000")
