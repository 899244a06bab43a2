"""Applying a provider's view of a payment to ours: the one place a payment changes status.

Statuses only move up :data:`~mercato.payments.calculations.STATUS_RANK`, and the capture journal
is keyed by the payment, so the result is the same whether the provider's answers and webhooks
arrive once, twice, late or out of order.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.errors import MercatoError
from mercato.kit.ids import new_id
from mercato.kit.money import Money
from mercato.payments import repository
from mercato.payments.calculations import can_advance, capture_postings, escrow_parts
from mercato.payments.events import PaymentFailed, PaymentSucceeded
from mercato.payments.models import Payment, PaymentTransition, WebhookInbox
from mercato.payments.providers import provider_for
from mercato.payments.providers.base import ProviderPayment
from mercato.payments.schemas import PaymentStatus
from mercato.payments.service._announce import announce
from mercato.payments.service.ledger import post_journal


class PaymentMismatch(MercatoError):
    """The provider reported another amount or currency than the payment's: never trusted."""

    status, slug, title = 422, "payment-mismatch", "The provider's amount or currency differs"


def mismatch(payment: Payment, state: ProviderPayment) -> str | None:
    """Why ``state`` cannot be about ``payment``, or None."""
    if state.currency != payment.currency or state.amount_minor != payment.amount_minor:
        ours = Money(payment.amount_minor, payment.currency)
        return (
            f"The provider reports {state.currency} {state.amount_minor} (minor units) for a "
            f"payment of {ours}."
        )
    return None


def record_transition(
    session: AsyncSession, payment: Payment, from_status: str | None, source: str
) -> None:
    session.add(
        PaymentTransition(
            id=new_id(),
            payment_id=payment.id,
            from_status=from_status,
            to_status=payment.status,
            source=source[:300],
            created_at=clock.now(),
        )
    )


async def apply_provider_state(
    session: AsyncSession, payment: Payment, state: ProviderPayment, source: str
) -> bool:
    """Move ``payment`` to the provider's status when that is a step forward; True if it moved.

    The caller has checked :func:`mismatch` and holds the payment's row lock."""
    if state.card is not None and payment.card_token is None:
        payment.card_token = state.card.token
        payment.card_brand = state.card.brand
        payment.card_last4 = state.card.last4
        payment.card_exp_month = state.card.exp_month
        payment.card_exp_year = state.card.exp_year
    current = PaymentStatus(payment.status)
    new = state.status
    if not can_advance(current, new):
        await session.flush()
        return False
    payment.status = new.value
    payment.redirect_url = (
        (state.redirect_url or payment.redirect_url)
        if new is PaymentStatus.REQUIRES_ACTION
        else None
    )
    if new in (PaymentStatus.FAILED, PaymentStatus.CANCELED):
        payment.failure_code = state.failure_code
        payment.failure_message = state.failure_message
    record_transition(session, payment, current.value, source)
    if new is PaymentStatus.SUCCEEDED:
        await _captured(session, payment)
    elif new in (PaymentStatus.FAILED, PaymentStatus.CANCELED):
        announce(
            session,
            PaymentFailed(
                payment_id=payment.id,
                payer_id=payment.payer_id,
                status=new.value,
                purpose_reference=payment.purpose_reference,
                failure_code=payment.failure_code,
            ),
        )
    await session.flush()
    return True


async def _captured(session: AsyncSession, payment: Payment) -> None:
    """The money arrived: journal it from the provider's clearing account into escrow."""
    payment.failure_code = payment.failure_message = None
    payment.succeeded_at = clock.now()
    split = [(str(account), int(weight)) for account, weight in payment.split]
    journal = await post_journal(
        session,
        f"payment:{payment.id}:capture",
        "payment_capture",
        capture_postings(payment.provider, payment.amount_minor, payment.currency, split),
        f"payment:{payment.id}",
    )
    payment.capture_journal_id = journal.id
    announce(
        session,
        PaymentSucceeded(
            payment_id=payment.id,
            payer_id=payment.payer_id,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            purpose_reference=payment.purpose_reference,
            journal_id=journal.id,
            parts=tuple(escrow_parts(payment.amount_minor, split)),
        ),
    )


async def apply_inbox_event(
    session: AsyncSession, payment: Payment, inbox: WebhookInbox, state: ProviderPayment
) -> None:
    """Process one stored webhook about ``payment`` and record the outcome on it."""
    problem = mismatch(payment, state)
    if problem is not None:
        inbox.outcome, inbox.detail = "refused", problem
    else:
        source = f"webhook:{inbox.provider}:{inbox.event_id}"
        moved = await apply_provider_state(session, payment, state, source)
        inbox.outcome = "applied" if moved else "ignored"
        inbox.detail = None if moved else f"The payment is already {payment.status}."
    inbox.processed_at = clock.now()
    await session.flush()


async def apply_pending_inbox(session: AsyncSession, payment: Payment) -> None:
    """Webhooks that arrived before we knew the provider's payment id, applied now."""
    if payment.provider_payment_id is None:
        return
    pending = await repository.pending_inbox_events(
        session, payment.provider, payment.provider_payment_id
    )
    if not pending:
        return
    provider = provider_for(payment.provider, session)
    for inbox in pending:
        event = provider.event_from_payload(inbox.payload)
        if event.payment is not None:
            await apply_inbox_event(session, payment, inbox, event.payment)
