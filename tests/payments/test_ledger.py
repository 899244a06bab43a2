"""The double-entry ledger on SQLite and PostgreSQL: balanced journals only, exactly once per
key, reversals instead of edits, cached balances that always equal the postings."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from mercato.kit.db import Database
from mercato.kit.errors import Conflict
from mercato.kit.money import Money
from mercato.payments import LedgerRejected, Posting, balance, post_journal, reverse_journal
from mercato.payments.calculations import journal_fingerprint
from mercato.payments.models import LedgerBalance, LedgerJournal, LedgerPosting
from mercato.payments.providers.base import IdempotencyMismatch
from mercato.payments.service import InsufficientFunds, cached_balance, check_ledger
from tests.payments.conftest import count_rows, ledger_snapshot, raw

TABLES = (LedgerJournal, LedgerPosting, LedgerBalance)
CLEARING = "provider:sandbox:clearing"


def capture(amount: int, escrow: str = "escrow:order:1", currency: str = "EUR") -> list[Posting]:
    return [Posting(CLEARING, -amount, currency), Posting(escrow, amount, currency)]


async def test_a_journal_moves_money_and_balances_follow(database: Database):
    async with database.transaction() as session:
        journal = await post_journal(session, "cap-1", "payment_capture", capture(1234), "order:1")
    async with database.reading() as session:
        assert await balance(session, "escrow:order:1", "EUR") == Money(1234, "EUR")
        assert await balance(session, CLEARING, "EUR") == Money(-1234, "EUR")
        assert await cached_balance(session, "escrow:order:1", "EUR") == Money(1234, "EUR")
        assert await balance(session, "escrow:order:1", "JPY") == Money(0, "JPY")
        report = await check_ledger(session)
    assert report.ok, report.violations
    assert (report.journals, report.postings, report.balances) == (1, 2, 2)
    assert [p.amount_minor for p in journal.postings] == [-1234, 1234]


async def test_the_same_key_and_postings_return_the_first_journal(database: Database):
    async with database.transaction() as session:
        first = await post_journal(session, "cap-2", "payment_capture", capture(500), "order:1")
    before = await ledger_snapshot(database)
    async with database.transaction() as session:
        # Listed in another order: the same journal.
        again = await post_journal(
            session, "cap-2", "payment_capture", list(reversed(capture(500))), "order:1"
        )
    assert again.id == first.id
    assert await ledger_snapshot(database) == before


async def test_the_same_key_with_other_postings_is_a_conflict(database: Database):
    async with database.transaction() as session:
        await post_journal(session, "cap-3", "payment_capture", capture(500), "order:1")
    before = await ledger_snapshot(database)
    with pytest.raises(IdempotencyMismatch) as refused:
        async with database.transaction() as session:
            await post_journal(session, "cap-3", "payment_capture", capture(501), "order:1")
    assert refused.value.status == 409
    assert await ledger_snapshot(database) == before


@pytest.mark.parametrize(
    ("postings", "message"),
    [
        ([Posting(CLEARING, -5, "EUR")], "at least two postings"),
        ([], "at least two postings"),
        ([Posting(CLEARING, 0, "EUR"), Posting("escrow:order:1", 0, "EUR")], "must not be zero"),
        ([Posting(CLEARING, -5, "EUR"), Posting("escrow:order:1", 4, "EUR")], "sum to -1"),
        ([Posting(CLEARING, -5, "EUR"), Posting("escrow:order:1", 5, "USD")], "sum to -5"),
        ([Posting(CLEARING, -5, "eur"), Posting("escrow:order:1", 5, "eur")], "not a currency"),
        ([Posting(CLEARING, -5, "XXX"), Posting("escrow:order:1", 5, "XXX")], "not a currency"),
        ([Posting("bad code", -5, "EUR"), Posting("escrow:order:1", 5, "EUR")], "account code"),
        ([Posting(CLEARING, -1, "EUR"), Posting("escrow:order:1", True, "EUR")], "integer"),  # type: ignore[arg-type]
    ],
)
async def test_invalid_journals_are_refused_and_write_nothing(
    database: Database, postings: list[Posting], message: str
):
    before = await count_rows(database, *TABLES)
    with pytest.raises(LedgerRejected) as refused:
        async with database.transaction() as session:
            await post_journal(session, "bad", "payment_capture", postings, "order:1")
    assert refused.value.status == 422
    assert message in " ".join(e.message for e in refused.value.errors)
    assert await count_rows(database, *TABLES) == before


async def test_several_currencies_balance_each_on_their_own(database: Database):
    postings = [*capture(700, currency="EUR"), *capture(7, currency="KWD")]
    async with database.transaction() as session:
        await post_journal(session, "multi", "payment_capture", postings, "order:1")
        assert await balance(session, "escrow:order:1", "KWD") == Money(7, "KWD")
        assert (await check_ledger(session)).ok


async def test_escrow_can_never_be_overdrawn(database: Database):
    async with database.transaction() as session:
        await post_journal(session, "cap-4", "payment_capture", capture(100), "order:1")
    before = await ledger_snapshot(database)
    release = [
        Posting("escrow:order:1", -101, "EUR"),
        Posting("seller:s1:available", 90, "EUR"),
        Posting("platform:commission", 11, "EUR"),
    ]
    async with database.transaction() as session:
        with pytest.raises(InsufficientFunds):
            await post_journal(session, "release-1", "escrow_release", release, "order:1")
        # Only the refused journal was undone: the unit of work goes on.
        await post_journal(
            session,
            "release-2",
            "escrow_release",
            [Posting("escrow:order:1", -100, "EUR"), Posting("seller:s1:available", 100, "EUR")],
            "order:1",
        )
    after = await ledger_snapshot(database)
    assert [j[0] for j in after.journals] == sorted([*(j[0] for j in before.journals), "release-2"])
    assert after.balances[("escrow:order:1", "EUR")] == 0


async def test_a_reversal_undoes_a_journal_exactly_once(database: Database):
    async with database.transaction() as session:
        journal = await post_journal(session, "cap-5", "payment_capture", capture(250), "order:9")
    async with database.transaction() as session:
        reversal = await reverse_journal(session, journal.id, "cap-5:reversal")
        again = await reverse_journal(session, journal.id, "cap-5:reversal")
        assert again.id == reversal.id
        assert reversal.reverses_journal_id == journal.id
        assert reversal.reference == "order:9"
        assert await balance(session, "escrow:order:1", "EUR") == Money(0, "EUR")
    with pytest.raises(Conflict):
        async with database.transaction() as session:
            await reverse_journal(session, journal.id, "another-key")


async def test_journals_and_postings_cannot_be_edited_or_deleted(database: Database):
    async with database.transaction() as session:
        await post_journal(session, "cap-6", "payment_capture", capture(10), "order:1")
    for statement in (
        "UPDATE payments_ledger_posting SET amount_minor = amount_minor * 2",
        "DELETE FROM payments_ledger_posting",
        "UPDATE payments_ledger_journal SET reference = 'x'",
        "DELETE FROM payments_ledger_journal",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            await raw(database, statement)


async def test_ledger_check_names_every_kind_of_corruption(database: Database):
    async with database.transaction() as session:
        journal = await post_journal(session, "cap-7", "payment_capture", capture(300), "order:1")
    # The cache drifts from the postings.
    await raw(
        database,
        "UPDATE payments_ledger_balance SET balance_minor = 299 WHERE account = 'escrow:order:1'",
    )
    # A posting slipped in outside post_journal: unbalances its journal and overdraws escrow.
    await raw(
        database,
        "INSERT INTO payments_ledger_posting (id, journal_id, position, account, currency, "
        "amount_minor) VALUES (:id, :journal, 2, 'escrow:order:2', 'EUR', -40)",
        id=uuid.uuid4().hex if database.dialect == "sqlite" else str(uuid.uuid4()),
        journal=journal.id.hex if database.dialect == "sqlite" else str(journal.id),
    )
    async with database.reading() as session:
        report = await check_ledger(session)
    found = {(v.rule, v.subject) for v in report.violations}
    assert found == {
        ("journal-unbalanced", "cap-7"),
        ("currency-unbalanced", "EUR"),
        ("balance-mismatch", "escrow:order:1 EUR"),
        ("balance-mismatch", "escrow:order:2 EUR"),
        ("negative-balance", "escrow:order:2 EUR"),
    }
    details = {v.subject: v.detail for v in report.violations if v.rule == "balance-mismatch"}
    assert details["escrow:order:1 EUR"] == "cached 299, sum of postings 300"
    assert details["escrow:order:2 EUR"] == "cached missing, sum of postings -40"


# --- properties ------------------------------------------------------------------------------

ACCOUNTS = ["provider:x:clearing", "escrow:order:a", "escrow:order:b", "platform:fees", "ext:c"]
CURRENCIES = ["EUR", "JPY", "KWD"]


@st.composite
def balanced_journal(draw: st.DrawFn) -> list[Posting]:
    """Two to six postings per currency, summing to zero, never touching the protected
    escrow accounts with a debit (those would be refused as overdrafts)."""
    postings = []
    for currency in draw(
        st.lists(st.sampled_from(CURRENCIES), min_size=1, max_size=2, unique=True)
    ):
        credits = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=3))
        debtors = [a for a in ACCOUNTS if not a.startswith("escrow:")]
        for amount in credits:
            postings.append(Posting(draw(st.sampled_from(ACCOUNTS)), amount, currency))
        parts = draw(st.integers(1, 3))
        total = sum(credits)
        shares = [total // parts] * parts
        shares[0] += total - sum(shares)
        for share in shares:
            if share:
                postings.append(Posting(draw(st.sampled_from(debtors)), -share, currency))
    return draw(st.permutations(postings))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    journals=st.lists(balanced_journal(), min_size=1, max_size=8),
    replays=st.lists(st.integers(0, 7), max_size=4),
)
async def test_random_balanced_journals_keep_every_invariant(
    database: Database, journals: list[list[Posting]], replays: list[int]
):
    session = database.session()
    try:
        run = uuid.uuid4().hex[:8]
        keys = [f"{run}:{index}" for index in range(len(journals))]
        for key, postings in zip(keys, journals, strict=True):
            await post_journal(session, key, "transfer", postings, f"ref:{run}")
        await session.flush()
        first = (await check_ledger(session), await count_rows_in(session))
        for index in replays:
            if index < len(journals):
                await post_journal(session, keys[index], "transfer", journals[index], f"ref:{run}")
        report = await check_ledger(session)
        assert report.ok, report.violations
        assert (report, await count_rows_in(session)) == first
        # Every account's cached balance equals the sum of its postings, and per currency the
        # balances of all accounts add up to zero.
        for currency in CURRENCIES:
            total = 0
            for account in ACCOUNTS:
                summed = await balance(session, account, currency)
                assert await cached_balance(session, account, currency) == summed
                total += summed.amount_minor
            assert total == 0
        fingerprints = {journal_fingerprint("transfer", f"ref:{run}", j) for j in journals}
        assert len(fingerprints) <= len(journals)
    finally:
        await session.rollback()
        await session.close()


async def count_rows_in(session) -> tuple[int, ...]:
    counts = []
    for table in TABLES:
        counts.append((await session.execute(select(func.count()).select_from(table))).scalar_one())
    return tuple(counts)
