"""Announcing PaymentSucceeded / PaymentFailed / PayoutReported durably (see
:func:`mercato.kit.outbox.announce`): subscribers see each event at least once, even if the
process dies right after the commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.outbox import announce as announce_durably
from mercato.payments.events import (
    FAILED_TOPIC,
    PAYOUT_REPORTED_TOPIC,
    SUCCEEDED_TOPIC,
    PaymentFailed,
    PaymentSucceeded,
    PayoutReported,
)

PaymentEvent = PaymentSucceeded | PaymentFailed | PayoutReported
_TOPICS = {
    PaymentSucceeded: SUCCEEDED_TOPIC,
    PaymentFailed: FAILED_TOPIC,
    PayoutReported: PAYOUT_REPORTED_TOPIC,
}


def announce(session: AsyncSession, event: PaymentEvent) -> None:
    announce_durably(session, event, _TOPICS[type(event)], event.to_payload())
