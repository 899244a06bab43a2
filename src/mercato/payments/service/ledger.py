"""The double-entry ledger: append-only journals whose postings sum to zero per currency.

Other domains move money only through :func:`post_journal` and :func:`reverse_journal`, each
call carrying an idempotency key derived from the business operation (``release:order:<id>``),
so a retried operation never posts twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.ids import new_id
from mercato.kit.money import Money, UnknownCurrency, exponent
from mercato.payments import repository
from mercato.payments.calculations import (
    Posting,
    balance_changes,
    journal_fingerprint,
    must_stay_non_negative,
    reversed_postings,
    validate_journal,
    validate_key,
)
from mercato.payments.models import LedgerJournal, LedgerPosting
from mercato.payments.providers.base import IdempotencyMismatch
from mercato.payments.schemas import BalanceOut, JournalOut, PostingOut


class InsufficientFunds(Conflict):
    """The journal would overdraw an escrow or seller-available account."""

    slug, title = "insufficient-funds", "Not enough money in the account"


async def post_journal(
    session: AsyncSession,
    key: str,
    kind: str,
    postings: Sequence[Posting],
    reference: str,
) -> LedgerJournal:
    """Record one balanced journal, exactly once per ``key``.

    Refused (nothing written) when there are fewer than two postings, a posting is zero, an
    account code or currency is invalid, the postings of a currency do not sum to zero
    (:class:`~mercato.payments.calculations.LedgerRejected`, 422), or an escrow or seller-available
    balance would go negative (:class:`InsufficientFunds`, 409). Posting again with the same key
    and the same content returns the first journal; with other content it is a 409.
    """
    return await _post(session, key, kind, postings, reference, reverses=None)


async def reverse_journal(
    session: AsyncSession, journal_id: uuid.UUID, key: str, *, kind: str = "reversal"
) -> LedgerJournal:
    """Correct a journal by posting its exact opposite (journals are never edited). A journal
    is reversed at most once; repeating the call with the same key returns the reversal."""
    original = await repository.get_journal(session, journal_id)
    if original is None:
        raise NotFound("No such journal.")
    earlier = await repository.get_reversal_of(session, journal_id)
    if earlier is not None and earlier.idempotency_key != key:
        raise Conflict(f"This journal was already reversed by {earlier.idempotency_key!r}.")
    postings = reversed_postings(_postings_of(original))
    return await _post(session, key, kind, postings, original.reference, reverses=original.id)


async def balance(session: AsyncSession, account: str, currency: str) -> Money:
    """The account's balance: the sum of its postings (the source of truth)."""
    _check_currency(currency)
    return Money(await repository.sum_of_postings(session, account, currency), currency)


async def cached_balance(session: AsyncSession, account: str, currency: str) -> Money:
    """The cached balance, kept in step with the postings inside each journal's transaction."""
    _check_currency(currency)
    return Money(await repository.cached_balance(session, account, currency) or 0, currency)


async def journals_for(session: AsyncSession, reference: str) -> list[LedgerJournal]:
    return await repository.journals_by_reference(session, reference)


async def account_history(session: AsyncSession, account: str) -> list[JournalOut]:
    """Every journal that moved money on ``account`` (an order's escrow), oldest first. For
    the domain that owns the account, which decides who may see it."""
    return [journal_out(j) for j in await repository.journals_touching(session, account)]


def journal_out(journal: LedgerJournal) -> JournalOut:
    return JournalOut(
        id=journal.id,
        idempotency_key=journal.idempotency_key,
        kind=journal.kind,
        reference=journal.reference,
        created_at=journal.created_at,
        reverses_journal_id=journal.reverses_journal_id,
        postings=[
            PostingOut(account=p.account, currency=p.currency, amount_minor=p.amount_minor)
            for p in journal.postings
        ],
    )


def balance_out(account: str, currency: str, amount_minor: int) -> BalanceOut:
    money = Money(amount_minor, currency)
    return BalanceOut(
        account=account,
        currency=currency,
        balance_minor=amount_minor,
        balance=f"{money.to_decimal():f}",
    )


async def _post(
    session: AsyncSession,
    key: str,
    kind: str,
    postings: Sequence[Posting],
    reference: str,
    *,
    reverses: uuid.UUID | None,
) -> LedgerJournal:
    validate_key(key)
    checked = validate_journal(kind, reference, postings)
    digest = journal_fingerprint(kind, reference, checked)
    existing = await repository.get_journal_by_key(session, key)
    if existing is not None:
        return _replayed(existing, digest)
    try:
        # A savepoint: a refusal below (overdraft) or a concurrent insert of the same key
        # undoes this journal only, never the caller's other work.
        async with session.begin_nested():
            journal = _new_journal(key, kind, reference, digest, reverses, checked)
            session.add(journal)
            await session.flush()
            balances = await repository.add_balance_changes(session, balance_changes(checked))
            overdrawn = sorted(
                (account, currency, amount)
                for (account, currency), amount in balances.items()
                if amount < 0 and must_stay_non_negative(account)
            )
            if overdrawn:
                account, currency, amount = overdrawn[0]
                raise InsufficientFunds(
                    f"{account} would go to {Money(amount, currency)}; it must not be negative."
                )
    except IntegrityError:
        concurrent = await repository.get_journal_by_key(session, key)
        if concurrent is not None:
            return _replayed(concurrent, digest)
        raise Conflict("This journal was already reversed.") from None
    return journal


def _new_journal(
    key: str,
    kind: str,
    reference: str,
    digest: str,
    reverses: uuid.UUID | None,
    postings: Sequence[Posting],
) -> LedgerJournal:
    return LedgerJournal(
        id=new_id(),
        idempotency_key=key,
        kind=kind,
        reference=reference,
        fingerprint=digest,
        reverses_journal_id=reverses,
        created_at=clock.now(),
        postings=[
            LedgerPosting(
                id=new_id(),
                position=position,
                account=posting.account,
                currency=posting.currency,
                amount_minor=posting.amount_minor,
            )
            for position, posting in enumerate(postings)
        ],
    )


def _replayed(journal: LedgerJournal, digest: str) -> LedgerJournal:
    if journal.fingerprint != digest:
        raise IdempotencyMismatch(
            f"The key {journal.idempotency_key!r} was used for a different journal."
        )
    return journal


def _postings_of(journal: LedgerJournal) -> list[Posting]:
    return [Posting(p.account, p.amount_minor, p.currency) for p in journal.postings]


def _check_currency(currency: str) -> None:
    try:
        exponent(currency)
    except UnknownCurrency as error:
        raise ValidationFailed.on("currency", str(error)) from None
