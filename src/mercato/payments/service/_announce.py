"""Announcing PaymentSucceeded / PaymentFailed durably (see :func:`mercato.kit.outbox.announce`):
subscribers see each event at least once, even if the process dies right after the commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.outbox import announce as announce_durably
from mercato.payments.events import FAILED_TOPIC, SUCCEEDED_TOPIC, PaymentFailed, PaymentSucceeded

PaymentEvent = PaymentSucceeded | PaymentFailed


def announce(session: AsyncSession, event: PaymentEvent) -> None:
    topic = SUCCEEDED_TOPIC if isinstance(event, PaymentSucceeded) else FAILED_TOPIC
    announce_durably(session, event, topic, event.to_payload())
