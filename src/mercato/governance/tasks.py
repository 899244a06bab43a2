"""Governance background jobs, named ``governance.<verb_noun>``: the SLA sweep. Derived from
database state, one deadline per transaction, every outcome claimed by a conditional update,
so a crash or a second scheduler delays work but never loses or doubles it."""

from __future__ import annotations

from datetime import timedelta

import structlog

from mercato.governance import service
from mercato.governance.schemas import SweepReport
from mercato.kit.db import current_database
from mercato.kit.scheduler import periodic

log = structlog.get_logger(__name__)


@periodic("governance.sweep_sla_clocks", every=timedelta(minutes=5))
async def sweep_sla_clocks_job() -> None:
    await sweep_sla_clocks()


async def sweep_sla_clocks() -> SweepReport:
    """Remind sellers of deadlines coming up, then settle every deadline that is due."""
    database = current_database()
    report = SweepReport()
    async with database.transaction(writes=False) as session:
        to_remind = await service.deadlines_to_remind(session)
        due = await service.deadlines_due(session)
    for deadline_id in to_remind:
        async with database.transaction(writes=True) as session:
            report.reminded += await service.remind_deadline(session, deadline_id)
    for deadline_id in due:
        try:
            async with database.transaction(writes=True) as session:
                report.breached += await service.enforce_deadline(session, deadline_id)
        except Exception:
            # One order's failure must not stop the others; it stays due for the next sweep.
            log.exception("governance.sla_enforce_failed", deadline_id=str(deadline_id))
    if report.reminded or report.breached:
        log.info("governance.sla_sweep", **report.model_dump())
    return report
