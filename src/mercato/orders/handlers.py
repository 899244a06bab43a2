"""Reacting to payments: a succeeded payment makes its order group paid. Each event is handled
in its own unit of work; the payments outbox redelivers an event whose handling failed, and
the handling is idempotent."""

from __future__ import annotations

from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.orders import service
from mercato.payments.events import PaymentFailed, PaymentSucceeded


@subscribe(PaymentSucceeded)
async def mark_group_paid(event: PaymentSucceeded) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.record_payment_succeeded(session, event)


@subscribe(PaymentFailed)
async def note_payment_failed(event: PaymentFailed) -> None:
    async with current_database().transaction() as session:
        await service.record_payment_failed(session, event)
