"""The sandbox provider's own rules: idempotency keys, refund bounds, transfers and payouts,
and state that survives (it lives in its own tables)."""

from __future__ import annotations

import pytest

from mercato.kit import clock
from mercato.kit.runtime import Runtime
from mercato.payments.models import SandboxEvent, SandboxOperation
from mercato.payments.providers import sandbox_provider
from mercato.payments.providers.base import (
    CreatePaymentRequest,
    IdempotencyMismatch,
    PayoutRequest,
    ProviderRejected,
    RefundRequest,
    TransferRequest,
)
from mercato.payments.providers.sandbox import check_card
from mercato.payments.schemas import PaymentMethod, PaymentStatus
from tests.payments.conftest import count_rows

REQUEST = CreatePaymentRequest(
    amount_minor=1000,
    currency="EUR",
    method=PaymentMethod.CARD,
    idempotency_key="sbx-key-1",
    return_url="http://testserver/payments/return",
    metadata={"purpose_reference": "cart:1"},
)


async def paid_payment(runtime: Runtime) -> str:
    async with runtime.database.transaction() as session:
        provider = sandbox_provider(session)
        created = await provider.create_payment(REQUEST)
        card = check_card("4242424242424242", "12/34", "123", today=clock.now())
        await provider.pay_by_card(created.provider_payment_id, card)
        return created.provider_payment_id


async def test_the_same_key_returns_the_same_payment_and_other_parameters_are_refused(
    runtime: Runtime,
):
    async with runtime.database.transaction() as session:
        provider = sandbox_provider(session)
        first = await provider.create_payment(REQUEST)
        again = await provider.create_payment(REQUEST)
        assert again == first
        assert first.status is PaymentStatus.REQUIRES_ACTION
        with pytest.raises(IdempotencyMismatch):
            await provider.create_payment(
                CreatePaymentRequest(**{**REQUEST.__dict__, "amount_minor": 1001})
            )


async def test_refunds_are_bounded_by_what_was_captured(runtime: Runtime):
    payment_id = await paid_payment(runtime)
    async with runtime.database.transaction() as session:
        provider = sandbox_provider(session)
        first = await provider.refund_payment(RefundRequest(payment_id, 600, "EUR", "r1"))
        assert (first.status, first.amount_minor) == ("succeeded", 600)
        assert await provider.refund_payment(RefundRequest(payment_id, 600, "EUR", "r1")) == first
        with pytest.raises(IdempotencyMismatch):
            await provider.refund_payment(RefundRequest(payment_id, 500, "EUR", "r1"))
        with pytest.raises(ProviderRejected, match="At most 400"):
            await provider.refund_payment(RefundRequest(payment_id, 401, "EUR", "r2"))
        with pytest.raises(ProviderRejected):
            await provider.refund_payment(RefundRequest(payment_id, 100, "USD", "r3"))
        await provider.refund_payment(RefundRequest(payment_id, 400, "EUR", "r4"))
    counts = await count_rows(runtime.database, SandboxOperation)
    assert counts == {"payments_sandbox_operation": 2}


async def test_refunding_an_unpaid_payment_is_refused(runtime: Runtime):
    async with runtime.database.transaction() as session:
        provider = sandbox_provider(session)
        created = await provider.create_payment(REQUEST)
        with pytest.raises(ProviderRejected):
            await provider.refund_payment(
                RefundRequest(created.provider_payment_id, 100, "EUR", "r")
            )


async def test_transfers_and_payouts_happen_once_per_key(runtime: Runtime):
    async with runtime.database.transaction() as session:
        provider = sandbox_provider(session)
        transfer = TransferRequest(700, "EUR", "seller:1", "release:order:1", "cart:1")
        first = await provider.create_transfer(transfer)
        assert await provider.create_transfer(transfer) == first
        with pytest.raises(IdempotencyMismatch):
            await provider.create_transfer(
                TransferRequest(701, "EUR", "seller:1", "release:order:1", "cart:1")
            )
        payout = PayoutRequest(700, "EUR", "seller:1", "payout:1")
        paid = await provider.create_payout(payout)
        assert paid.status == "paid"
        assert await provider.create_payout(payout) == paid
        with pytest.raises(ProviderRejected):
            await provider.create_payout(PayoutRequest(0, "EUR", "seller:1", "payout:2"))
    counts = await count_rows(runtime.database, SandboxOperation, SandboxEvent)
    assert counts["payments_sandbox_operation"] == 2
