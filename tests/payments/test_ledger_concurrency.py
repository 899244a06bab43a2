"""Concurrent journals on PostgreSQL, with real separate transactions: an escrow account is
never overdrawn and a key is posted once, however many requests race.

The ledger is append-only (its rows cannot be deleted), so this test runs in a schema of its
own, created and dropped around it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mercato.payments import Posting, post_journal
from mercato.payments.service import InsufficientFunds, balance, check_ledger
from tests.fixtures.postgres import migrated_schema

pytestmark = pytest.mark.postgres


@pytest.fixture
async def sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with migrated_schema("payments_race", pool_size=12) as engine:
        yield async_sessionmaker(engine, expire_on_commit=False)


async def post_alone(
    sessions: async_sessionmaker[AsyncSession], key: str, postings: list[Posting]
) -> str:
    async with sessions() as session, session.begin():
        try:
            journal = await post_journal(session, key, "escrow_release", postings, "order:c")
        except InsufficientFunds:
            return "refused"
        return str(journal.id)


async def test_racing_releases_never_overdraw_escrow(sessions):
    capture = [
        Posting("provider:sandbox:clearing", -100, "EUR"),
        Posting("escrow:order:c", 100, "EUR"),
    ]
    async with sessions() as session, session.begin():
        await post_journal(session, "capture", "payment_capture", capture, "order:c")
    release = [Posting("escrow:order:c", -30, "EUR"), Posting("seller:s:available", 30, "EUR")]
    outcomes = await asyncio.gather(
        *(post_alone(sessions, f"release-{i}", release) for i in range(10))
    )
    assert outcomes.count("refused") == 7
    async with sessions() as session:
        assert (await balance(session, "escrow:order:c", "EUR")).amount_minor == 10
        assert (await balance(session, "seller:s:available", "EUR")).amount_minor == 90
        report = await check_ledger(session)
    assert report.ok, report.violations
    assert report.journals == 4


async def test_racing_posts_of_one_key_write_one_journal(sessions):
    capture = [
        Posting("provider:sandbox:clearing", -55, "EUR"),
        Posting("escrow:order:c", 55, "EUR"),
    ]
    ids = await asyncio.gather(*(post_alone(sessions, "same-key", capture) for _ in range(10)))
    assert len(set(ids)) == 1
    async with sessions() as session:
        assert (await balance(session, "escrow:order:c", "EUR")).amount_minor == 55
        report = await check_ledger(session)
    assert report.ok, report.violations
    assert report.journals == 1
