"""Commission background work: the monthly plan fees, charged by a periodic sweep derived from
the subscriptions (a rerun charges nobody twice)."""

from __future__ import annotations

from datetime import timedelta

from mercato.commission import service
from mercato.kit.db import current_database
from mercato.kit.scheduler import periodic


@periodic("commission.charge_plan_fees", every=timedelta(hours=1))
async def charge_plan_fees() -> None:
    """Charge this month's fee of every paid plan not charged yet."""
    async with current_database().transaction(writes=True) as session:
        await service.charge_plan_fees(session)
