"""Settlement sweeps: release every due escrow, and warn before escrow outlives the provider's
maximum holding time. Both are derived from database state, one order per transaction, so a
crash or a second scheduler delays work but never loses or doubles it."""

from __future__ import annotations

from datetime import timedelta

import structlog

from mercato.kit.db import current_database
from mercato.kit.scheduler import periodic
from mercato.settlement import service

log = structlog.get_logger(__name__)


@periodic("settlement.release_due_escrow", every=timedelta(minutes=1))
async def release_due_escrow_job() -> None:
    await release_due_escrow()


async def release_due_escrow() -> int:
    """Release every escrow that is due; the number released."""
    database = current_database()
    async with database.transaction(writes=False) as session:
        order_ids = await service.due_escrows(session)
    released = 0
    for order_id in order_ids:
        try:
            async with database.transaction(writes=True) as session:
                released += await service.release_due_escrow(session, order_id)
        except Exception:
            # One order's failure (an overdrawn escrow means the books disagree) must not
            # stop the others; it stays due and is retried by the next sweep.
            log.exception("settlement.release_failed", order_id=str(order_id))
    if released:
        log.info("settlement.escrow_released_batch", count=released)
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
