"""Payouts test helpers: two admitted sellers with payout accounts (the "people" of the
authorization matrix), money put on a seller's available balance by a journal of our own, and
a provider double that remembers its payouts outside the database (to simulate a crash)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import mercato.payouts.tasks  # noqa: F401  (registers the send job)
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import ServiceUnavailable
from mercato.kit.runtime import Runtime
from mercato.payments import Posting, clearing_account
from mercato.payments.models import LedgerJournal
from mercato.payments.providers import register_provider
from mercato.payments.providers.base import (
    IdempotencyMismatch,
    PaymentProvider,
    PayoutRequest,
    ProviderPayout,
    params_fingerprint,
)
from mercato.payments.providers.sandbox.provider import FAILING_PAYOUT_IBAN
from mercato.payments.service import credit_seller, seller_balances
from mercato.payments.settings import PaymentSettings, use_payment_settings
from mercato.payouts.models import Payout
from mercato.sellers.schemas import PayoutAccountIn
from mercato.sellers.service import save_payout_account
from tests.fixtures.accounts import Actor, actors
from tests.fixtures.catalog import admit

API = "/api/v1/payouts"
GOOD_IBAN = "DE89370400440532013000"
BAD_IBAN = FAILING_PAYOUT_IBAN


@dataclass
class Sellers:
    people: dict[str, Actor]
    seller_id: uuid.UUID
    other_seller_id: uuid.UUID

    def principal(self, who: str) -> Principal:
        role = {"seller": Role.SELLER, "other_seller": Role.SELLER, "buyer": Role.BUYER}.get(who)
        role = role or Role(who)
        return Principal(user_id=uuid.UUID(self.people[who].user_id or ""), role=role)

    def headers(self, who: str) -> dict[str, str]:
        return self.people[who].headers


async def set_iban(runtime: Runtime, principal: Principal, iban: str) -> None:
    async with runtime.database.transaction() as session:
        await save_payout_account(
            session, principal, PayoutAccountIn(account_holder="Test Holder", iban=iban)
        )


@pytest.fixture
async def sellers(runtime: Runtime, client: httpx.AsyncClient) -> Sellers:
    people = await actors(runtime, client)
    found = Sellers(
        people,
        await admit(runtime, people["seller"].user_id or ""),
        await admit(runtime, people["other_seller"].user_id or ""),
    )
    await set_iban(runtime, found.principal("seller"), GOOD_IBAN)
    await set_iban(runtime, found.principal("other_seller"), GOOD_IBAN)
    return found


async def fund(
    runtime: Runtime, seller_id: uuid.UUID, amount: int, key: str, currency: str = "EUR"
) -> None:
    """Money on the seller's available balance, as a release would put it there."""
    async with runtime.database.transaction() as session:
        source = [Posting(clearing_account("sandbox"), -amount, currency)]
        await credit_seller(
            session, seller_id, source, key=key, kind="adjustment", reference=f"test:{key}"
        )


async def balances_of(runtime: Runtime, seller_id: uuid.UUID, currency: str = "EUR"):
    async with runtime.database.reading() as session:
        return await seller_balances(session, seller_id, currency)


async def row_counts(runtime: Runtime) -> tuple[int, int]:
    async with runtime.database.reading() as session:
        payouts = (await session.execute(select(func.count()).select_from(Payout))).scalar_one()
        journals = (
            await session.execute(select(func.count()).select_from(LedgerJournal))
        ).scalar_one()
        return int(payouts), int(journals)


class BankDouble(PaymentProvider):
    """A provider whose memory lives outside the database, like a real one: it keeps each
    payout by idempotency key, can lose its answer once (a crash after the call), or be down."""

    name = "bank"

    def __init__(self) -> None:
        self.payouts: dict[str, tuple[str, ProviderPayout]] = {}
        self.calls = 0
        self.crash_after_next_call = False
        self.down = False
        self.answer = "paid"

    async def create_payout(self, request: PayoutRequest) -> ProviderPayout:
        self.calls += 1
        if self.down:
            raise ServiceUnavailable("The bank is down.")
        params = params_fingerprint(
            {
                "amount": request.amount_minor,
                "currency": request.currency,
                "to": request.destination,
            }
        )
        if request.idempotency_key in self.payouts:
            seen, payout = self.payouts[request.idempotency_key]
            if seen != params:
                raise IdempotencyMismatch("Other parameters.")
            return payout
        payout = ProviderPayout(
            f"po_{len(self.payouts) + 1}", self.answer, request.amount_minor, request.currency
        )
        self.payouts[request.idempotency_key] = (params, payout)
        if self.crash_after_next_call:
            self.crash_after_next_call = False
            raise RuntimeError("The process died before committing.")
        return payout

    async def create_payment(self, request: Any) -> Any:
        raise NotImplementedError

    async def retrieve_payment(self, provider_payment_id: str) -> Any:
        raise NotImplementedError

    async def capture_payment(self, *args: Any) -> Any:
        raise NotImplementedError

    async def refund_payment(self, request: Any) -> Any:
        raise NotImplementedError

    async def create_transfer(self, request: Any) -> Any:
        raise NotImplementedError

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> Any:
        raise NotImplementedError

    def event_from_payload(self, payload: dict[str, Any]) -> Any:
        raise NotImplementedError


@pytest.fixture
async def bank() -> AsyncIterator[BankDouble]:
    double = BankDouble()
    register_provider("bank", lambda session: double)
    previous = use_payment_settings(PaymentSettings(provider="bank"))
    yield double
    use_payment_settings(previous)
    register_provider("bank", None)
