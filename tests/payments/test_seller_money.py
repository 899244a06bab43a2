"""A seller's money: credits repay debt first, charges take what is available and record the
rest as explicit debt; held balances can never go negative, the ledger stays sound."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.kit.db import Database
from mercato.payments import (
    PLATFORM_SUBSCRIPTIONS,
    InsufficientFunds,
    Posting,
    post_journal,
    seller_available_account,
    seller_debt_account,
    seller_pending_account,
)
from mercato.payments.calculations import (
    must_stay_non_negative,
    seller_charge_postings,
    seller_credit_postings,
    seller_in_transit_account,
)
from mercato.payments.service import charge_seller, check_ledger, credit_seller, seller_balances

CLEARING = "provider:sandbox:clearing"
SELLER = uuid.UUID("00000000-0000-7000-8000-000000000001")


@given(amount=st.integers(1, 10**12), owed=st.integers(0, 10**12))
def test_a_credit_repays_debt_first_and_keeps_every_minor_unit(amount: int, owed: int):
    postings = seller_credit_postings(
        SELLER, amount, "EUR", owed, to=seller_available_account(SELLER)
    )
    assert sum(p.amount_minor for p in postings) == amount
    assert all(p.amount_minor > 0 for p in postings)
    repaid = sum(p.amount_minor for p in postings if p.account == seller_debt_account(SELLER))
    assert repaid == min(amount, owed)


@given(amount=st.integers(1, 10**12), available=st.integers(-5, 10**12))
def test_a_charge_never_overdraws_available_and_records_the_rest_as_debt(
    amount: int, available: int
):
    postings = seller_charge_postings(SELLER, amount, "EUR", available)
    assert sum(p.amount_minor for p in postings) == -amount
    taken = -sum(p.amount_minor for p in postings if p.account == seller_available_account(SELLER))
    assert taken == min(amount, max(available, 0))
    debt = -sum(p.amount_minor for p in postings if p.account == seller_debt_account(SELLER))
    assert debt == amount - taken


def test_held_seller_accounts_are_protected_but_debt_is_not():
    assert must_stay_non_negative(seller_available_account(SELLER))
    assert must_stay_non_negative(seller_pending_account(SELLER))
    assert must_stay_non_negative(seller_in_transit_account(SELLER))
    assert not must_stay_non_negative(seller_debt_account(SELLER))


async def _credit(database: Database, amount: int, key: str, *, pending: bool = False) -> None:
    async with database.transaction() as session:
        await credit_seller(
            session,
            SELLER,
            [Posting(CLEARING, -amount, "EUR")],
            key=key,
            kind="test_credit",
            reference=f"test:{key}",
            pending=pending,
        )


async def _charge(database: Database, amount: int, key: str) -> None:
    async with database.transaction() as session:
        await charge_seller(
            session,
            SELLER,
            [Posting(PLATFORM_SUBSCRIPTIONS, amount, "EUR")],
            key=key,
            kind="plan_fee",
            reference=f"test:{key}",
        )


async def _balances(database: Database) -> tuple[int, int, int, int]:
    async with database.reading() as session:
        found = await seller_balances(session, SELLER, "EUR")
    return found.pending_minor, found.available_minor, found.in_transit_minor, found.debt_minor


async def test_a_charge_beyond_the_balance_becomes_debt_and_later_money_repays_it(
    database: Database,
):
    await _credit(database, 700, "c1")
    await _charge(database, 1000, "fee-1")
    assert await _balances(database) == (0, 0, 0, 300)
    await _credit(database, 500, "c2")
    assert await _balances(database) == (0, 200, 0, 0)
    await _credit(database, 50, "c3", pending=True)
    assert await _balances(database) == (50, 200, 0, 0)
    async with database.reading() as session:
        assert (await check_ledger(session)).ok


async def test_a_replayed_charge_charges_once(database: Database):
    await _credit(database, 1000, "c1")
    await _charge(database, 400, "fee-1")
    await _charge(database, 400, "fee-1")
    assert await _balances(database) == (0, 600, 0, 0)


async def test_a_direct_overdraft_of_available_is_refused(database: Database):
    await _credit(database, 100, "c1")
    with pytest.raises(InsufficientFunds):
        async with database.transaction() as session:
            await post_journal(
                session,
                "overdraw",
                "test",
                [
                    Posting(seller_available_account(SELLER), -101, "EUR"),
                    Posting(CLEARING, 101, "EUR"),
                ],
                "test:overdraw",
            )
    assert await _balances(database) == (0, 100, 0, 0)
