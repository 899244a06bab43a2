"""Use cases behind the sandbox provider's hosted pages, its settlement and its webhooks.

The hosted pages belong to the provider, not to Mercato: they are open to whoever holds the
(unguessable) payment link, like a real provider's checkout page. The card number and CVC are
checked and dropped here, inside the provider's endpoint; only the token, brand, last four digits
and expiry continue, in the provider's webhook.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from mercato.kit.jobs import enqueue
from mercato.payments import repository
from mercato.payments.providers import sandbox_provider
from mercato.payments.providers.sandbox import (
    CardInvalid,
    HostedPayment,
    SandboxDelivery,
    check_card,
)

DELIVER_JOB = "payments.sandbox_deliver_events"


class CardRefused(ValidationFailed):
    """The card form has errors (Luhn, expiry, CVC); the messages never repeat the number."""

    slug, title = "card-invalid", "Check the card details"


async def hosted_payment(session: AsyncSession, sandbox_payment_id: str) -> HostedPayment:
    return await sandbox_provider(session).hosted(sandbox_payment_id)


async def pay_by_card(
    session: AsyncSession, sandbox_payment_id: str, number: str, expiry: str, cvc: str
) -> str:
    """Check and tokenise the card, confirm the payment; the URL the buyer goes to next."""
    provider = sandbox_provider(session)
    try:
        card = check_card(number, expiry, cvc, today=clock.now())
    except CardInvalid as error:
        errors = [FieldError(field, message) for field, message in error.errors.items()]
        raise CardRefused(errors[0].message, errors=errors) from None
    del number, cvc  # nothing below may see them
    next_url = await provider.pay_by_card(sandbox_payment_id, card)
    _deliver_after_commit(session)
    return next_url


async def decide_challenge(session: AsyncSession, sandbox_payment_id: str, *, approve: bool) -> str:
    next_url = await sandbox_provider(session).decide_challenge(sandbox_payment_id, approve=approve)
    _deliver_after_commit(session)
    return next_url


async def approve_wallet(session: AsyncSession, sandbox_payment_id: str) -> str:
    next_url = await sandbox_provider(session).decide_wallet(sandbox_payment_id)
    _deliver_after_commit(session)
    return next_url


async def cancel_hosted(session: AsyncSession, sandbox_payment_id: str) -> str:
    next_url = await sandbox_provider(session).cancel_hosted(sandbox_payment_id)
    _deliver_after_commit(session)
    return next_url


async def settle_sandbox_payment(session: AsyncSession, sandbox_payment_id: str) -> bool:
    """Settle a processing sandbox payment now: a bank transfer is confirmed, the "fails
    later" card fails. False when it was already settled (the job may run twice)."""
    settled = await sandbox_provider(session).settle(sandbox_payment_id)
    if settled:
        _deliver_after_commit(session)
    return settled


async def settle_sandbox_payment_for(
    session: AsyncSession, principal: Principal, payment_id: uuid.UUID
) -> bool:
    """An admin settles one of our sandbox payments from the console."""
    principal.require_role(Role.ADMIN)
    return await settle_sandbox_payment_of(session, payment_id)


async def settle_sandbox_payment_of(session: AsyncSession, payment_id: uuid.UUID) -> bool:
    """The operator settles one of our sandbox payments (``mercato payments sandbox-settle``)."""
    payment = await repository.get_payment(session, payment_id)
    if payment is None:
        raise NotFound("No such payment.")
    if payment.provider != "sandbox" or payment.provider_payment_id is None:
        raise Conflict("Only sandbox payments can be settled by hand.")
    return await settle_sandbox_payment(session, payment.provider_payment_id)


async def sandbox_payments_due(session: AsyncSession) -> list[str]:
    return await sandbox_provider(session).due_for_settlement()


async def pending_sandbox_deliveries(session: AsyncSession) -> list[SandboxDelivery]:
    """The sandbox's undelivered webhooks, up to ``DELIVERY_BATCH``, each freshly signed."""
    return await sandbox_provider(session).pending_deliveries()


async def record_sandbox_delivery(session: AsyncSession, event_id: str, status_code: int) -> None:
    await sandbox_provider(session).record_delivery(event_id, status_code)


def _deliver_after_commit(session: AsyncSession) -> None:
    enqueue(session, DELIVER_JOB)
