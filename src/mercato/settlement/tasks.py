"""Settlement sweeps: release every due escrow, and warn before escrow outlives the provider's
maximum holding time. Both are derived from database state (releases a few orders per
transaction, each claimed by a conditional update), so a crash or a second scheduler delays
work but never loses or doubles it."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import structlog

from mercato.kit.db import Database, current_database
from mercato.kit.scheduler import periodic
from mercato.settlement import service

log = structlog.get_logger(__name__)

# Releases committed together: a commit (its disk flush) costs more than a release, so a batch
# is much faster; it stays small so a batch holds each seller's balance lock only briefly.
RELEASES_PER_TRANSACTION = 25
# Due orders read at a time, and how long one run (scheduled every minute) keeps reading more:
# a backlog drains at the sweep's own rate rather than a batch a minute.
DUE_PER_BATCH = 500
RUN_BUDGET = timedelta(seconds=45)


@periodic("settlement.release_due_escrow", every=timedelta(minutes=1))
async def release_due_escrow_job() -> None:
    await release_due_escrow()


async def release_due_escrow(budget: timedelta = RUN_BUDGET) -> int:
    """Release every escrow that is due, batch after batch, until none is left or the run has
    worked for ``budget`` (the next run carries on); the number released."""
    database = current_database()
    deadline = time.monotonic() + budget.total_seconds()
    released = 0
    while True:
        async with database.transaction(writes=False) as session:
            order_ids = await service.due_escrows(session, limit=DUE_PER_BATCH)
        done = 0
        for start in range(0, len(order_ids), RELEASES_PER_TRANSACTION):
            batch = order_ids[start : start + RELEASES_PER_TRANSACTION]
            try:
                done += await _release_together(database, batch)
            except Exception:
                # One order's failure (an overdrawn escrow means the books disagree) must not
                # stop the others: the batch is rolled back and released one order at a time.
                done += await _release_one_by_one(database, batch)
        released += done
        # A short batch was all that is due; a batch that released nothing only holds orders
        # that failed (they wait for the next run); past the budget, the next run carries on.
        if len(order_ids) < DUE_PER_BATCH or done == 0 or time.monotonic() >= deadline:
            break
    if released:
        log.info("settlement.escrow_released_batch", count=released)
    return released


async def _release_together(database: Database, order_ids: list[uuid.UUID]) -> int:
    async with database.transaction(writes=True) as session:
        return sum([await service.release_due_escrow(session, o) for o in order_ids])


async def _release_one_by_one(database: Database, order_ids: list[uuid.UUID]) -> int:
    released = 0
    for order_id in order_ids:
        try:
            async with database.transaction(writes=True) as session:
                released += await service.release_due_escrow(session, order_id)
        except Exception:
            # It stays due and is retried by the next sweep.
            log.exception("settlement.release_failed", order_id=str(order_id))
    return released


@periodic("settlement.alert_hold_horizon", every=timedelta(hours=1))
async def alert_hold_horizon_job() -> None:
    await alert_hold_horizon()


async def alert_hold_horizon() -> int:
    """Alert, once per order, about escrow nearing the maximum holding time."""
    database = current_database()
    async with database.transaction(writes=False) as session:
        order_ids = await service.escrows_near_horizon(session)
    alerted = 0
    for order_id in order_ids:
        async with database.transaction(writes=True) as session:
            alerted += await service.alert_near_horizon(session, order_id)
    return alerted
