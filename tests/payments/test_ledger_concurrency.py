"""Concurrent journals on PostgreSQL, with real separate transactions: an escrow account is
never overdrawn and a key is posted once, however many requests race.

The ledger is append-only (its rows cannot be deleted), so this test runs in a schema of its
own, created and dropped around it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from functools import partial

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mercato.kit.db import create_engine
from mercato.kit.migrate import upgrade_on
from mercato.payments import Posting, post_journal
from mercato.payments.service import InsufficientFunds, balance, check_ledger
from tests.conftest import POSTGRES_URL, require_service

pytestmark = pytest.mark.postgres
SCHEMA = f"payments_race_{os.getpid()}"


@pytest.fixture
async def sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    require_service("PostgreSQL", POSTGRES_URL)
    admin = create_engine(POSTGRES_URL, pool_size=1)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        await connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    engine = create_engine(
        POSTGRES_URL,
        pool_size=12,
        connect_args={"server_settings": {"search_path": f"{SCHEMA}, public"}},
    )
    try:
        async with engine.begin() as connection:
            await connection.run_sync(partial(upgrade_on, version_table_schema=SCHEMA))
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        await admin.dispose()


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
