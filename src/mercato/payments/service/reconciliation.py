"""Daily reconciliation: our journals on a provider's clearing account against the provider's own
balance transactions, with every difference listed for a human.

A journal and a provider transaction belong together when the journal names the provider's
operation: its key or reference is the operation's id or the idempotency key we sent with it
(``refund:<id>`` matches a journal keyed ``refund:<id>`` or ``refund:<id>:<step>``), or, for a
capture, the journal's payment is the provider's payment. Paired, they must agree on the amount
and currency. What is left on either side is a mismatch.

Money is compared from the platform's side at the provider: a capture brings money in (+), a
refund, a transfer or a payout takes it out (-). The clearing account carries the opposite sign
(it goes negative by what the provider holds for us).

Both sides are read over the day and the days around it, so a journal written a moment after
midnight still finds its provider transaction; only the day's own differences are reported.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import structlog
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import MercatoError, NotFound, ValidationFailed
from mercato.kit.ids import new_id
from mercato.payments import repository
from mercato.payments.calculations import clearing_account
from mercato.payments.models import ReconciliationMismatch, ReconciliationRun
from mercato.payments.providers import known_provider_names, provider_for
from mercato.payments.providers.base import BalanceTransaction
from mercato.payments.settings import payment_settings

log = structlog.get_logger(__name__)

MISSING_IN_LEDGER = "missing_in_ledger"
MISSING_AT_PROVIDER = "missing_at_provider"
AMOUNT_DIFFERS = "amount_differs"
CAPTURE_KIND = "payment_capture"
MAX_RUNS_LISTED = 100


@dataclass(frozen=True)
class LedgerEntry:
    """One journal's movement on the clearing account, signed from the platform's side at the
    provider (the opposite of the clearing posting)."""

    journal_id: uuid.UUID
    key: str
    kind: str
    reference: str
    occurred_at: datetime
    currency: str
    amount_minor: int
    # Provider ids this journal is known to mirror (a capture's provider payment id).
    provider_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Mismatch:
    kind: str
    currency: str
    ledger_amount_minor: int | None
    provider_amount_minor: int | None
    journal_key: str | None
    provider_reference: str | None
    occurred_at: datetime
    detail: str


@dataclass(frozen=True)
class Matching:
    matched: list[tuple[LedgerEntry, BalanceTransaction]] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)


class ReconcileRequest(BaseModel):
    day: date
    provider: str = Field(default="sandbox", min_length=1, max_length=20)


class MismatchOut(BaseModel):
    kind: str
    currency: str
    ledger_amount_minor: int | None
    provider_amount_minor: int | None
    journal_key: str | None
    provider_reference: str | None
    occurred_at: datetime
    detail: str


class ReconciliationOut(BaseModel):
    id: uuid.UUID
    day: date
    provider: str
    status: str  # ok | mismatches | failed
    ledger_entries: int
    provider_transactions: int
    matched: int
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    mismatch_count: int
    mismatches: list[MismatchOut] = []


# --- the pure matching ---------------------------------------------------------------------------


def linked(entry: LedgerEntry, transaction: BalanceTransaction) -> bool:
    """Whether the journal names the provider's operation (see the module's docstring)."""
    names = {entry.key, entry.reference}
    if transaction.provider_id in names or transaction.provider_id in entry.provider_ids:
        return True
    key = transaction.idempotency_key
    if not key:
        return False
    return key in names or entry.key.startswith(f"{key}:") or key.startswith(f"{entry.key}:")


def match_transactions(
    entries: Sequence[LedgerEntry], transactions: Sequence[BalanceTransaction]
) -> Matching:
    """Pair each provider transaction with the journal that mirrors it (same amount preferred
    when several do); everything unpaired, or paired with another amount, is a mismatch."""
    result = Matching()
    unmatched = list(entries)
    for transaction in sorted(transactions, key=lambda t: t.occurred_at):
        candidates = [entry for entry in unmatched if linked(entry, transaction)]
        if not candidates:
            result.mismatches.append(_missing_in_ledger(transaction))
            continue
        exact = [entry for entry in candidates if _agree(entry, transaction)]
        entry = (exact or candidates)[0]
        unmatched.remove(entry)
        result.matched.append((entry, transaction))
        if not exact:
            result.mismatches.append(_amount_differs(entry, transaction))
    result.mismatches.extend(_missing_at_provider(entry) for entry in unmatched)
    return result


def _agree(entry: LedgerEntry, transaction: BalanceTransaction) -> bool:
    return (entry.currency, entry.amount_minor) == (transaction.currency, transaction.amount_minor)


def _missing_in_ledger(transaction: BalanceTransaction) -> Mismatch:
    return Mismatch(
        kind=MISSING_IN_LEDGER,
        currency=transaction.currency,
        ledger_amount_minor=None,
        provider_amount_minor=transaction.amount_minor,
        journal_key=None,
        provider_reference=transaction.provider_id,
        occurred_at=transaction.occurred_at,
        detail=f"The provider's {transaction.kind} {transaction.provider_id} has no journal.",
    )


def _missing_at_provider(entry: LedgerEntry) -> Mismatch:
    return Mismatch(
        kind=MISSING_AT_PROVIDER,
        currency=entry.currency,
        ledger_amount_minor=entry.amount_minor,
        provider_amount_minor=None,
        journal_key=entry.key,
        provider_reference=None,
        occurred_at=entry.occurred_at,
        detail=f"The journal {entry.key} ({entry.kind}) has no provider transaction.",
    )


def _amount_differs(entry: LedgerEntry, transaction: BalanceTransaction) -> Mismatch:
    return Mismatch(
        kind=AMOUNT_DIFFERS,
        currency=transaction.currency,
        ledger_amount_minor=entry.amount_minor,
        provider_amount_minor=transaction.amount_minor,
        journal_key=entry.key,
        provider_reference=transaction.provider_id,
        occurred_at=transaction.occurred_at,
        detail=(
            f"The journal {entry.key} says {entry.amount_minor} {entry.currency}, the provider's "
            f"{transaction.kind} {transaction.provider_id} says "
            f"{transaction.amount_minor} {transaction.currency}."
        ),
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


# --- runs ----------------------------------------------------------------------------------------


async def reconcile_day(session: AsyncSession, day: date, provider: str) -> ReconciliationOut:
    """Reconcile ``provider`` for the UTC ``day`` and keep the run with its mismatches. A
    provider that cannot be read gives a ``failed`` run naming the error. For the CLI and the
    daily job; staff go through :func:`run_reconciliation`."""
    if day > clock.now().date():
        raise ValidationFailed.on("day", "The day has not happened yet.")
    run = ReconciliationRun(
        id=new_id(), day=day, provider=provider, status="failed", started_at=clock.now()
    )
    run.ledger_entries = run.provider_transactions = run.matched = 0
    mismatches: list[Mismatch] = []
    try:
        mismatches = await _compare(session, run)
    except (MercatoError, NotImplementedError) as error:
        run.error = getattr(error, "detail", None) or str(error)
        log.warning("payments.reconciliation_failed", provider=provider, day=str(day))
    run.mismatches = [_mismatch_row(run.id, i, m) for i, m in enumerate(mismatches)]
    run.finished_at = clock.now()
    await repository.add_reconciliation_run(session, run)
    if run.status == "mismatches":
        log.warning(
            "payments.reconciliation_mismatches",
            provider=provider,
            day=str(day),
            count=len(mismatches),
        )
    return _run_out(run, run.mismatches, len(run.mismatches))


async def _compare(session: AsyncSession, run: ReconciliationRun) -> list[Mismatch]:
    day_start, day_end = day_bounds(run.day)
    start, end = day_start - timedelta(days=1), day_end + timedelta(days=1)
    transactions = await provider_for(run.provider, session).balance_transactions(start, end)
    entries = await _ledger_entries(session, run.provider, start, end)
    matching = match_transactions(entries, transactions)
    in_day = [m for m in matching.mismatches if day_start <= m.occurred_at < day_end]
    run.ledger_entries = sum(day_start <= e.occurred_at < day_end for e in entries)
    run.provider_transactions = sum(day_start <= t.occurred_at < day_end for t in transactions)
    run.matched = sum(
        day_start <= t.occurred_at < day_end and _agree(e, t) for e, t in matching.matched
    )
    run.status = "mismatches" if in_day else "ok"
    return in_day


async def _ledger_entries(
    session: AsyncSession, provider: str, start: datetime, end: datetime
) -> list[LedgerEntry]:
    rows = await repository.clearing_entries(session, clearing_account(provider), start, end)
    captured = {
        payment_id: row.journal_id
        for row in rows
        if row.kind == CAPTURE_KIND and (payment_id := _payment_of(row.reference)) is not None
    }
    provider_ids = await repository.provider_payment_ids(session, list(captured))
    by_journal = {captured[pid]: provider_id for pid, provider_id in provider_ids.items()}
    return [
        LedgerEntry(
            journal_id=row.journal_id,
            key=row.key,
            kind=row.kind,
            reference=row.reference,
            occurred_at=row.created_at,
            currency=row.currency,
            amount_minor=-row.amount_minor,
            provider_ids=frozenset(
                {by_journal[row.journal_id]} if row.journal_id in by_journal else ()
            ),
        )
        for row in rows
        if row.amount_minor
    ]


def _payment_of(reference: str) -> uuid.UUID | None:
    prefix, _, rest = reference.partition(":")
    if prefix != "payment":
        return None
    try:
        return uuid.UUID(rest)
    except ValueError:
        return None


def _mismatch_row(run_id: uuid.UUID, position: int, mismatch: Mismatch) -> ReconciliationMismatch:
    return ReconciliationMismatch(
        id=new_id(),
        run_id=run_id,
        position=position,
        kind=mismatch.kind,
        currency=mismatch.currency,
        ledger_amount_minor=mismatch.ledger_amount_minor,
        provider_amount_minor=mismatch.provider_amount_minor,
        journal_key=mismatch.journal_key,
        provider_reference=mismatch.provider_reference,
        occurred_at=mismatch.occurred_at,
        detail=mismatch.detail,
    )


def _run_out(
    run: ReconciliationRun, mismatches: Sequence[ReconciliationMismatch], count: int
) -> ReconciliationOut:
    return ReconciliationOut(
        id=run.id,
        day=run.day,
        provider=run.provider,
        status=run.status,
        ledger_entries=run.ledger_entries,
        provider_transactions=run.provider_transactions,
        matched=run.matched,
        error=run.error,
        started_at=run.started_at,
        finished_at=run.finished_at,
        mismatch_count=count,
        mismatches=[
            MismatchOut(
                kind=m.kind,
                currency=m.currency,
                ledger_amount_minor=m.ledger_amount_minor,
                provider_amount_minor=m.provider_amount_minor,
                journal_key=m.journal_key,
                provider_reference=m.provider_reference,
                occurred_at=m.occurred_at,
                detail=m.detail,
            )
            for m in mismatches
        ],
    )


def reconciled_providers() -> list[str]:
    """The providers the daily run covers: the sandbox, and every other one that is set up."""
    return [name for name in known_provider_names() if _configured(name)]


def _configured(name: str) -> bool:
    if name == "stripe":
        return bool(payment_settings().stripe_secret_key)
    return True


async def run_reconciliation(
    session: AsyncSession, principal: Principal, day: date, provider: str
) -> ReconciliationOut:
    """Reconcile one provider for one day now. Admins only."""
    principal.require_role(Role.ADMIN)
    if provider not in reconciled_providers():
        raise ValidationFailed.on("provider", f"No payment provider named {provider!r} is set up.")
    return await reconcile_day(session, day, provider)


async def list_reconciliations(
    session: AsyncSession, principal: Principal, *, limit: int = 50
) -> list[ReconciliationOut]:
    """The latest runs, newest first, without their mismatches. Staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    runs = await repository.list_reconciliation_runs(session, min(limit, MAX_RUNS_LISTED))
    counts = await repository.mismatch_counts(session, [run.id for run in runs])
    return [_run_out(run, [], counts.get(run.id, 0)) for run in runs]


async def get_reconciliation(
    session: AsyncSession, principal: Principal, run_id: uuid.UUID
) -> ReconciliationOut:
    """One run with every mismatch. Staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    run = await repository.get_reconciliation_run(session, run_id)
    if run is None:
        raise NotFound("No such reconciliation run.")
    return _run_out(run, run.mismatches, len(run.mismatches))
