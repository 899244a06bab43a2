"""Payments background work: the sandbox provider's settlement and webhook deliveries, and the
outbox relay's dispatch of payment events."""

from __future__ import annotations

from datetime import timedelta

import structlog

from mercato.kit import clock
from mercato.kit.db import current_database
from mercato.kit.errors import MercatoError
from mercato.kit.jobs import job
from mercato.kit.outbox import OutboxDelivery, outbox_handler, republish
from mercato.kit.scheduler import periodic
from mercato.payments import service
from mercato.payments.events import (
    FAILED_TOPIC,
    PAYOUT_REPORTED_TOPIC,
    SUCCEEDED_TOPIC,
    PaymentFailed,
    PaymentSucceeded,
    PayoutReported,
)
from mercato.payments.providers.sandbox import DELIVERY_BATCH
from mercato.payments.service.sandbox import DELIVER_JOB

log = structlog.get_logger(__name__)

MAX_DELIVERY_ROUNDS = 10


@job(DELIVER_JOB)
async def sandbox_deliver_events() -> None:
    """Send the sandbox's pending webhooks to our webhook handler, each signed afresh.

    The handler is called as a function, as the HTTP endpoint would call it, not over the
    network: the status it would have answered is what the sandbox records."""
    await deliver_sandbox_events()


async def deliver_sandbox_events() -> int:
    """Deliver every pending sandbox webhook; the number delivered successfully."""
    database = current_database()
    delivered = 0
    for _ in range(MAX_DELIVERY_ROUNDS):
        async with database.transaction() as session:
            pending = await service.pending_sandbox_deliveries(session)
        succeeded = 0
        for delivery in pending:
            status = await _deliver(delivery.body, delivery.headers, delivery.event_id)
            async with database.transaction() as session:
                await service.record_sandbox_delivery(session, delivery.event_id, status)
            succeeded += status < 300
        delivered += succeeded
        if succeeded < len(pending):
            break  # the rest waits for the periodic sweep's retry
        if len(pending) < DELIVERY_BATCH:
            break  # nothing was left behind; events sent since come with their own job
    return delivered


async def _deliver(body: bytes, headers: dict[str, str], event_id: str) -> int:
    """The HTTP status our webhook endpoint would have answered."""
    try:
        async with current_database().transaction() as session:
            await service.receive_webhook(session, "sandbox", body, headers)
    except MercatoError as error:
        return error.status
    except Exception:
        log.exception("payments.sandbox_delivery_failed", event_id=event_id)
        return 500
    return 200


@job("payments.sandbox_settle_transfer")
async def sandbox_settle_transfer(provider_payment_id: str) -> None:
    """The sandbox confirms a processing bank transfer (or fails the "fails later" card) and
    sends the webhook."""
    async with current_database().transaction() as session:
        await service.settle_sandbox_payment(session, provider_payment_id)
    await deliver_sandbox_events()


@periodic("payments.sandbox_run_due", every=timedelta(seconds=2))
async def sandbox_run_due() -> None:
    """Settle the sandbox payments whose time has come and retry undelivered webhooks."""
    database = current_database()
    async with database.transaction() as session:
        due = await service.sandbox_payments_due(session)
    for provider_payment_id in due:
        async with database.transaction() as session:
            await service.settle_sandbox_payment(session, provider_payment_id)
    await deliver_sandbox_events()


@outbox_handler(SUCCEEDED_TOPIC)
async def relay_payment_succeeded(delivery: OutboxDelivery) -> None:
    await republish(PaymentSucceeded.from_payload(delivery.payload))


@outbox_handler(FAILED_TOPIC)
async def relay_payment_failed(delivery: OutboxDelivery) -> None:
    await republish(PaymentFailed.from_payload(delivery.payload))


@periodic("payments.roll_up_captures", every=timedelta(hours=1))
async def roll_up_captures() -> None:
    """Sum the captures of the days that closed since the last run, so the finance figures
    never re-read the whole ledger (see :func:`service.roll_up_closed_days`)."""
    async with current_database().transaction() as session:
        rows = await service.roll_up_closed_days(session)
    if rows:
        log.info("captures_rolled_up", rows=rows)


@periodic("payments.reconcile_daily", every=timedelta(days=1))
async def reconcile_daily() -> None:
    """Just after midnight UTC: reconcile yesterday for every provider that is set up, each in
    its own transaction, so that one provider failing leaves the others' runs."""
    yesterday = clock.now().date() - timedelta(days=1)
    for provider in service.reconciled_providers():
        async with current_database().transaction() as session:
            result = await service.reconcile_day(session, yesterday, provider)
        log.info(
            "payments.reconciled",
            provider=provider,
            day=yesterday.isoformat(),
            status=result.status,
            mismatches=result.mismatch_count,
        )


@outbox_handler(PAYOUT_REPORTED_TOPIC)
async def relay_payout_reported(delivery: OutboxDelivery) -> None:
    await republish(PayoutReported.from_payload(delivery.payload))
