"""Daily reconciliation of the ledger's clearing account with the provider's balance
transactions: the pure matching, runs on the sandbox with mismatches made on purpose, the
Stripe adapter's balance history, the CLI's exit code, and who may see or start a run."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import stripe
from sqlalchemy import func, select

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Forbidden, ValidationFailed
from mercato.kit.money import Money
from mercato.kit.runtime import Runtime
from mercato.payments import Posting, clearing_account, post_journal, service, start_payment
from mercato.payments.models import Payment, ReconciliationMismatch, ReconciliationRun
from mercato.payments.providers import provider_for, register_provider
from mercato.payments.providers.base import BalanceTransaction, PayoutRequest, RefundRequest
from mercato.payments.providers.stripe import StripeProvider
from mercato.payments.schemas import PaymentMethod
from mercato.payments.service.reconciliation import (
    AMOUNT_DIFFERS,
    MISSING_AT_PROVIDER,
    MISSING_IN_LEDGER,
    LedgerEntry,
    match_transactions,
)
from tests.fixtures.accounts import ROLES, actors
from tests.payments.conftest import make_user
from tests.payments.test_cli import embedded, in_app, run, said  # noqa: F401  (fixture)
from tests.payments.test_stripe import RecordedHTTPClient

NOON = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
DAY = NOON.date()
CLEARING = clearing_account("sandbox")


def entry(key: str, amount: int, *, reference: str = "r", ids: frozenset[str] = frozenset()):
    return LedgerEntry(uuid.uuid4(), key, "k", reference, NOON, "EUR", amount, ids)


def transaction(provider_id: str, amount: int, key: str | None = None, kind: str = "refund"):
    return BalanceTransaction(provider_id, kind, amount, "EUR", NOON, key)


# --- the pure matching ---------------------------------------------------------------------------


def test_journals_pair_with_the_operations_they_name():
    capture = entry("payment:1:capture", 900, reference="payment:1", ids=frozenset({"sbx_pay_1"}))
    refund = entry("refund:7:provider", -300, reference="order:3")
    payout = entry("payout:9:paid", -500, reference="payout:9")
    matching = match_transactions(
        [capture, refund, payout],
        [
            transaction("sbx_pay_1", 900, "derived-key", kind="capture"),
            transaction("sbx_re_1", -300, "refund:7"),  # the journal's key extends ours
            transaction("sbx_po_1", -500, "payout:9"),  # the journal's reference is our key
        ],
    )
    assert matching.mismatches == []
    assert [e.key for e, _ in matching.matched] == [e.key for e in (capture, refund, payout)]


def test_every_kind_of_difference_is_named():
    matching = match_transactions(
        [entry("refund:1", -250), entry("adjustment:1", 700)],
        [transaction("sbx_re_1", -300, "refund:1"), transaction("sbx_po_1", -400, "payout:2")],
    )
    assert [
        (m.kind, m.ledger_amount_minor, m.provider_amount_minor) for m in matching.mismatches
    ] == [
        (AMOUNT_DIFFERS, -250, -300),
        (MISSING_IN_LEDGER, None, -400),
        (MISSING_AT_PROVIDER, 700, None),
    ]
    assert matching.mismatches[0].detail == (
        "The journal refund:1 says -250 EUR, the provider's refund sbx_re_1 says -300 EUR."
    )


def test_a_journal_pairs_once_and_the_same_amount_wins():
    wrong, right = entry("refund:1:a", -100), entry("refund:1:b", -300)
    matching = match_transactions([wrong, right], [transaction("sbx_re_1", -300, "refund:1")])
    assert [(e.key, t.provider_id) for e, t in matching.matched] == [("refund:1:b", "sbx_re_1")]
    assert [(m.kind, m.journal_key) for m in matching.mismatches] == [
        (MISSING_AT_PROVIDER, "refund:1:a")
    ]


def test_a_key_that_only_shares_a_prefix_is_not_a_link():
    matching = match_transactions([entry("refund:12", -300)], [transaction("x", -300, "refund:1")])
    assert [m.kind for m in matching.mismatches] == [MISSING_IN_LEDGER, MISSING_AT_PROVIDER]


# --- runs on the sandbox -------------------------------------------------------------------------


async def paid(runtime: Runtime, buyer: Principal, amount: int, key: str) -> tuple[uuid.UUID, str]:
    """A card payment through the sandbox: our payment id and the sandbox's."""
    async with runtime.database.transaction() as session:
        started = await start_payment(
            session, buyer, Money(amount, "EUR"), PaymentMethod.CARD, key, "", None
        )
    async with runtime.database.reading() as session:
        payment = await session.get(Payment, started.payment.id)
        assert payment is not None and payment.provider_payment_id
        sandbox_id = payment.provider_payment_id
    async with runtime.database.transaction() as session:
        await service.pay_by_card(session, sandbox_id, "4242 4242 4242 4242", "12/34", "123")
    return started.payment.id, sandbox_id


async def reconcile(runtime: Runtime, day: date = DAY) -> service.ReconciliationOut:
    async with runtime.database.transaction() as session:
        return await service.reconcile_day(session, day, "sandbox")


async def stored_runs(runtime: Runtime) -> tuple[int, int]:
    async with runtime.database.reading() as session:
        runs = (await session.execute(select(func.count()).select_from(ReconciliationRun))).scalar()
        mismatches = (
            await session.execute(select(func.count()).select_from(ReconciliationMismatch))
        ).scalar()
        return int(runs or 0), int(mismatches or 0)


async def test_a_clean_day_matches_every_capture(runtime: Runtime, frozen_clock, buyer):
    await paid(runtime, buyer, 1234, "a")
    await paid(runtime, buyer, 566, "b")
    result = await reconcile(runtime)
    assert (result.status, result.ledger_entries, result.provider_transactions) == ("ok", 2, 2)
    assert (result.matched, result.mismatch_count, result.mismatches) == (2, 0, [])
    assert await stored_runs(runtime) == (1, 0)


async def test_mismatches_made_on_purpose_are_listed_and_kept(
    runtime: Runtime, frozen_clock, buyer
):
    payment_id, sandbox_id = await paid(runtime, buyer, 2000, "a")
    escrow = f"escrow:payment:{payment_id}"
    async with runtime.database.transaction() as session:
        sandbox = provider_for("sandbox", session)
        # The provider refunded 300 but our journal says 250.
        await sandbox.refund_payment(RefundRequest(sandbox_id, 300, "EUR", "refund:r1"))
        refund = [Posting(CLEARING, 250, "EUR"), Posting(escrow, -250, "EUR")]
        await post_journal(session, "refund:r1", "refund", refund, f"payment:{payment_id}")
        frozen_clock.advance(timedelta(seconds=1))
        # The provider paid out money our ledger knows nothing of.
        await sandbox.create_payout(PayoutRequest(400, "EUR", "acct_seller", "payout:ghost"))
        frozen_clock.advance(timedelta(seconds=1))
        # Our ledger says money left the provider, the provider has no trace of it.
        gone = [Posting(CLEARING, 100, "EUR"), Posting(escrow, -100, "EUR")]
        await post_journal(session, "adjustment:lost", "adjustment", gone, "adjustment:1")

    result = await reconcile(runtime)
    assert result.status == "mismatches"
    assert (result.ledger_entries, result.provider_transactions, result.matched) == (3, 3, 1)
    shown = [
        (m.kind, m.journal_key, m.ledger_amount_minor, m.provider_amount_minor)
        for m in result.mismatches
    ]
    assert shown == [
        (AMOUNT_DIFFERS, "refund:r1", -250, -300),
        (MISSING_IN_LEDGER, None, None, -400),
        (MISSING_AT_PROVIDER, "adjustment:lost", -100, None),
    ]
    assert result.mismatches[1].provider_reference.startswith("sbx_pa")
    assert await stored_runs(runtime) == (1, 3)
    admin = Principal(user_id=uuid.uuid4(), role=Role.ADMIN)
    async with runtime.database.reading() as session:
        again = await service.get_reconciliation(session, admin, result.id)
        listed = await service.list_reconciliations(session, admin)
    assert again == result
    assert [(r.id, r.mismatch_count, r.mismatches) for r in listed] == [(result.id, 3, [])]


async def test_a_journal_written_after_midnight_still_finds_its_capture(
    runtime: Runtime, frozen_clock, buyer
):
    frozen_clock.advance(timedelta(hours=11, minutes=59, seconds=59))  # 23:59:59
    payment_id, sandbox_id = await paid(runtime, buyer, 700, "late")
    frozen_clock.advance(timedelta(seconds=2))
    escrow = f"escrow:payment:{payment_id}"
    async with runtime.database.transaction() as session:
        await provider_for("sandbox", session).refund_payment(
            RefundRequest(sandbox_id, 700, "EUR", "refund:late")
        )
    frozen_clock.advance(timedelta(seconds=1))  # our journal lands the next day
    async with runtime.database.transaction() as session:
        refund = [Posting(CLEARING, 700, "EUR"), Posting(escrow, -700, "EUR")]
        await post_journal(session, "refund:late", "refund", refund, f"payment:{payment_id}")
    first, second = await reconcile(runtime, DAY), await reconcile(runtime, DAY + timedelta(1))
    assert (first.status, first.provider_transactions, first.ledger_entries) == ("ok", 1, 1)
    assert (second.status, second.provider_transactions, second.ledger_entries) == ("ok", 1, 1)


async def test_a_day_to_come_is_refused(runtime: Runtime, frozen_clock):
    with pytest.raises(ValidationFailed):
        await reconcile(runtime, DAY + timedelta(days=1))
    assert await stored_runs(runtime) == (0, 0)


async def test_a_provider_that_cannot_be_read_gives_a_failed_run(runtime: Runtime, frozen_clock):
    http = RecordedHTTPClient()
    http.stub("get", "/v1/balance_transactions", {"error": {"message": "down"}}, status=500)
    client = stripe.StripeClient("sk_test", http_client=http, max_network_retries=0)
    previous = register_provider(
        "stripe", lambda session: StripeProvider(client, webhook_secrets=[])
    )
    try:
        async with runtime.database.transaction() as session:
            result = await service.reconcile_day(session, DAY, "stripe")
    finally:
        register_provider("stripe", previous)
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith("Stripe is unavailable")
    assert await stored_runs(runtime) == (1, 0)


# --- the Stripe adapter's balance history --------------------------------------------------------


async def test_stripe_balance_history_is_read_page_by_page():
    http = RecordedHTTPClient()
    created = int(NOON.timestamp())
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_1"}
    first = {
        "object": "list",
        "has_more": True,
        "url": "/v1/balance_transactions",
        "data": [
            {
                "id": "txn_1",
                "object": "balance_transaction",
                "type": "charge",
                "amount": 2500,
                "currency": "eur",
                "created": created,
                "source": charge,
            },
        ],
    }
    second = {
        "object": "list",
        "has_more": False,
        "url": "/v1/balance_transactions",
        "data": [
            {
                "id": "txn_2",
                "object": "balance_transaction",
                "type": "refund",
                "amount": -500,
                "currency": "eur",
                "created": created + 60,
                "source": {"id": "re_1", "object": "refund"},
            },
            {
                "id": "txn_3",
                "object": "balance_transaction",
                "type": "stripe_fee",
                "amount": -15,
                "currency": "eur",
                "created": created + 120,
                "source": None,
            },
        ],
    }
    http.stub("get", "/v1/balance_transactions", first)
    http.stub("get", "/v1/balance_transactions", second)
    client = stripe.StripeClient("sk_test", http_client=http, max_network_retries=0)
    adapter = StripeProvider(client, webhook_secrets=[])
    start = datetime(2026, 1, 15, tzinfo=UTC)
    found = await adapter.balance_transactions(start, start + timedelta(days=1))
    assert [(t.provider_id, t.kind, t.amount_minor, t.currency) for t in found] == [
        ("pi_1", "capture", 2500, "EUR"),
        ("re_1", "refund", -500, "EUR"),
        ("txn_3", "other", -15, "EUR"),
    ]
    assert [r["query"].get("starting_after") for r in http.requests] == [None, "txn_1"]
    assert http.requests[0]["query"]["created[gte]"] == str(int(start.timestamp()))
    assert http.requests[0]["query"]["created[lt]"] == str(int(start.timestamp()) + 86400)


# --- the CLI -------------------------------------------------------------------------------------


def test_the_cli_exits_non_zero_naming_each_mismatch(embedded):  # noqa: F811
    today = clock.now().date().isoformat()
    assert run("payments", "reconcile", "--date", today).exit_code == 0
    lost = [Posting(CLEARING, 100, "EUR"), Posting("escrow:order:1", -100, "EUR")]
    funded = [Posting(CLEARING, -100, "EUR"), Posting("escrow:order:1", 100, "EUR")]

    async def corrupt(session):
        await post_journal(session, "seed:1", "seed", funded, "order:1")
        await post_journal(session, "adjustment:lost", "adjustment", lost, "adjustment:1")

    in_app(corrupt)
    result = run("payments", "reconcile", "--date", today, "--provider", "sandbox")
    assert result.exit_code == 1, result.output
    output = said(result)
    assert f"sandbox {today}: 2 mismatch(es)" in output
    assert "missing_at_provider The journal seed:1 (seed) has no provider transaction." in output
    assert "The journal adjustment:lost (adjustment) has no provider transaction." in output
    bad = run("payments", "reconcile", "--date", "15/01/2026")
    assert bad.exit_code == 2 and "--date must be YYYY-MM-DD" in said(bad)


# --- who may see and start runs ------------------------------------------------------------------

SEES = {"support", "admin"}


async def test_runs_are_started_by_admins_only(runtime: Runtime, frozen_clock):
    for role in (Role.BUYER, Role.SELLER, Role.SUPPORT):
        who = await make_user(runtime, role, role.value)
        with pytest.raises(Forbidden):
            async with runtime.database.transaction() as session:
                await service.run_reconciliation(session, who, DAY, "sandbox")
    assert await stored_runs(runtime) == (0, 0)
    admin = await make_user(runtime, Role.ADMIN, "admin")
    with pytest.raises(ValidationFailed):
        async with runtime.database.transaction() as session:
            await service.run_reconciliation(session, admin, DAY, "nowhere")
    async with runtime.database.transaction() as session:
        result = await service.run_reconciliation(session, admin, DAY, "sandbox")
    assert result.status == "ok"


@pytest.mark.parametrize("who", ROLES)
async def test_api_authorization(runtime: Runtime, client: httpx.AsyncClient, who: str):
    people = await actors(runtime, client)
    async with runtime.database.transaction() as session:
        existing = await service.reconcile_day(session, clock.now().date(), "sandbox")
    headers = people[who].headers
    listed = await client.get("/api/v1/payments/ledger/reconciliations", headers=headers)
    one = await client.get(
        f"/api/v1/payments/ledger/reconciliations/{existing.id}", headers=headers
    )
    started = await client.post(
        "/api/v1/payments/ledger/reconciliations",
        json={"day": clock.now().date().isoformat()},
        headers=headers,
    )
    denied = 401 if who == "anonymous" else 403
    if who in SEES:
        assert (listed.status_code, one.status_code) == (200, 200)
        assert [r["id"] for r in listed.json()] == [str(existing.id)]
        assert one.json()["status"] == "ok"
    else:
        assert (listed.status_code, one.status_code) == (denied, denied)
    if who == "admin":
        assert started.status_code == 201, started.text
        assert started.json()["provider"] == "sandbox"
        assert await stored_runs(runtime) == (2, 0)
    else:
        assert started.status_code == denied
        assert await stored_runs(runtime) == (1, 0)


async def test_api_refuses_bad_input_without_writing(runtime: Runtime, client: httpx.AsyncClient):
    people = await actors(runtime, client)
    admin = people["admin"].headers
    future = (clock.now().date() + timedelta(days=2)).isoformat()
    for body in ({"day": "yesterday"}, {"day": future}, {"day": "2026-01-01", "provider": "x"}):
        response = await client.post(
            "/api/v1/payments/ledger/reconciliations", json=body, headers=admin
        )
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = await client.get(
        f"/api/v1/payments/ledger/reconciliations/{uuid.uuid4()}", headers=admin
    )
    assert missing.status_code == 404
    assert await stored_runs(runtime) == (0, 0)
