"""Announcing PaymentSucceeded / PaymentFailed: in process right after the commit, with an
outbox message as the durable backstop.

The outbox message is written in the same transaction but only becomes due a minute later. Once
every subscriber has handled the in-process dispatch, the message is marked published, so the
relay skips it; if the process dies first (or a subscriber fails), the relay dispatches the
event again from the outbox. Subscribers therefore see each event at least once.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import after_commit, current_database
from mercato.kit.events import publish
from mercato.kit.outbox import add_message, mark_published
from mercato.payments.events import FAILED_TOPIC, SUCCEEDED_TOPIC, PaymentFailed, PaymentSucceeded

log = structlog.get_logger(__name__)

OUTBOX_GRACE = timedelta(minutes=1)
PaymentEvent = PaymentSucceeded | PaymentFailed


def announce(session: AsyncSession, event: PaymentEvent) -> None:
    topic = SUCCEEDED_TOPIC if isinstance(event, PaymentSucceeded) else FAILED_TOPIC
    message_id = add_message(session, topic, event.to_payload(), delay=OUTBOX_GRACE).id

    async def dispatch() -> None:
        if not await publish(event):
            return  # the relay delivers it again after the grace period
        try:
            await mark_published(current_database(), message_id)
        except Exception:
            # Harmless: the relay dispatches the event once more after the grace period.
            log.warning("payments.announce_not_marked", message_id=str(message_id), exc_info=True)

    after_commit(session, dispatch)
