"""Payout use cases on SQLite and PostgreSQL: money moves available → in transit → the bank,
a failed payout returns it, bad requests move nothing, and the ledger stays balanced."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.runtime import Runtime
from mercato.payments.models import LedgerJournal
from mercato.payments.service import check_ledger
from mercato.payouts import service
from mercato.payouts.models import Payout
from mercato.payouts.schemas import AdminPayoutIn, PayoutRequestIn, PayoutStatus
from mercato.payouts.service import PayoutRefused
from mercato.payouts.tasks import send_one
from mercato.sellers.models import Seller
from tests.payouts.conftest import (
    BAD_IBAN,
    GOOD_IBAN,
    BankDouble,
    Sellers,
    balances_of,
    fund,
    row_counts,
    set_iban,
)


async def ledger_ok(runtime: Runtime) -> None:
    async with runtime.database.reading() as session:
        report = await check_ledger(session)
    assert report.ok, report.violations


async def ask(runtime: Runtime, sellers: Sellers, amount: int, key: str = "k1", **extra):
    async with runtime.database.transaction() as session:
        return await service.request_payout(
            session,
            sellers.principal("seller"),
            PayoutRequestIn(amount_minor=amount, currency=extra.get("currency", "EUR")),
            key,
        )


async def journal_keys(runtime: Runtime, payout_id: uuid.UUID) -> list[str]:
    async with runtime.database.reading() as session:
        rows = await session.execute(
            select(LedgerJournal.idempotency_key)
            .where(LedgerJournal.reference == f"payout:{payout_id}")
            .order_by(LedgerJournal.id)
        )
        return list(rows.scalars())


async def payout_row(runtime: Runtime, payout_id: uuid.UUID) -> Payout:
    async with runtime.database.reading() as session:
        payout = await session.get(Payout, payout_id)
        assert payout is not None
        session.expunge(payout)  # keep its loaded state after the read-only session ends
        return payout


async def test_requested_payout_is_paid_through_the_sandbox(runtime, sellers):
    await fund(runtime, sellers.seller_id, 5000, "f1")
    result = await ask(runtime, sellers, 3000)
    payout = await payout_row(runtime, result.payout.id)
    assert (payout.status, payout.amount_minor, payout.provider) == ("paid", 3000, "sandbox")
    assert payout.destination_last4 == GOOD_IBAN[-4:]
    assert payout.provider_payout_id and payout.paid_at and payout.sent_at
    balances = await balances_of(runtime, sellers.seller_id)
    assert (balances.available_minor, balances.in_transit_minor, balances.debt_minor) == (
        2000,
        0,
        0,
    )
    assert await journal_keys(runtime, payout.id) == [
        f"payout:{payout.id}:sent",
        f"payout:{payout.id}:paid",
    ]
    await ledger_ok(runtime)


async def test_failed_payout_returns_the_money(runtime, sellers):
    await set_iban(runtime, sellers.principal("seller"), BAD_IBAN)
    await fund(runtime, sellers.seller_id, 5000, "f1")
    result = await ask(runtime, sellers, 5000)
    payout = await payout_row(runtime, result.payout.id)
    assert (payout.status, payout.failure_code) == ("failed", "account_closed")
    assert payout.failure_message == "The bank account is closed (sandbox test IBAN)."
    balances = await balances_of(runtime, sellers.seller_id)
    assert (balances.available_minor, balances.in_transit_minor) == (5000, 0)
    assert await journal_keys(runtime, payout.id) == [
        f"payout:{payout.id}:sent",
        f"payout:{payout.id}:returned",
    ]
    await ledger_ok(runtime)


async def test_admin_retries_a_failed_payout_as_a_new_one(runtime, sellers):
    await set_iban(runtime, sellers.principal("seller"), BAD_IBAN)
    await fund(runtime, sellers.seller_id, 4000, "f1")
    failed = (await ask(runtime, sellers, 4000)).payout
    await set_iban(runtime, sellers.principal("seller"), GOOD_IBAN)
    async with runtime.database.transaction() as session:
        retried = await service.retry_payout(session, sellers.principal("admin"), failed.id)
    async with runtime.database.transaction() as session:
        again = await service.retry_payout(session, sellers.principal("admin"), failed.id)
    assert again.replayed and again.payout.id == retried.payout.id
    new = await payout_row(runtime, retried.payout.id)
    assert (new.status, new.amount_minor, new.retry_of_id, new.trigger) == (
        "paid",
        4000,
        failed.id,
        "retry",
    )
    assert (await balances_of(runtime, sellers.seller_id)).available_minor == 0
    await ledger_ok(runtime)


async def test_same_key_returns_the_same_payout_and_another_amount_is_refused(runtime, sellers):
    await fund(runtime, sellers.seller_id, 5000, "f1")
    first = await ask(runtime, sellers, 2000, key="click")
    second = await ask(runtime, sellers, 2000, key="click")
    assert (first.replayed, second.replayed) == (False, True)
    assert second.payout.id == first.payout.id
    before = await row_counts(runtime)
    with pytest.raises(Conflict) as refused:
        await ask(runtime, sellers, 2500, key="click")
    assert refused.value.slug == "idempotency-key-reused"
    assert await row_counts(runtime) == before
    assert (await balances_of(runtime, sellers.seller_id)).available_minor == 3000


@pytest.mark.parametrize(
    ("amount", "currency", "error", "message"),
    [
        (6000, "EUR", PayoutRefused, "Only EUR 50.00 is available for payout."),
        (0, "EUR", ValidationFailed, "A payout must be more than zero."),
        (-100, "EUR", ValidationFailed, "A payout must be more than zero."),
        (999, "EUR", ValidationFailed, "The minimum payout is EUR 10.00."),
        (1000, "XXQ", ValidationFailed, "unknown currency 'XXQ'"),
    ],
)
async def test_bad_requests_move_no_money(runtime, sellers, amount, currency, error, message):
    await fund(runtime, sellers.seller_id, 5000, "f1")
    before = await row_counts(runtime)
    with pytest.raises(error) as refused:
        await ask(runtime, sellers, amount, currency=currency)
    assert refused.value.detail == message
    assert await row_counts(runtime) == before
    balances = await balances_of(runtime, sellers.seller_id)
    assert (balances.available_minor, balances.in_transit_minor) == (5000, 0)
    await ledger_ok(runtime)


async def test_suspended_seller_and_seller_in_debt_are_not_paid(runtime, sellers):
    await fund(runtime, sellers.seller_id, 5000, "f1")
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Seller).where(Seller.id == sellers.seller_id).values(status="suspended")
        )
    before = await row_counts(runtime)
    with pytest.raises(PayoutRefused) as refused:
        await ask(runtime, sellers, 2000)
    assert refused.value.detail == "Payouts are on hold while the seller account is suspended."
    assert refused.value.status == 409
    assert await row_counts(runtime) == before


async def test_seller_in_debt_is_not_paid(runtime, sellers):
    from mercato.payments import PLATFORM_COMMISSION, Posting
    from mercato.payments.service import charge_seller

    await fund(runtime, sellers.seller_id, 1000, "f1")
    async with runtime.database.transaction() as session:
        await charge_seller(
            session,
            sellers.seller_id,
            [Posting(PLATFORM_COMMISSION, 1500, "EUR")],
            key="fee",
            kind="plan_fee",
            reference="test:fee",
        )
    await fund(runtime, sellers.seller_id, 200, "f2")  # repays part of the debt only
    before = await row_counts(runtime)
    with pytest.raises(PayoutRefused) as refused:
        await ask(runtime, sellers, 1000)
    assert refused.value.detail == (
        "The seller owes EUR 3.00 to the platform; it is repaid from new sales first."
    )
    assert await row_counts(runtime) == before


async def test_a_seller_without_payout_account_is_refused(runtime, client):
    from tests.fixtures.accounts import actors
    from tests.fixtures.catalog import admit

    people = await actors(runtime, client)
    found = Sellers(people, await admit(runtime, people["seller"].user_id or ""), uuid.uuid4())
    await fund(runtime, found.seller_id, 5000, "f1")
    with pytest.raises(PayoutRefused) as refused:
        await ask(runtime, found, 2000)
    assert refused.value.detail == "Add a payout account (IBAN) before asking for a payout."


async def test_crash_after_the_provider_call_pays_once(runtime, sellers, bank: BankDouble):
    await fund(runtime, sellers.seller_id, 5000, "f1")
    bank.crash_after_next_call = True
    with pytest.raises(RuntimeError):
        await ask(runtime, sellers, 5000)  # the send job runs right after the commit
    async with runtime.database.reading() as session:
        payout = (await session.execute(select(Payout))).scalar_one()
        session.expunge(payout)
    assert payout.status == "pending"  # our side rolled back; the bank has paid
    assert (await balances_of(runtime, sellers.seller_id)).in_transit_minor == 5000
    await send_one(payout.id)  # the retry, with the same key
    assert (bank.calls, len(bank.payouts)) == (2, 1)
    assert list(bank.payouts) == [f"payout:{payout.id}"]
    paid = await payout_row(runtime, payout.id)
    assert (paid.status, paid.provider_payout_id) == ("paid", "po_1")
    await send_one(payout.id)  # a redelivered job changes nothing
    assert bank.calls == 2
    balances = await balances_of(runtime, sellers.seller_id)
    assert (balances.available_minor, balances.in_transit_minor) == (0, 0)
    assert len(await journal_keys(runtime, payout.id)) == 2
    await ledger_ok(runtime)


async def test_pending_payout_waits_for_the_provider_and_can_be_canceled(
    runtime, sellers, bank: BankDouble
):
    await fund(runtime, sellers.seller_id, 5000, "f1")
    bank.down = True
    payout = (await ask(runtime, sellers, 3000)).payout
    assert (await payout_row(runtime, payout.id)).status == "pending"
    with pytest.raises(Conflict):
        async with runtime.database.transaction() as session:
            await service.retry_payout(session, sellers.principal("admin"), payout.id)
    async with runtime.database.transaction() as session:
        canceled = await service.cancel_payout(session, sellers.principal("admin"), payout.id)
    assert canceled.status is PayoutStatus.CANCELED
    with pytest.raises(Conflict) as again:
        async with runtime.database.transaction() as session:
            await service.cancel_payout(session, sellers.principal("admin"), payout.id)
    assert again.value.detail == "Only a pending payout can be canceled; this one is canceled."
    bank.down = False
    await send_one(payout.id)  # a late job for a canceled payout sends nothing
    assert bank.payouts == {}
    balances = await balances_of(runtime, sellers.seller_id)
    assert (balances.available_minor, balances.in_transit_minor) == (5000, 0)
    await ledger_ok(runtime)


async def test_provider_pending_answer_leaves_the_payout_in_transit(
    runtime, sellers, bank: BankDouble
):
    await fund(runtime, sellers.seller_id, 5000, "f1")
    bank.answer = "pending"
    payout = (await ask(runtime, sellers, 5000)).payout
    row = await payout_row(runtime, payout.id)
    assert row.status == "in_transit"
    async with runtime.database.transaction() as session:
        locked = await session.get(Payout, payout.id)
        assert locked is not None
        await service.apply_outcome(session, locked, "paid")
    assert (await payout_row(runtime, payout.id)).status == "paid"
    assert (await balances_of(runtime, sellers.seller_id)).in_transit_minor == 0
    await ledger_ok(runtime)


async def test_admin_pays_below_the_minimum_and_others_may_not(runtime, sellers):
    await fund(runtime, sellers.seller_id, 500, "f1")
    data = AdminPayoutIn(seller_id=sellers.seller_id, amount_minor=500, currency="EUR")
    async with runtime.database.transaction() as session:
        result = await service.create_admin_payout(session, sellers.principal("admin"), data, "a1")
    assert (result.payout.status, result.payout.trigger.value) == (PayoutStatus.PENDING, "admin")
    assert (await payout_row(runtime, result.payout.id)).status == "paid"  # sent after commit
    with pytest.raises(NotFound):
        async with runtime.database.reading() as session:
            await service.get_payout(session, sellers.principal("other_seller"), result.payout.id)
    await ledger_ok(runtime)
