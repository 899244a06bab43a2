"""Refunds through the provider: the payment that funded an escrow is found from its capture
journal; a refund is sent with the caller's key, and the same key is answered with the first
refund; bad input is refused before the provider is asked."""

from __future__ import annotations

import uuid

import httpx
import pytest

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.runtime import Runtime
from mercato.payments.providers.base import IdempotencyMismatch, ProviderRejected
from mercato.payments.service import payment_for_escrow, refund_payment
from tests.orders.conftest import Market, checkout, fill_cart, market, pay_group_by_card

__all__ = ["market"]


async def paid(runtime: Runtime, client: httpx.AsyncClient, market: Market) -> tuple[str, str]:
    await fill_cart(runtime, market.buyer, (market.mug_small, 1))
    placed = await checkout(client, market.headers("buyer"), key=uuid.uuid4().hex)
    assert placed.status_code == 201, placed.text
    payment_id = placed.json()["payment"]["id"]
    await pay_group_by_card(runtime, payment_id)
    return payment_id, f"escrow:order:{placed.json()['group']['orders'][0]['id']}"


async def test_the_payment_of_an_escrow_is_refunded_once_per_key(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    payment_id, escrow = await paid(runtime, client, market)
    async with runtime.database.transaction() as session:
        assert str(await payment_for_escrow(session, escrow)) == payment_id
        assert await payment_for_escrow(session, "escrow:order:unknown") is None
        first = await refund_payment(session, uuid.UUID(payment_id), 500, "refund:test:1")
        again = await refund_payment(session, uuid.UUID(payment_id), 500, "refund:test:1")
        assert (first.status, first.amount_minor, first.currency) == ("succeeded", 500, "EUR")
        assert again.provider_refund_id == first.provider_refund_id
        assert first.clearing_account == "provider:sandbox:clearing"
        with pytest.raises(IdempotencyMismatch):
            await refund_payment(session, uuid.UUID(payment_id), 600, "refund:test:1")
        with pytest.raises(ProviderRejected):  # 2290 captured, 500 refunded
            await refund_payment(session, uuid.UUID(payment_id), 1791, "refund:test:2")
        last = await refund_payment(session, uuid.UUID(payment_id), 1790, "refund:test:3")
        assert last.amount_minor == 1790


async def test_bad_refund_requests_are_refused(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    payment_id, _ = await paid(runtime, client, market)
    async with runtime.database.transaction() as session:
        with pytest.raises(NotFound):
            await refund_payment(session, uuid.uuid4(), 100, "refund:test:x")
        with pytest.raises(ValidationFailed):
            await refund_payment(session, uuid.UUID(payment_id), 0, "refund:test:y")
        with pytest.raises(ValidationFailed):
            await refund_payment(session, uuid.UUID(payment_id), 100, "  ")
    await fill_cart(runtime, market.buyer, (market.lamp, 1))
    unpaid = await checkout(client, market.headers("buyer"), key=uuid.uuid4().hex)
    async with runtime.database.transaction() as session:
        with pytest.raises(Conflict):
            await refund_payment(
                session, uuid.UUID(unpaid.json()["payment"]["id"]), 100, "refund:test:z"
            )
