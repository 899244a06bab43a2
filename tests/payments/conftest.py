"""Payments test helpers: buyers, payments through the sandbox, and ledger snapshots."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, text

import mercato.payments.tasks  # noqa: F401  (registers the payments jobs and outbox handlers)
from mercato.accounts.service import create_user_with_role
from mercato.kit.auth import Principal, Role
from mercato.kit.db import Database
from mercato.kit.runtime import Runtime
from mercato.payments.models import LedgerBalance, LedgerJournal, LedgerPosting

PASSWORD = "correct-horse-battery"


async def make_user(runtime: Runtime, role: Role = Role.BUYER, name: str = "buyer") -> Principal:
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    async with runtime.database.transaction() as session:
        user = await create_user_with_role(session, email, PASSWORD, name.title(), role)
        return Principal(user_id=user.id, role=role, email=email, display_name=name)


@pytest.fixture
async def buyer(runtime: Runtime) -> Principal:
    return await make_user(runtime)


@dataclass(frozen=True)
class LedgerSnapshot:
    journals: list[tuple[str, str, str, tuple[tuple[str, str, int], ...]]]
    balances: dict[tuple[str, str], int]


async def ledger_snapshot(database: Database) -> LedgerSnapshot:
    """Everything in the ledger, in a comparable form (ids and times left out)."""
    async with database.reading() as session:
        journals = (await session.execute(select(LedgerJournal))).scalars().all()
        postings = (await session.execute(select(LedgerPosting))).scalars().all()
        balances = (await session.execute(select(LedgerBalance))).scalars().all()
        by_journal: dict[uuid.UUID, list[tuple[str, str, int]]] = {}
        for p in postings:
            by_journal.setdefault(p.journal_id, []).append((p.account, p.currency, p.amount_minor))
        return LedgerSnapshot(
            journals=sorted(
                (j.idempotency_key, j.kind, j.reference, tuple(sorted(by_journal.get(j.id, []))))
                for j in journals
            ),
            balances={(b.account, b.currency): b.balance_minor for b in balances},
        )


async def count_rows(database: Database, *tables: Any) -> dict[str, int]:
    async with database.reading() as session:
        return {
            table.__tablename__: (
                await session.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in tables
        }


async def raw(database: Database, sql: str, **params: Any) -> None:
    async with database.transaction() as session:
        await session.execute(text(sql), params)


async def form_token(client: Any, path: str, headers: dict[str, str] | None = None) -> str:
    """The CSRF token of the form on ``path`` (sandbox pages have no htmx headers)."""
    import re

    page = await client.get(path, headers=headers)
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)
