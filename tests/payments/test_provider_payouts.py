"""Payouts through the provider: the sandbox pays every account but its documented closed test
IBAN, answers a repeated key with its first result, refuses the key with other parameters, and
reports each outcome with a webhook event."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from mercato.kit.errors import ValidationFailed
from mercato.kit.runtime import Runtime
from mercato.payments import Posting, clearing_account, post_journal
from mercato.payments.models import SandboxEvent
from mercato.payments.providers.base import IdempotencyMismatch
from mercato.payments.providers.sandbox.provider import FAILING_PAYOUT_IBAN
from mercato.payments.service import available_seller_balances, send_payout

GOOD_IBAN = "DE89370400440532013000"


async def pay(runtime: Runtime, destination: str, key: str, amount: int = 2500):
    async with runtime.database.transaction() as session:
        return await send_payout(
            session,
            "sandbox",
            amount_minor=amount,
            currency="EUR",
            destination=destination,
            idempotency_key=key,
        )


async def event_types(runtime: Runtime) -> list[str]:
    async with runtime.database.reading() as session:
        rows = await session.execute(select(SandboxEvent.type).order_by(SandboxEvent.created_at))
        return list(rows.scalars())


async def test_sandbox_pays_and_repeats_the_first_answer(runtime):
    first = await pay(runtime, GOOD_IBAN, "payout:a")
    again = await pay(runtime, GOOD_IBAN, "payout:a")
    assert (first.status, first.amount_minor, first.currency, first.failure_code) == (
        "paid",
        2500,
        "EUR",
        None,
    )
    assert again == first
    assert await event_types(runtime) == ["payout.paid"]
    with pytest.raises(IdempotencyMismatch):
        await pay(runtime, GOOD_IBAN, "payout:a", amount=2600)


async def test_closed_test_iban_fails_deterministically(runtime):
    failed = await pay(runtime, FAILING_PAYOUT_IBAN, "payout:b")
    assert (failed.status, failed.failure_code, failed.failure_message) == (
        "failed",
        "account_closed",
        "The bank account is closed (sandbox test IBAN).",
    )
    assert await pay(runtime, FAILING_PAYOUT_IBAN, "payout:b") == failed
    assert await event_types(runtime) == ["payout.failed"]


@pytest.mark.parametrize("amount", [0, -5])
async def test_non_positive_payouts_are_refused(runtime, amount):
    with pytest.raises(ValidationFailed) as refused:
        await pay(runtime, GOOD_IBAN, "payout:c", amount=amount)
    assert refused.value.detail == "A payout moves a positive amount."
    assert await event_types(runtime) == []


async def test_available_seller_balances_lists_positive_ones(runtime):
    seller = uuid.UUID(int=7)
    async with runtime.database.transaction() as session:
        postings = [
            Posting(clearing_account("sandbox"), -1200, "EUR"),
            Posting(f"seller:{seller}:available", 1000, "EUR"),
            Posting(f"seller:{seller}:pending", 200, "EUR"),
        ]
        await post_journal(session, "fund-7", "adjustment", postings, "test:7")
        found = await available_seller_balances(session)
    assert [(b.seller_id, b.currency, b.amount_minor) for b in found] == [(seller, "EUR", 1000)]
