"""Announcing PaymentSucceeded / PaymentFailed: in process right after the commit, with an
outbox message as the durable backstop.

The outbox message is written in the same transaction but only becomes due a minute later. Once
every subscriber has handled the in-process dispatch, the message is marked published, so the
relay skips it; if the process dies first (or a subscriber fails), the relay dispatches the
event again from the outbox. Subscribers therefore see each event at least once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.db import after_commit, current_database
from mercato.kit.events import handlers_for
from mercato.kit.outbox import OutboxMessage, add_message
from mercato.payments.events import FAILED_TOPIC, SUCCEEDED_TOPIC, PaymentFailed, PaymentSucceeded

log = structlog.get_logger(__name__)

OUTBOX_GRACE = timedelta(minutes=1)
PaymentEvent = PaymentSucceeded | PaymentFailed


def announce(session: AsyncSession, event: PaymentEvent) -> None:
    topic = SUCCEEDED_TOPIC if isinstance(event, PaymentSucceeded) else FAILED_TOPIC
    message = add_message(session, topic, event.to_payload())
    message.available_at = message.created_at + OUTBOX_GRACE
    message_id = message.id

    async def dispatch() -> None:
        if await dispatch_to_subscribers(event):
            await _mark_published(message_id)

    after_commit(session, dispatch)


async def dispatch_to_subscribers(event: PaymentEvent) -> bool:
    """Call every subscriber; True when all of them succeeded."""
    succeeded = True
    for handler in handlers_for(type(event)):
        try:
            await handler(event)
        except Exception:
            succeeded = False
            log.exception(
                "payments.subscriber_failed", event=type(event).__name__, handler=repr(handler)
            )
    return succeeded


async def _mark_published(message_id: uuid.UUID) -> None:
    try:
        async with current_database().transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.published_at.is_(None))
                .values(published_at=clock.now(), attempts=OutboxMessage.attempts + 1)
                .execution_options(synchronize_session=False)
            )
    except Exception:
        # Harmless: the relay dispatches the event once more after the grace period.
        log.warning("payments.announce_not_marked", message_id=str(message_id), exc_info=True)
