"""Reacting to payments: the outcome of a payout the provider reports later by webhook (a bank
that refuses the transfer days afterwards) is applied to our payout, in its own unit of work.
The payments outbox redelivers the report if this fails; applying it twice changes nothing."""

from __future__ import annotations

from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.payments.events import PayoutReported
from mercato.payouts import service


@subscribe(PayoutReported)
async def apply_reported_outcome(report: PayoutReported) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.apply_reported_outcome(session, report)
