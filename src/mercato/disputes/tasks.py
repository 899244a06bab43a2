"""Disputes background jobs, named ``disputes.<verb_noun>``.

``disputes.escalate_overdue`` is derived from the database alone: open disputes the seller did
not answer in time are escalated to the platform automatically (the recommended model: no
answer counts against the seller and the buyer need not come back), and answered disputes the
buyer did not escalate in time are resolved on the seller's answer. Each dispute is handled in
its own transaction, so a second run does nothing twice.

``disputes.expire_returns`` expires the approved returns the seller did not receive within the
SLA policy's ship-back time; the buyer is told and may still open a dispute inside its window."""

from __future__ import annotations

from datetime import timedelta

from mercato.disputes import service
from mercato.kit.db import current_database
from mercato.kit.scheduler import periodic


async def escalate_overdue() -> int:
    """Escalate the unanswered and resolve the lapsed disputes; how many changed."""
    database = current_database()
    async with database.reading() as session:
        overdue = await service.overdue_disputes(session)
        lapsed = await service.lapsed_disputes(session)
    changed = 0
    for dispute_id in overdue:
        async with database.transaction() as session:
            changed += await service.escalate_overdue(session, dispute_id)
    for dispute_id in lapsed:
        async with database.transaction() as session:
            changed += await service.resolve_lapsed(session, dispute_id)
    return changed


@periodic("disputes.escalate_overdue", every=timedelta(minutes=10))
async def escalate_overdue_job() -> None:
    await escalate_overdue()


async def expire_returns() -> int:
    """Expire the approved returns not received by their ship-back deadline, each in its own
    transaction (derived from the database: a second run finds nothing left to do)."""
    database = current_database()
    async with database.reading() as session:
        overdue = await service.overdue_returns(session)
    expired = 0
    for return_id in overdue:
        async with database.transaction() as session:
            expired += await service.expire_return(session, return_id)
    return expired


@periodic("disputes.expire_returns", every=timedelta(minutes=30))
async def expire_returns_job() -> None:
    await expire_returns()
