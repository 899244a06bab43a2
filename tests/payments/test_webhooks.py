"""Provider webhooks: authentic, fresh and once only; any delivery order converges; a crash
between the provider call and our commit never charges twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mercato.kit import clock
from mercato.kit import jobs as jobs_module
from mercato.kit.auth import Principal
from mercato.kit.errors import NotFound
from mercato.kit.money import Money
from mercato.kit.runtime import Runtime
from mercato.payments import service, start_payment
from mercato.payments.models import Payment, WebhookInbox
from mercato.payments.providers import register_provider
from mercato.payments.providers.base import WebhookRejected
from mercato.payments.schemas import PaymentMethod, PaymentStatus
from mercato.payments.service import PaymentMismatch
from mercato.payments.settings import payment_settings
from tests.payments.conftest import count_rows, ledger_snapshot
from tests.payments.memory_provider import MemoryProvider, signed_event


@pytest.fixture
def memory() -> Iterator[MemoryProvider]:
    provider = MemoryProvider()
    previous = register_provider("memory", lambda session: provider)
    yield provider
    register_provider("memory", previous)


async def start_with(runtime: Runtime, buyer: Principal, provider: str, key: str = "k1", **kw):
    async with runtime.database.transaction() as session:
        return await start_payment(
            session,
            buyer,
            Money(kw.get("amount", 500), "EUR"),
            PaymentMethod.CARD,
            key,
            "cart:9",
            None,
            provider=provider,
        )


async def receive(runtime: Runtime, provider: str, body: bytes, headers: dict[str, str]):
    async with runtime.database.transaction() as session:
        return await service.receive_webhook(session, provider, body, headers)


async def payment_row(runtime: Runtime, payment_id) -> Payment:
    async with runtime.database.reading() as session:
        payment = await session.get(Payment, payment_id)
        assert payment is not None
        session.expunge(payment)
        return payment


async def test_a_crash_after_the_provider_call_never_charges_twice(
    runtime: Runtime, buyer: Principal, memory: MemoryProvider
):
    with pytest.raises(RuntimeError, match="crash"):
        async with runtime.database.transaction() as session:
            await start_payment(
                session,
                buyer,
                Money(500, "EUR"),
                PaymentMethod.CARD,
                "k1",
                "cart:9",
                None,
                provider="memory",
            )
            raise RuntimeError("crash before our commit")
    assert await count_rows(runtime.database, Payment) == {"payments_payment": 0}
    assert len(memory.payments) == 1
    # The client retries with its Idempotency-Key: the provider answers with the first payment.
    retried = (await start_with(runtime, buyer, "memory")).payment
    assert len(memory.payments) == 1
    assert memory.calls == 2
    assert (await payment_row(runtime, retried.id)).provider_payment_id == "mem_1"


async def test_a_webhook_before_our_commit_waits_then_applies(
    runtime: Runtime, buyer: Principal, memory: MemoryProvider
):
    body, headers = signed_event("evt_early", "mem_1", "succeeded", 500)
    receipt = await receive(runtime, "memory", body, headers)
    assert receipt.outcome == "pending"
    payment = (await start_with(runtime, buyer, "memory")).payment
    assert payment.status is PaymentStatus.SUCCEEDED
    async with runtime.database.reading() as session:
        inbox = (await session.execute(select(WebhookInbox))).scalar_one()
        assert (inbox.outcome, inbox.processed_at is not None) == ("applied", True)


async def test_duplicates_are_acknowledged_without_effect(
    runtime: Runtime, buyer: Principal, memory: MemoryProvider
):
    payment = (await start_with(runtime, buyer, "memory")).payment
    body, headers = signed_event("evt_1", "mem_1", "succeeded", 500)
    first = await receive(runtime, "memory", body, headers)
    before = await ledger_snapshot(runtime.database)
    second = await receive(runtime, "memory", body, headers)
    assert (first.outcome, first.duplicate) == ("applied", False)
    assert (second.outcome, second.duplicate) == ("applied", True)
    assert await ledger_snapshot(runtime.database) == before
    assert (await payment_row(runtime, payment.id)).status == "succeeded"


@pytest.mark.parametrize(
    ("amount", "currency"), [(499, "EUR"), (501, "EUR"), (500, "USD"), (50000, "JPY")]
)
async def test_an_amount_or_currency_mismatch_is_refused_and_recorded(
    runtime: Runtime, buyer: Principal, memory: MemoryProvider, amount: int, currency: str
):
    payment = (await start_with(runtime, buyer, "memory")).payment
    body, headers = signed_event("evt_bad", "mem_1", "succeeded", amount, currency)
    with pytest.raises(PaymentMismatch) as refused:
        await receive(runtime, "memory", body, headers)
    assert refused.value.status == 422
    assert (await payment_row(runtime, payment.id)).status == "processing"
    assert (await ledger_snapshot(runtime.database)).journals == []
    async with runtime.database.reading() as session:
        inbox = (await session.execute(select(WebhookInbox))).scalar_one()
        assert inbox.outcome == "refused"
        assert "for a payment of EUR 5.00" in (inbox.detail or "")


@pytest.mark.parametrize(
    "case", ["forged", "other-secret", "tampered", "replayed", "future", "none"]
)
async def test_unauthentic_or_stale_webhooks_are_refused_and_not_stored(
    runtime: Runtime, client: httpx.AsyncClient, buyer: Principal, case: str
):
    secret = payment_settings().resolved_sandbox_secret()
    now = clock.now()
    at = {"replayed": now - timedelta(seconds=330), "future": now + timedelta(seconds=330)}
    body, headers = signed_event(
        "evt_x",
        "sbx_pay_x",
        "succeeded",
        500,
        at=at.get(case, now),
        secret="wrong" if case == "other-secret" else secret,
        header="Sandbox-Signature",
    )
    if case == "forged":
        headers = {"Sandbox-Signature": f"t={int(now.timestamp())},v1={'ab' * 32}"}
    if case == "tampered":
        body = body.replace(b"500", b"5000")
    if case == "none":
        headers = {}
    response = await client.post(
        "/api/v1/payments/webhooks/sandbox",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/webhook-rejected"
    assert await count_rows(runtime.database, WebhookInbox) == {"payments_webhook_inbox": 0}


async def test_webhooks_for_an_unknown_provider_are_not_found(runtime: Runtime):
    with pytest.raises(NotFound):
        await receive(runtime, "nope", b"{}", {})
    with pytest.raises(WebhookRejected):
        await receive(runtime, "sandbox", b"{}", {"Sandbox-Signature": "t=1,v1=00"})


async def test_events_that_are_not_about_a_payment_or_payout_are_ignored(runtime: Runtime):
    secret = payment_settings().resolved_sandbox_secret()
    body, headers = signed_event(
        "evt_customer", "x", "succeeded", 1, secret=secret, header="Sandbox-Signature"
    )
    body = body.replace(b'"object": "payment"', b'"object": "customer"')
    from mercato.payments.providers import signing

    headers = {
        "Sandbox-Signature": signing.signature_header(secret, int(clock.now().timestamp()), body)
    }
    receipt = await receive(runtime, "sandbox", body, headers)
    assert receipt.outcome == "ignored"


# --- convergence -----------------------------------------------------------------------------

FLOWS = {
    "card": ("4242424242424242", None),
    "challenge-denied": ("4000000000003220", False),
    "fails-later": ("4000000000000341", None),
    "bank-transfer": (None, None),
}


async def _prepare(runtime: Runtime, buyer: Principal, flow: str) -> dict[str, Any]:
    """Run the sandbox side of a payment to its end while holding every webhook back."""
    number, approve = FLOWS[flow]
    held = jobs_module.InProcessBackend(eager=False)
    previous = jobs_module.install_backend(held)
    try:
        method = PaymentMethod.BANK_TRANSFER if number is None else PaymentMethod.CARD
        async with runtime.database.transaction() as session:
            started = await start_payment(
                session,
                buyer,
                Money(999, "KWD"),
                method,
                f"conv-{flow}",
                f"cart:{flow}",
                None,
                split=[("escrow:order:x", 2), ("escrow:order:y", 1)],
            )
        payment_id = started.payment.id
        provider_id = (await payment_row(runtime, payment_id)).provider_payment_id
        assert provider_id is not None
        async with runtime.database.transaction() as session:
            if number is not None:
                await service.pay_by_card(session, provider_id, number, "12/34", "123")
            if approve is not None:
                await service.decide_challenge(session, provider_id, approve=approve)
            if flow in ("fails-later", "bank-transfer"):
                await service.settle_sandbox_payment(session, provider_id)
        async with runtime.database.reading() as session:
            deliveries = await service.pending_sandbox_deliveries(session)
    finally:
        jobs_module.install_backend(previous)
    return {"payment_id": payment_id, "deliveries": deliveries}


async def _outcome(runtime: Runtime, prepared: dict[str, Any], order: list[int]) -> Any:
    """Deliver the webhooks in ``order`` (indexes, repeats allowed) in a throwaway savepoint
    and describe the resulting payment and ledger."""
    session = runtime.database.session()
    try:
        for index in order:
            delivery = prepared["deliveries"][index]
            await service.receive_webhook(session, "sandbox", delivery.body, delivery.headers)
        payment = await session.get(Payment, prepared["payment_id"], populate_existing=True)
        assert payment is not None
        journals = await service.journals_for(session, f"payment:{payment.id}")
        return (
            payment.status,
            payment.card_last4,
            payment.failure_code,
            [
                (j.idempotency_key, [(p.account, p.amount_minor) for p in j.postings])
                for j in journals
            ],
        )
    finally:
        await session.rollback()
        await session.close()


@pytest.mark.parametrize("flow", list(FLOWS))
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_any_order_and_duplicates_of_webhooks_converge(
    runtime: Runtime, buyer: Principal, flow: str, data: st.DataObject
):
    # Prepared once per test (hypothesis runs many examples on the same fixtures).
    cache: dict[str, Any] = runtime.__dict__.setdefault("_convergence", {})
    if flow not in cache:
        cache[flow] = await _prepare(runtime, buyer, flow)
    prepared = cache[flow]
    count = len(prepared["deliveries"])
    assert count >= 2
    expected = await _outcome(runtime, prepared, list(range(count)))
    order = data.draw(st.permutations(list(range(count))))
    duplicates = data.draw(st.lists(st.integers(0, count - 1), max_size=4))
    positions = data.draw(
        st.lists(st.integers(0, count + 4), min_size=len(duplicates), max_size=len(duplicates))
    )
    shuffled = list(order)
    for duplicate, position in zip(duplicates, positions, strict=True):
        shuffled.insert(min(position, len(shuffled)), duplicate)
    assert await _outcome(runtime, prepared, shuffled) == expected
    status = expected[0]
    assert status == ("succeeded" if flow in ("card", "bank-transfer") else "failed")
    if status == "succeeded":
        assert expected[3] == [
            (
                f"payment:{prepared['payment_id']}:capture",
                [
                    ("provider:sandbox:clearing", -999),
                    ("escrow:order:x", 666),
                    ("escrow:order:y", 333),
                ],
            )
        ]
    else:
        assert expected[3] == []
