"""Performance background jobs, named ``performance.<verb_noun>``: the daily evaluation.
Derived from database state, one seller per transaction, paced by each standing's last
change: a crash or a second scheduler delays work but never doubles a step."""

from __future__ import annotations

from datetime import timedelta

import structlog

from mercato.kit import clock
from mercato.kit.db import current_database
from mercato.kit.scheduler import periodic
from mercato.performance import service
from mercato.performance.schemas import EvaluationReport

log = structlog.get_logger(__name__)


@periodic("performance.evaluate_sellers", every=timedelta(days=1))
async def evaluate_sellers_job() -> None:
    await evaluate_sellers()


async def evaluate_sellers() -> EvaluationReport:
    """Evaluate every active seller, each in its own unit of work."""
    database = current_database()
    report = EvaluationReport()
    now = clock.now()
    async with database.transaction(writes=False) as session:
        sellers = await service.sellers_to_evaluate(session, now)
    for seller_id in sellers:
        try:
            async with database.transaction(writes=True) as session:
                moved = await service.evaluate_seller(session, seller_id, now)
        except Exception:
            # One seller's failure must not stop the others; the next run evaluates it again.
            log.exception("performance.evaluate_failed", seller_id=str(seller_id))
            continue
        report.evaluated += 1
        report.escalated += moved > 0
        report.deescalated += moved < 0
    log.info("performance.evaluated", **report.model_dump())
    return report
