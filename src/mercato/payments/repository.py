"""All SQL of the payments domain."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.kit import clock
from mercato.kit.ids import new_id
from mercato.kit.repository import Slice, newest_first
from mercato.payments.models import (
    LedgerBalance,
    LedgerJournal,
    LedgerPosting,
    Payment,
    PaymentTransition,
    SandboxCardToken,
    SandboxEvent,
    SandboxOperation,
    SandboxPayment,
    WebhookInbox,
)

# --- ledger --------------------------------------------------------------------------------------


async def get_journal_by_key(session: AsyncSession, key: str) -> LedgerJournal | None:
    statement = (
        select(LedgerJournal)
        .where(LedgerJournal.idempotency_key == key)
        .options(selectinload(LedgerJournal.postings))
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def get_journal(session: AsyncSession, journal_id: uuid.UUID) -> LedgerJournal | None:
    statement = (
        select(LedgerJournal)
        .where(LedgerJournal.id == journal_id)
        .options(selectinload(LedgerJournal.postings))
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def get_reversal_of(session: AsyncSession, journal_id: uuid.UUID) -> LedgerJournal | None:
    statement = (
        select(LedgerJournal)
        .where(LedgerJournal.reverses_journal_id == journal_id)
        .options(selectinload(LedgerJournal.postings))
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def journals_by_reference(session: AsyncSession, reference: str) -> list[LedgerJournal]:
    statement = (
        select(LedgerJournal)
        .where(LedgerJournal.reference == reference)
        .options(selectinload(LedgerJournal.postings))
        .order_by(LedgerJournal.id)
    )
    return list((await session.execute(statement)).scalars())


async def journals_touching(session: AsyncSession, account: str) -> list[LedgerJournal]:
    """Every journal with a posting on ``account``, oldest first."""
    touching = select(LedgerPosting.journal_id).where(LedgerPosting.account == account)
    statement = (
        select(LedgerJournal)
        .where(LedgerJournal.id.in_(touching))
        .options(selectinload(LedgerJournal.postings))
        .order_by(LedgerJournal.id)
    )
    return list((await session.execute(statement)).scalars())


async def list_journals(
    session: AsyncSession, *, reference: str | None, cursor: str | None, limit: int
) -> Slice[LedgerJournal]:
    statement = select(LedgerJournal).options(selectinload(LedgerJournal.postings))
    if reference:
        statement = statement.where(LedgerJournal.reference == reference)
    return await newest_first(session, statement, LedgerJournal.id, cursor=cursor, limit=limit)


async def add_balance_changes(
    session: AsyncSession, changes: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """Add each change to its cached balance (creating the row) and return the new balances.

    Rows are touched in sorted order, so two journals on the same accounts never deadlock."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = clock.now()
    balances = {}
    for (account, currency), delta in sorted(changes.items()):
        values = insert(LedgerBalance).values(
            id=new_id(), account=account, currency=currency, balance_minor=delta, updated_at=now
        )
        statement = values.on_conflict_do_update(
            index_elements=["account", "currency"],
            set_={
                "balance_minor": LedgerBalance.balance_minor + values.excluded.balance_minor,
                "updated_at": now,
            },
        ).returning(LedgerBalance.balance_minor)
        balances[(account, currency)] = (await session.execute(statement)).scalar_one()
    return balances


async def sum_of_postings(session: AsyncSession, account: str, currency: str) -> int:
    statement = select(func.coalesce(func.sum(LedgerPosting.amount_minor), 0)).where(
        LedgerPosting.account == account, LedgerPosting.currency == currency
    )
    return int((await session.execute(statement)).scalar_one())


async def cached_balance(session: AsyncSession, account: str, currency: str) -> int | None:
    statement = select(LedgerBalance.balance_minor).where(
        LedgerBalance.account == account, LedgerBalance.currency == currency
    )
    value = (await session.execute(statement)).scalar_one_or_none()
    return None if value is None else int(value)


async def list_balances(
    session: AsyncSession, *, prefix: str, currency: str | None, limit: int
) -> list[LedgerBalance]:
    statement = select(LedgerBalance).order_by(LedgerBalance.account, LedgerBalance.currency)
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(LedgerBalance.account.like(f"{escaped}%", escape="\\"))
    if currency:
        statement = statement.where(LedgerBalance.currency == currency)
    return list((await session.execute(statement.limit(limit))).scalars())


# --- ledger integrity (``mercato payments ledger-check``) ----------------------------------------


@dataclass(frozen=True)
class LedgerCounts:
    journals: int
    postings: int
    balances: int


async def ledger_counts(session: AsyncSession) -> LedgerCounts:
    journals = (await session.execute(select(func.count()).select_from(LedgerJournal))).scalar_one()
    postings = (await session.execute(select(func.count()).select_from(LedgerPosting))).scalar_one()
    balances = (await session.execute(select(func.count()).select_from(LedgerBalance))).scalar_one()
    return LedgerCounts(journals, postings, balances)


async def unbalanced_journals(session: AsyncSession) -> list[tuple[str, str, int]]:
    """(journal key, currency, sum) of every journal whose postings do not sum to zero."""
    total = func.sum(LedgerPosting.amount_minor)
    statement = (
        select(LedgerJournal.idempotency_key, LedgerPosting.currency, total)
        .join(LedgerPosting, LedgerPosting.journal_id == LedgerJournal.id)
        .group_by(LedgerJournal.id, LedgerJournal.idempotency_key, LedgerPosting.currency)
        .having(total != 0)
        .order_by(LedgerJournal.idempotency_key)
    )
    return [
        (key, currency, int(value)) for key, currency, value in await session.execute(statement)
    ]


async def malformed_journals(session: AsyncSession) -> list[tuple[str, int, int]]:
    """(journal key, posting count, zero postings) of journals with under two postings or a
    zero posting."""
    count = func.count(LedgerPosting.id)
    zeros = func.sum(case((LedgerPosting.amount_minor == 0, 1), else_=0))
    statement = (
        select(LedgerJournal.idempotency_key, count, zeros)
        .outerjoin(LedgerPosting, LedgerPosting.journal_id == LedgerJournal.id)
        .group_by(LedgerJournal.id, LedgerJournal.idempotency_key)
        .having(or_(count < 2, zeros > 0))
        .order_by(LedgerJournal.idempotency_key)
    )
    return [(key, int(n), int(z or 0)) for key, n, z in await session.execute(statement)]


def _posting_sums() -> Any:
    return (
        select(
            LedgerPosting.account.label("account"),
            LedgerPosting.currency.label("currency"),
            func.sum(LedgerPosting.amount_minor).label("total"),
        )
        .group_by(LedgerPosting.account, LedgerPosting.currency)
        .subquery()
    )


async def balance_mismatches(session: AsyncSession) -> list[tuple[str, str, int | None, int]]:
    """(account, currency, cached, sum of postings) wherever they differ (a missing cache row
    counts as a difference unless the sum is zero)."""
    sums = _posting_sums()
    cached_rows: Select[Any] = (
        select(
            LedgerBalance.account,
            LedgerBalance.currency,
            LedgerBalance.balance_minor,
            func.coalesce(sums.c.total, 0),
        )
        .outerjoin(
            sums,
            and_(
                sums.c.account == LedgerBalance.account, sums.c.currency == LedgerBalance.currency
            ),
        )
        .where(LedgerBalance.balance_minor != func.coalesce(sums.c.total, 0))
    )
    uncached_rows: Select[Any] = (
        select(sums.c.account, sums.c.currency, sums.c.total)
        .outerjoin(
            LedgerBalance,
            and_(
                sums.c.account == LedgerBalance.account, sums.c.currency == LedgerBalance.currency
            ),
        )
        .where(LedgerBalance.id.is_(None), sums.c.total != 0)
    )
    found: list[tuple[str, str, int | None, int]] = [
        (account, currency, int(cached), int(total))
        for account, currency, cached, total in await session.execute(cached_rows)
    ]
    found += [
        (account, currency, None, int(total))
        for account, currency, total in await session.execute(uncached_rows)
    ]
    return sorted(found)


async def negative_protected_balances(session: AsyncSession) -> list[tuple[str, str, int]]:
    """(account, currency, sum) of escrow and seller-available accounts below zero."""
    sums = _posting_sums()
    statement = (
        select(sums.c.account, sums.c.currency, sums.c.total)
        .where(
            sums.c.total < 0,
            or_(
                sums.c.account.like("escrow:%"),
                and_(sums.c.account.like("seller:%"), sums.c.account.like("%:available")),
            ),
        )
        .order_by(sums.c.account, sums.c.currency)
    )
    return [(a, c, int(t)) for a, c, t in await session.execute(statement)]


async def currency_totals(session: AsyncSession) -> list[tuple[str, int]]:
    """(currency, sum of every posting) where it is not zero."""
    total = func.sum(LedgerPosting.amount_minor)
    statement = (
        select(LedgerPosting.currency, total)
        .group_by(LedgerPosting.currency)
        .having(total != 0)
        .order_by(LedgerPosting.currency)
    )
    return [(currency, int(value)) for currency, value in await session.execute(statement)]


# --- payments ------------------------------------------------------------------------------------


async def get_payment(
    session: AsyncSession, payment_id: uuid.UUID, *, for_update: bool = False
) -> Payment | None:
    statement = select(Payment).where(Payment.id == payment_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def get_payment_by_key(
    session: AsyncSession, payer_id: uuid.UUID, key: str
) -> Payment | None:
    statement = select(Payment).where(Payment.payer_id == payer_id, Payment.idempotency_key == key)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_payment_by_provider_id(
    session: AsyncSession, provider: str, provider_payment_id: str, *, for_update: bool = False
) -> Payment | None:
    statement = select(Payment).where(
        Payment.provider == provider, Payment.provider_payment_id == provider_payment_id
    )
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def list_payments(
    session: AsyncSession,
    *,
    payer_id: uuid.UUID | None,
    status: str | None,
    reference: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[Payment]:
    statement = select(Payment)
    if payer_id is not None:
        statement = statement.where(Payment.payer_id == payer_id)
    if status:
        statement = statement.where(Payment.status == status)
    if reference:
        statement = statement.where(Payment.purpose_reference == reference)
    return await newest_first(session, statement, Payment.id, cursor=cursor, limit=limit)


async def list_transitions(session: AsyncSession, payment_id: uuid.UUID) -> list[PaymentTransition]:
    statement = (
        select(PaymentTransition)
        .where(PaymentTransition.payment_id == payment_id)
        .order_by(PaymentTransition.id)
    )
    return list((await session.execute(statement)).scalars())


# --- webhook inbox -------------------------------------------------------------------------------


async def get_inbox_event(
    session: AsyncSession, provider: str, event_id: str
) -> WebhookInbox | None:
    statement = select(WebhookInbox).where(
        WebhookInbox.provider == provider, WebhookInbox.event_id == event_id
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def pending_inbox_events(
    session: AsyncSession, provider: str, provider_payment_id: str
) -> list[WebhookInbox]:
    statement = (
        select(WebhookInbox)
        .where(
            WebhookInbox.provider == provider,
            WebhookInbox.provider_payment_id == provider_payment_id,
            WebhookInbox.outcome == "pending",
        )
        .order_by(WebhookInbox.id)
    )
    return list((await session.execute(statement)).scalars())


# --- the sandbox provider's own state ---------------------------------------------------------


async def sandbox_payments_due(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    statement = (
        select(SandboxPayment.id)
        .where(SandboxPayment.settle_at <= now)
        .order_by(SandboxPayment.settle_at)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def undelivered_sandbox_events(session: AsyncSession, limit: int) -> list[SandboxEvent]:
    statement = (
        select(SandboxEvent)
        .where(SandboxEvent.delivered_at.is_(None), SandboxEvent.abandoned_at.is_(None))
        .order_by(SandboxEvent.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def get_sandbox_event(session: AsyncSession, event_id: str) -> SandboxEvent | None:
    return await session.get(SandboxEvent, event_id)


async def get_sandbox_payment(
    session: AsyncSession, payment_id: str, *, for_update: bool = False
) -> SandboxPayment | None:
    statement = select(SandboxPayment).where(SandboxPayment.id == payment_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def get_sandbox_payment_by_key(session: AsyncSession, key: str) -> SandboxPayment | None:
    statement = select(SandboxPayment).where(SandboxPayment.idempotency_key == key)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_sandbox_card_token(session: AsyncSession, token_id: str) -> SandboxCardToken | None:
    return await session.get(SandboxCardToken, token_id)


async def get_sandbox_operation(session: AsyncSession, key: str) -> SandboxOperation | None:
    statement = select(SandboxOperation).where(SandboxOperation.idempotency_key == key)
    return (await session.execute(statement)).scalar_one_or_none()
