"""Payouts background work: sending a recorded payout to the provider, and the periodic sweep
that pays sellers on their schedule and resends payouts whose job was lost."""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog

from mercato.kit import clock
from mercato.kit.db import current_database
from mercato.kit.errors import ServiceUnavailable
from mercato.kit.jobs import job
from mercato.kit.scheduler import periodic
from mercato.payouts import service

log = structlog.get_logger(__name__)


@job(service.SEND_JOB)
async def send_payout(payout_id: str) -> None:
    """Hand one recorded payout to the provider. Safe to repeat: a payout already sent is left
    alone, and the provider answers a repeated key with its first result."""
    await send_one(uuid.UUID(payout_id))


async def send_one(payout_id: uuid.UUID) -> None:
    try:
        async with current_database().transaction() as session:
            await service.send_pending_payout(session, payout_id)
    except ServiceUnavailable:
        # The provider is down: the payout stays pending and the sweep sends it again later.
        log.warning("payouts.provider_unavailable", payout_id=str(payout_id))


async def run_scheduled_payouts() -> int:
    """Pay every seller whose schedule is due today; the number of payouts created. Each seller
    is paid in its own transaction, so one refusal never holds up the others."""
    database = current_database()
    async with database.reading() as session:
        due = await service.due_payouts(session, clock.now().date())
    created = []
    for item in due:
        async with database.transaction() as session:
            payout = await service.pay_scheduled(session, item)
        if payout is not None:
            created.append(payout.id)
    async with database.reading() as session:
        stranded = await service.pending_payouts(session)
    for payout_id in [*created, *stranded]:
        await send_one(payout_id)
    return len(created)


@periodic("payouts.run_scheduled_payouts", every=timedelta(minutes=15))
async def run_scheduled_payouts_job() -> None:
    """The payout sweep: derived from the database, so a second run pays nothing twice."""
    await run_scheduled_payouts()
