"""Payments through the sandbox provider, on SQLite and PostgreSQL: every method and test card,
the Idempotency-Key rule, escrow splits, events, and who may pay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from mercato.kit import events
from mercato.kit import jobs as jobs_module
from mercato.kit.auth import ANONYMOUS, Principal, Role
from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from mercato.kit.jobs import run_job
from mercato.kit.money import Money
from mercato.kit.outbox import OutboxMessage
from mercato.kit.runtime import Runtime
from mercato.payments import PaymentFailed, PaymentSucceeded, balance, service, start_payment
from mercato.payments.models import Payment, PaymentTransition, SandboxPayment
from mercato.payments.providers.base import IdempotencyMismatch
from mercato.payments.schemas import PaymentMethod, PaymentStatus
from tests.payments.conftest import count_rows, ledger_snapshot, make_user

received: list[object] = []


@events.subscribe(PaymentSucceeded)
async def _on_succeeded(event: PaymentSucceeded) -> None:
    received.append(event)


@events.subscribe(PaymentFailed)
async def _on_failed(event: PaymentFailed) -> None:
    received.append(event)


@pytest.fixture(autouse=True)
def _clear_received() -> Iterator[None]:
    received.clear()
    yield
    received.clear()


async def start(
    runtime: Runtime,
    buyer: Principal,
    amount: int = 1234,
    method: PaymentMethod = PaymentMethod.CARD,
    key: str = "key-1",
    **kw,
) -> service.PaymentStart:
    async with runtime.database.transaction() as session:
        return await start_payment(
            session,
            buyer,
            Money(amount, kw.pop("currency", "EUR")),
            method,
            key,
            kw.pop("reference", "cart:1"),
            kw.pop("return_url", None),
            **kw,
        )


async def sandbox_id(runtime: Runtime, payment_id) -> str:
    async with runtime.database.reading() as session:
        payment = await session.get(Payment, payment_id)
        assert payment is not None and payment.provider_payment_id
        return payment.provider_payment_id


async def pay_card(runtime: Runtime, payment_id, number: str) -> str:
    provider_id = await sandbox_id(runtime, payment_id)
    async with runtime.database.transaction() as session:
        return await service.pay_by_card(session, provider_id, number, "12/34", "123")


async def current(runtime: Runtime, buyer: Principal, payment_id):
    async with runtime.database.reading() as session:
        return await service.get_payment(session, buyer, payment_id)


async def test_a_card_payment_succeeds_and_lands_in_escrow(runtime: Runtime, buyer: Principal):
    started = await start(runtime, buyer)
    payment = started.payment
    assert not started.replayed
    assert payment.status is PaymentStatus.REQUIRES_ACTION
    assert (
        payment.redirect_url
        == f"http://testserver/sandbox/pay/{await sandbox_id(runtime, payment.id)}"
    )
    assert payment.return_url == "http://testserver/payments/return"

    next_url = await pay_card(runtime, payment.id, "4242 4242 4242 4242")
    assert next_url.startswith("http://testserver/payments/return?sandbox_payment=sbx_pay_")
    assert next_url.endswith("redirect_status=succeeded")

    done = await current(runtime, buyer, payment.id)
    assert done.status is PaymentStatus.SUCCEEDED
    assert done.card is not None
    assert (done.card.brand, done.card.last4, done.card.exp_month, done.card.exp_year) == (
        "visa",
        "4242",
        12,
        2034,
    )
    escrow = f"escrow:payment:{payment.id}"
    async with runtime.database.reading() as session:
        assert await balance(session, escrow, "EUR") == Money(1234, "EUR")
        assert await balance(session, "provider:sandbox:clearing", "EUR") == Money(-1234, "EUR")
        transitions = (
            await session.execute(
                select(PaymentTransition.from_status, PaymentTransition.to_status)
                .where(PaymentTransition.payment_id == payment.id)
                .order_by(PaymentTransition.id)
            )
        ).all()
        assert transitions == [
            (None, "created"),
            ("created", "requires_action"),
            ("requires_action", "succeeded"),
        ]
        outbox = (await session.execute(select(OutboxMessage))).scalars().all()
        assert [m.topic for m in outbox] == ["payments.payment_succeeded"]
        # Dispatched in process already: the relay will not dispatch it again.
        assert outbox[0].published_at is not None
    [event] = received
    assert isinstance(event, PaymentSucceeded)
    assert event.parts == ((escrow, 1234),)
    assert event.purpose_reference == "cart:1"


async def test_a_split_payment_fills_each_escrow_exactly(runtime: Runtime, buyer: Principal):
    split = [("escrow:order:a", 1), ("escrow:order:b", 1), ("escrow:order:c", 1)]
    payment = (await start(runtime, buyer, amount=100, split=split)).payment
    await pay_card(runtime, payment.id, "4242424242424242")
    async with runtime.database.reading() as session:
        amounts = [(await balance(session, a, "EUR")).amount_minor for a, _ in split]
    assert amounts == [34, 33, 33]
    [event] = received
    assert isinstance(event, PaymentSucceeded)
    assert event.parts == (("escrow:order:a", 34), ("escrow:order:b", 33), ("escrow:order:c", 33))


async def test_the_same_key_replays_and_another_body_conflicts(runtime: Runtime, buyer: Principal):
    first = (await start(runtime, buyer)).payment
    tables = (Payment, SandboxPayment, PaymentTransition)
    before = await count_rows(runtime.database, *tables)
    again = await start(runtime, buyer)
    assert again.replayed
    assert again.payment.id == first.id
    assert await count_rows(runtime.database, *tables) == before
    with pytest.raises(IdempotencyMismatch) as conflict:
        await start(runtime, buyer, amount=1235)
    assert conflict.value.status == 409
    assert await count_rows(runtime.database, *tables) == before
    # Keys belong to their buyer: another buyer's same key is another payment.
    other = await make_user(runtime, name="other")
    assert (await start(runtime, other)).payment.id != first.id


async def test_declined_card_fails_without_moving_money(runtime: Runtime, buyer: Principal):
    payment = (await start(runtime, buyer)).payment
    next_url = await pay_card(runtime, payment.id, "4000 0000 0000 0002")
    assert next_url.endswith("redirect_status=failed")
    done = await current(runtime, buyer, payment.id)
    assert done.status is PaymentStatus.FAILED
    assert done.failure_code == "card_declined"
    assert (await ledger_snapshot(runtime.database)).journals == []
    [event] = received
    assert isinstance(event, PaymentFailed)
    assert (event.status, event.failure_code) == ("failed", "card_declined")


@pytest.mark.parametrize(
    ("approve", "status"), [(True, PaymentStatus.SUCCEEDED), (False, PaymentStatus.FAILED)]
)
async def test_the_challenge_card_asks_first(
    runtime: Runtime, buyer: Principal, approve: bool, status: PaymentStatus
):
    payment = (await start(runtime, buyer)).payment
    provider_id = await sandbox_id(runtime, payment.id)
    next_url = await pay_card(runtime, payment.id, "4000000000003220")
    assert next_url == f"http://testserver/sandbox/pay/{provider_id}/challenge"
    assert (await current(runtime, buyer, payment.id)).status is PaymentStatus.REQUIRES_ACTION
    async with runtime.database.transaction() as session:
        await service.decide_challenge(session, provider_id, approve=approve)
    assert (await current(runtime, buyer, payment.id)).status is status


async def test_the_late_failing_card_processes_then_fails(
    runtime: Runtime, buyer: Principal, frozen_clock: FrozenClock
):
    payment = (await start(runtime, buyer)).payment
    next_url = await pay_card(runtime, payment.id, "4000000000000341")
    assert next_url.endswith("redirect_status=processing")
    assert (await current(runtime, buyer, payment.id)).status is PaymentStatus.PROCESSING
    await run_job("payments.sandbox_run_due", {})  # not due yet
    assert (await current(runtime, buyer, payment.id)).status is PaymentStatus.PROCESSING
    frozen_clock.advance(timedelta(seconds=6))
    await run_job("payments.sandbox_run_due", {})
    done = await current(runtime, buyer, payment.id)
    assert (done.status, done.failure_code) == (PaymentStatus.FAILED, "processing_error")


async def test_a_wallet_payment_is_approved_or_canceled(runtime: Runtime, buyer: Principal):
    approved = (await start(runtime, buyer, method=PaymentMethod.EWALLET, key="w1")).payment
    canceled = (await start(runtime, buyer, method=PaymentMethod.EWALLET, key="w2")).payment
    assert approved.redirect_url and "/sandbox/pay/sbx_pay_" in approved.redirect_url
    async with runtime.database.transaction() as session:
        await service.approve_wallet(session, await sandbox_id(runtime, approved.id))
    async with runtime.database.transaction() as session:
        await service.cancel_hosted(session, await sandbox_id(runtime, canceled.id))
    assert (await current(runtime, buyer, approved.id)).status is PaymentStatus.SUCCEEDED
    assert (await current(runtime, buyer, canceled.id)).status is PaymentStatus.CANCELED


async def test_a_bank_transfer_is_confirmed_by_webhook(runtime: Runtime, buyer: Principal):
    payment = (await start(runtime, buyer, method=PaymentMethod.BANK_TRANSFER)).payment
    assert payment.status is PaymentStatus.PROCESSING
    assert payment.redirect_url is None
    provider_id = await sandbox_id(runtime, payment.id)
    await run_job("payments.sandbox_settle_transfer", {"provider_payment_id": provider_id})
    assert (await current(runtime, buyer, payment.id)).status is PaymentStatus.SUCCEEDED
    before = await ledger_snapshot(runtime.database)
    # The job redelivered (a retry): nothing more happens.
    await run_job("payments.sandbox_settle_transfer", {"provider_payment_id": provider_id})
    assert await ledger_snapshot(runtime.database) == before
    assert len(before.journals) == 1


async def test_the_buyer_back_before_the_webhook_sees_the_same_result(
    runtime: Runtime, buyer: Principal
):
    # Webhooks are held back: the jobs queue but do not run.
    held = jobs_module.InProcessBackend(eager=False)
    previous = jobs_module.install_backend(held)
    try:
        payment = (await start(runtime, buyer)).payment
        await pay_card(runtime, payment.id, "4242424242424242")
        assert (await current(runtime, buyer, payment.id)).status is PaymentStatus.REQUIRES_ACTION
        async with runtime.database.transaction() as session:
            refreshed = await service.refresh_payment(session, buyer, payment.id)
        assert refreshed.status is PaymentStatus.SUCCEEDED
        after_refresh = await ledger_snapshot(runtime.database)
        await held.drain()  # the webhooks arrive late
    finally:
        jobs_module.install_backend(previous)
    assert await ledger_snapshot(runtime.database) == after_refresh
    assert (await current(runtime, buyer, payment.id)).status is PaymentStatus.SUCCEEDED
    assert len([e for e in received if isinstance(e, PaymentSucceeded)]) == 1


@pytest.mark.parametrize(
    ("who", "error"),
    [("anonymous", Unauthorized), ("seller", Forbidden), ("admin", Forbidden)],
)
async def test_only_buyers_pay_and_refusals_write_nothing(runtime: Runtime, who: str, error):
    principal = ANONYMOUS if who == "anonymous" else await make_user(runtime, Role(who), who)
    before = await count_rows(runtime.database, Payment, SandboxPayment)
    with pytest.raises(error):
        await start(runtime, principal)
    assert await count_rows(runtime.database, Payment, SandboxPayment) == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 0}, "amount_minor"),
        ({"amount": -5}, "amount_minor"),
        ({"key": ""}, "Idempotency-Key"),
        ({"key": None}, "Idempotency-Key"),
        ({"key": "x" * 256}, "Idempotency-Key"),
        ({"method": "cheque"}, "method"),
        ({"return_url": "https://evil.example/"}, "return_url"),
        ({"split": [("seller:1:available", 1)]}, "split"),
    ],
)
async def test_bad_requests_are_refused_before_anything_is_written(
    runtime: Runtime, buyer: Principal, kwargs, field: str
):
    before = await count_rows(runtime.database, Payment, SandboxPayment)
    with pytest.raises(ValidationFailed) as refused:
        await start(runtime, buyer, **kwargs)
    assert refused.value.errors[0].field == field
    assert await count_rows(runtime.database, Payment, SandboxPayment) == before


async def test_an_unknown_provider_is_refused(runtime: Runtime, buyer: Principal):
    with pytest.raises(NotFound):
        await start(runtime, buyer, provider="nope")
    assert await count_rows(runtime.database, Payment) == {"payments_payment": 0}


async def test_payments_are_visible_to_their_payer_and_staff_only(runtime: Runtime, buyer):
    payment = (await start(runtime, buyer)).payment
    other = await make_user(runtime, name="other")
    support = await make_user(runtime, Role.SUPPORT, "support")
    async with runtime.database.reading() as session:
        assert (await service.get_payment(session, support, payment.id)).id == payment.id
        with pytest.raises(NotFound):
            await service.get_payment(session, other, payment.id)
        mine = await service.list_payments(session, buyer)
        theirs = await service.list_payments(session, other)
        everyone = await service.list_payments(session, support)
    assert [p.id for p in mine.items] == [payment.id]
    assert theirs.items == []
    assert [p.id for p in everyone.items] == [payment.id]
