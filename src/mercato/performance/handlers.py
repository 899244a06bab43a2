"""Performance's reactions to other domains' events: the disputes' opening and the seller's
answer time its responses to buyers. Each event in its own unit of work; idempotent."""

from __future__ import annotations

from mercato.disputes.events import DisputeAnswered, DisputeOpened
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.performance import service


@subscribe(DisputeOpened)
async def time_dispute_response(event: DisputeOpened) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.record_dispute_opened(
            session, event.dispute_id, event.seller_id, event.opened_at
        )


@subscribe(DisputeAnswered)
async def stop_dispute_response_clock(event: DisputeAnswered) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.record_dispute_answered(
            session, event.dispute_id, event.seller_id, event.answered_at
        )
