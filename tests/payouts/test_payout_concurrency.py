"""Concurrent payouts on PostgreSQL, with real separate transactions: however many requests
race, a seller is never paid more than its available balance, and one Idempotency-Key makes
one payout. The ledger is append-only, so this runs in a schema of its own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, update

from mercato.accounts.service import create_user_with_role
from mercato.kit.auth import Principal, Role
from mercato.kit.db import Database
from mercato.kit.runtime import Runtime, build_runtime, install_runtime
from mercato.payments import Posting, clearing_account
from mercato.payments.service import check_ledger, credit_seller, seller_balances
from mercato.payouts import service
from mercato.payouts.models import Payout
from mercato.payouts.schemas import PayoutRequestIn
from mercato.payouts.service import PayoutRefused
from mercato.sellers.models import Seller
from mercato.sellers.schemas import PayoutAccountIn
from mercato.sellers.service import open_application, save_payout_account
from tests.conftest import POSTGRES_URL
from tests.fixtures.postgres import migrated_schema
from tests.payouts.conftest import GOOD_IBAN

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_runtime(settings) -> AsyncIterator[Runtime]:
    async with migrated_schema("payouts_race", pool_size=12) as engine:
        try:
            yield build_runtime(settings, database=Database(POSTGRES_URL, engine=engine))
        finally:
            install_runtime(None)


async def funded_seller(runtime: Runtime, amount: int) -> tuple[Principal, uuid.UUID]:
    async with runtime.database.transaction() as session:
        user = await create_user_with_role(
            session, "racer@example.com", "correct-horse-battery", "Racer", Role.SELLER
        )
        seller = await open_application(session, user.id, "Racer Shop")
        await session.execute(
            update(Seller).where(Seller.id == seller.id).values(status="admitted")
        )
    principal = Principal(user_id=user.id, role=Role.SELLER)
    async with runtime.database.transaction() as session:
        await save_payout_account(
            session, principal, PayoutAccountIn(account_holder="Racer", iban=GOOD_IBAN)
        )
        source = [Posting(clearing_account("sandbox"), -amount, "EUR")]
        await credit_seller(
            session, seller.id, source, key="fund", kind="adjustment", reference="test:fund"
        )
    return principal, seller.id


async def request(runtime: Runtime, principal: Principal, amount: int, key: str) -> str:
    try:
        async with runtime.database.transaction() as session:
            data = PayoutRequestIn(amount_minor=amount, currency="EUR")
            result = await service.request_payout(session, principal, data, key)
    except PayoutRefused:
        return "refused"
    return str(result.payout.id)


async def test_racing_payouts_never_overdraw(pg_runtime):
    principal, seller_id = await funded_seller(pg_runtime, 10_000)
    outcomes = await asyncio.gather(
        *(request(pg_runtime, principal, 3000, f"race-{i}") for i in range(6))
    )
    assert outcomes.count("refused") == 3
    async with pg_runtime.database.reading() as session:
        balances = await seller_balances(session, seller_id, "EUR")
        paid = (await session.execute(select(func.sum(Payout.amount_minor)))).scalar_one()
        report = await check_ledger(session)
    assert (balances.available_minor, balances.in_transit_minor, paid) == (1000, 0, 9000)
    assert report.ok, report.violations


async def test_double_click_race_makes_one_payout(pg_runtime):
    principal, seller_id = await funded_seller(pg_runtime, 10_000)
    outcomes = await asyncio.gather(
        *(request(pg_runtime, principal, 2500, "same-click") for _ in range(4))
    )
    assert len(set(outcomes)) == 1 and outcomes[0] != "refused"
    async with pg_runtime.database.reading() as session:
        count = (await session.execute(select(func.count()).select_from(Payout))).scalar_one()
        balances = await seller_balances(session, seller_id, "EUR")
        report = await check_ledger(session)
    assert (count, balances.available_minor) == (1, 7500)
    assert report.ok, report.violations
