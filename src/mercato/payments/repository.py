"""All SQL of the payments domain."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached, selectinload

from mercato.kit import clock
from mercato.kit.ids import new_id
from mercato.kit.repository import Slice, newest_first
from mercato.payments.models import (
    LedgerBalance,
    LedgerDailyCapture,
    LedgerJournal,
    LedgerPosting,
    Payment,
    PaymentTransition,
    ReconciliationMismatch,
    ReconciliationRun,
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
    """Add each change to its cached balance (creating the row) and return the new balances,
    in one statement.

    The rows are listed in sorted order and an upsert takes them in the order listed, so two
    journals on the same accounts never deadlock."""
    if not changes:
        return {}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = clock.now()
    rows = [
        {
            "id": new_id(),
            "account": account,
            "currency": currency,
            "balance_minor": delta,
            "updated_at": now,
        }
        for (account, currency), delta in sorted(changes.items())
    ]
    values = insert(LedgerBalance).values(rows)
    statement = values.on_conflict_do_update(
        index_elements=["account", "currency"],
        set_={
            "balance_minor": LedgerBalance.balance_minor + values.excluded.balance_minor,
            "updated_at": now,
        },
    ).returning(LedgerBalance.account, LedgerBalance.currency, LedgerBalance.balance_minor)
    result = await session.execute(statement)
    return {(row.account, row.currency): row.balance_minor for row in result}


async def lock_balances(
    session: AsyncSession, accounts: Sequence[str], currency: str
) -> dict[str, int]:
    """The cached balances of ``accounts``, their rows locked until the transaction ends (created
    at zero when missing), in sorted order so that two lockers never deadlock. A use case that
    reads a balance to decide what to post (a refund taking what is available, a payout) holds
    this lock so that a concurrent one cannot decide on the same money."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    ordered = sorted(set(accounts))
    now = clock.now()
    for account in ordered:
        statement = insert(LedgerBalance).values(
            id=new_id(), account=account, currency=currency, balance_minor=0, updated_at=now
        )
        await session.execute(
            statement.on_conflict_do_nothing(index_elements=["account", "currency"])
        )
    rows = await session.execute(
        select(LedgerBalance.account, LedgerBalance.balance_minor)
        .where(LedgerBalance.account.in_(ordered), LedgerBalance.currency == currency)
        .order_by(LedgerBalance.account)
        .with_for_update()
    )
    return {account: int(amount) for account, amount in rows}


async def positive_balances_like(session: AsyncSession, pattern: str) -> list[tuple[str, str, int]]:
    """(account, currency, cached balance) of the accounts matching the LIKE ``pattern`` whose
    balance is above zero, by account and currency."""
    statement = (
        select(LedgerBalance.account, LedgerBalance.currency, LedgerBalance.balance_minor)
        .where(LedgerBalance.account.like(pattern), LedgerBalance.balance_minor > 0)
        .order_by(LedgerBalance.account, LedgerBalance.currency)
    )
    return [(a, c, int(b)) for a, c, b in await session.execute(statement)]


async def payment_funding_escrow(session: AsyncSession, escrow: str) -> uuid.UUID | None:
    """The payment whose capture journal credited the escrow account ``escrow``."""
    funded = select(LedgerPosting.journal_id).where(
        LedgerPosting.account == escrow, LedgerPosting.amount_minor > 0
    )
    statement = (
        select(Payment.id)
        .where(Payment.capture_journal_id.in_(funded))
        .order_by(Payment.id)
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


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
    """(account, currency, sum) of escrow and seller-held accounts below zero."""
    sums = _posting_sums()
    statement = (
        select(sums.c.account, sums.c.currency, sums.c.total)
        .where(
            sums.c.total < 0,
            or_(
                sums.c.account.like("escrow:%"),
                and_(
                    sums.c.account.like("seller:%"),
                    or_(
                        sums.c.account.like("%:available"),
                        sums.c.account.like("%:pending"),
                        sums.c.account.like("%:payout_in_transit"),
                    ),
                ),
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


async def store_inbox_event(session: AsyncSession, inbox: WebhookInbox) -> bool:
    """Insert ``inbox`` unless its (provider, event id) is stored already, by an earlier or a
    concurrent delivery: one statement, no savepoint. False when it was there. Once stored,
    the object joins the session as a loaded row: later changes to it are flushed as updates.
    Every column must be set on ``inbox`` (None included)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {column.key: getattr(inbox, column.key) for column in WebhookInbox.__table__.columns}
    statement = (
        insert(WebhookInbox)
        .values(values)
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(WebhookInbox.id)
    )
    if (await session.execute(statement)).scalar_one_or_none() is None:
        return False
    make_transient_to_detached(inbox)
    session.add(inbox)
    return True


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


async def claim_sandbox_events(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[SandboxEvent]:
    """Claim up to ``limit`` undelivered events nobody else holds, oldest first, until
    ``lease_until``: two delivery runs at once take disjoint events (SKIP LOCKED on
    PostgreSQL; SQLite's single writer serialises the statement)."""
    due = (
        select(SandboxEvent.id)
        .where(
            SandboxEvent.delivered_at.is_(None),
            SandboxEvent.abandoned_at.is_(None),
            or_(SandboxEvent.claimed_until.is_(None), SandboxEvent.claimed_until <= now),
        )
        .order_by(SandboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(SandboxEvent)
        .where(SandboxEvent.id.in_(due.scalar_subquery()))
        .values(claimed_until=lease_until)
        .returning(SandboxEvent)
        .execution_options(synchronize_session=False)
    )
    claimed = list((await session.execute(statement)).scalars())
    return sorted(claimed, key=lambda event: event.id)  # RETURNING gives no order


async def record_sandbox_attempt(
    session: AsyncSession,
    event_id: str,
    status_code: int,
    *,
    delivered: bool,
    max_attempts: int,
    now: datetime,
) -> bool:
    """One statement: count the attempt, release the claim, and mark the event delivered, or
    abandoned at its last attempt. False when there is no such event."""
    attempts = SandboxEvent.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_status": status_code,
        "claimed_until": None,
    }
    if delivered:
        values["delivered_at"] = now
    else:
        values["abandoned_at"] = case((attempts >= max_attempts, now), else_=None)
    statement = (
        update(SandboxEvent)
        .where(SandboxEvent.id == event_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount == 1


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


# --- reconciliation and the finance overview -----------------------------------------------------


@dataclass(frozen=True)
class ClearingEntry:
    """What one journal did to a provider's clearing account in one currency."""

    journal_id: uuid.UUID
    key: str
    kind: str
    reference: str
    created_at: datetime
    currency: str
    amount_minor: int


async def clearing_entries(
    session: AsyncSession, account: str, start: datetime, end: datetime
) -> list[ClearingEntry]:
    """Journals created in ``[start, end)`` that moved money on ``account``, oldest first."""
    statement = (
        select(
            LedgerJournal.id,
            LedgerJournal.idempotency_key,
            LedgerJournal.kind,
            LedgerJournal.reference,
            LedgerJournal.created_at,
            LedgerPosting.currency,
            func.sum(LedgerPosting.amount_minor),
        )
        .join(LedgerPosting, LedgerPosting.journal_id == LedgerJournal.id)
        .where(
            LedgerPosting.account == account,
            LedgerJournal.created_at >= start,
            LedgerJournal.created_at < end,
        )
        .group_by(
            LedgerJournal.id,
            LedgerJournal.idempotency_key,
            LedgerJournal.kind,
            LedgerJournal.reference,
            LedgerJournal.created_at,
            LedgerPosting.currency,
        )
        .order_by(LedgerJournal.created_at, LedgerJournal.id)
    )
    return [ClearingEntry(*row) for row in (await session.execute(statement)).all()]


async def provider_payment_ids(
    session: AsyncSession, payment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Our payment id → the provider's id of that payment, for the payments given."""
    if not payment_ids:
        return {}
    statement = select(Payment.id, Payment.provider_payment_id).where(
        Payment.id.in_(payment_ids), Payment.provider_payment_id.is_not(None)
    )
    return {row[0]: str(row[1]) for row in (await session.execute(statement)).all()}


async def sandbox_captures_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[SandboxEvent, SandboxPayment | None]]:
    """The sandbox's ``payment.succeeded`` events in ``[start, end)`` (a sandbox payment is
    captured in full the moment it succeeds), each with its payment."""
    statement = (
        select(SandboxEvent)
        .where(
            SandboxEvent.type == "payment.succeeded",
            SandboxEvent.created_at >= start,
            SandboxEvent.created_at < end,
        )
        .order_by(SandboxEvent.created_at, SandboxEvent.id)
    )
    events = list((await session.execute(statement)).scalars())
    ids = {str(event.payload.get("data", {}).get("id")) for event in events}
    payments = (
        (await session.execute(select(SandboxPayment).where(SandboxPayment.id.in_(ids))))
        .scalars()
        .all()
        if ids
        else []
    )
    by_id = {payment.id: payment for payment in payments}
    return [(event, by_id.get(str(event.payload.get("data", {}).get("id")))) for event in events]


async def sandbox_operations_between(
    session: AsyncSession, kinds: Sequence[str], start: datetime, end: datetime
) -> list[SandboxOperation]:
    statement = (
        select(SandboxOperation)
        .where(
            SandboxOperation.kind.in_(kinds),
            SandboxOperation.created_at >= start,
            SandboxOperation.created_at < end,
        )
        .order_by(SandboxOperation.created_at, SandboxOperation.id)
    )
    return list((await session.execute(statement)).scalars())


async def add_reconciliation_run(session: AsyncSession, run: ReconciliationRun) -> None:
    session.add(run)
    await session.flush()


async def list_reconciliation_runs(session: AsyncSession, limit: int) -> list[ReconciliationRun]:
    statement = (
        select(ReconciliationRun)
        .order_by(ReconciliationRun.started_at.desc(), ReconciliationRun.id.desc())
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def get_reconciliation_run(
    session: AsyncSession, run_id: uuid.UUID
) -> ReconciliationRun | None:
    statement = (
        select(ReconciliationRun)
        .where(ReconciliationRun.id == run_id)
        .options(selectinload(ReconciliationRun.mismatches))
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def mismatch_counts(
    session: AsyncSession, run_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not run_ids:
        return {}
    statement = (
        select(ReconciliationMismatch.run_id, func.count())
        .where(ReconciliationMismatch.run_id.in_(run_ids))
        .group_by(ReconciliationMismatch.run_id)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(statement)).all()}


async def balance_totals(session: AsyncSession, pattern: str) -> dict[str, int]:
    """Per currency, the sum of the cached balances of the accounts matching the LIKE
    ``pattern`` (``escrow:%``, ``seller:%:available``). Zero balances add nothing: leaving them
    out lets the partial index of the others answer."""
    statement = (
        select(LedgerBalance.currency, func.sum(LedgerBalance.balance_minor))
        .where(LedgerBalance.account.like(pattern), LedgerBalance.balance_minor != 0)
        .group_by(LedgerBalance.currency)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(statement)).all()}


async def captured_totals(session: AsyncSession, since: datetime | None = None) -> dict[str, int]:
    """Per currency, what capture journals took from the providers' clearing accounts: ever,
    or from ``since`` on."""
    statement = (
        select(LedgerPosting.currency, func.sum(-LedgerPosting.amount_minor))
        .join(LedgerJournal, LedgerJournal.id == LedgerPosting.journal_id)
        .where(LedgerJournal.kind == CAPTURE_KIND, LedgerPosting.account.like(CLEARING_PATTERN))
        .group_by(LedgerPosting.currency)
    )
    if since is not None:
        statement = statement.where(LedgerJournal.created_at >= since)
    return {row[0]: int(row[1]) for row in (await session.execute(statement)).all()}


async def daily_captured(
    session: AsyncSession, start: datetime | None, end: datetime
) -> list[tuple[str, str, int]]:
    """(day as YYYY-MM-DD, currency, captured) for each UTC day in ``[start, end)`` (from the
    first journal when ``start`` is None)."""
    day = _utc_day(session, LedgerJournal.created_at)
    statement = (
        select(day, LedgerPosting.currency, func.sum(-LedgerPosting.amount_minor))
        .join(LedgerJournal, LedgerJournal.id == LedgerPosting.journal_id)
        .where(
            LedgerJournal.kind == CAPTURE_KIND,
            LedgerPosting.account.like(CLEARING_PATTERN),
            LedgerJournal.created_at < end,
        )
        .group_by(day, LedgerPosting.currency)
    )
    if start is not None:
        statement = statement.where(LedgerJournal.created_at >= start)
    return [(str(row[0]), row[1], int(row[2])) for row in (await session.execute(statement)).all()]


async def last_rolled_up_day(session: AsyncSession) -> date | None:
    statement = select(func.max(LedgerDailyCapture.day))
    found: date | None = (await session.execute(statement)).scalar_one_or_none()
    return found


async def rolled_up_totals(session: AsyncSession) -> dict[str, int]:
    """Per currency, the captures of every rolled-up day."""
    statement = select(
        LedgerDailyCapture.currency, func.sum(LedgerDailyCapture.captured_minor)
    ).group_by(LedgerDailyCapture.currency)
    return {row[0]: int(row[1]) for row in (await session.execute(statement)).all()}


async def rolled_up_days(
    session: AsyncSession, first: date, last: date
) -> list[tuple[str, str, int]]:
    """(day as YYYY-MM-DD, currency, captured) of the rolled-up days in ``[first, last]``."""
    statement = select(
        LedgerDailyCapture.day, LedgerDailyCapture.currency, LedgerDailyCapture.captured_minor
    ).where(LedgerDailyCapture.day >= first, LedgerDailyCapture.day <= last)
    return [
        (row[0].isoformat(), row[1], int(row[2]))
        for row in (await session.execute(statement)).all()
    ]


def add_daily_captures(session: AsyncSession, rows: Sequence[tuple[str, str, int]]) -> None:
    now = clock.now()
    for day, currency, amount in rows:
        session.add(
            LedgerDailyCapture(
                day=date.fromisoformat(day), currency=currency, captured_minor=amount, rolled_at=now
            )
        )


async def daily_capture_mismatches(session: AsyncSession) -> list[tuple[str, str, int, int]]:
    """(day, currency, rolled up, sum of the postings) of every rolled-up day that differs from
    its capture journals."""
    rolled = await rolled_up_days(session, date.min, date.max)
    if not rolled:
        return []
    last = max(date.fromisoformat(day) for day, _, _ in rolled)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
    actual = {
        (day, currency): amount
        for day, currency, amount in await daily_captured(session, None, end)
    }
    kept = {(day, currency): amount for day, currency, amount in rolled}
    return [
        (day, currency, kept.get((day, currency), 0), actual.get((day, currency), 0))
        for day, currency in sorted(kept.keys() | actual.keys())
        if kept.get((day, currency), 0) != actual.get((day, currency), 0)
    ]


async def daily_account_movements(
    session: AsyncSession, account: str, start: datetime, end: datetime
) -> list[tuple[str, str, int]]:
    """(day as YYYY-MM-DD, currency, net postings) on ``account`` per UTC day in
    ``[start, end)``."""
    day = _utc_day(session, LedgerJournal.created_at)
    statement = (
        select(day, LedgerPosting.currency, func.sum(LedgerPosting.amount_minor))
        .join(LedgerJournal, LedgerJournal.id == LedgerPosting.journal_id)
        .where(
            LedgerPosting.account == account,
            LedgerJournal.created_at >= start,
            LedgerJournal.created_at < end,
        )
        .group_by(day, LedgerPosting.currency)
    )
    return [(str(row[0]), row[1], int(row[2])) for row in (await session.execute(statement)).all()]


CAPTURE_KIND = "payment_capture"
CLEARING_PATTERN = "provider:%:clearing"


def _utc_day(session: AsyncSession, column: Any) -> Any:
    # SQLite keeps UTC datetimes as naive text; PostgreSQL's date() would use the session's
    # time zone, so the timestamp is moved to UTC first.
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)
