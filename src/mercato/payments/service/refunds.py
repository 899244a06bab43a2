"""Refunds through the provider. The caller (the settlement domain) decides what to refund and
books it in the ledger; this module finds the payment that funded an escrow and asks its
provider to give money back, with an idempotency key the caller derived from the business
operation and persisted first: a retry after a crash is answered with the first refund."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.payments import repository
from mercato.payments.calculations import clearing_account, validate_key
from mercato.payments.providers import provider_for
from mercato.payments.providers.base import RefundRequest
from mercato.payments.schemas import PaymentStatus


@dataclass(frozen=True)
class PaymentRefund:
    """The provider's answer to a refund, and the ledger account it moves money back from."""

    payment_id: uuid.UUID
    provider: str
    provider_refund_id: str
    status: str  # pending | succeeded (a failed refund raises)
    amount_minor: int
    currency: str
    clearing_account: str


async def payment_for_escrow(session: AsyncSession, escrow: str) -> uuid.UUID | None:
    """The succeeded payment whose capture funded the escrow account ``escrow``."""
    return await repository.payment_funding_escrow(session, escrow)


async def refund_payment(
    session: AsyncSession,
    payment_id: uuid.UUID,
    amount_minor: int,
    key: str,
    *,
    reason: str = "requested_by_customer",
) -> PaymentRefund:
    """Give ``amount_minor`` of a captured payment back to the payer through its provider,
    once per ``key`` (the provider answers a repeated key with its first refund; the same key
    with another amount is a 409). 404 for an unknown payment, 409 when the payment is not
    captured, the provider's refusal (422) when the amount exceeds what it can refund."""
    validate_key(key)
    if amount_minor <= 0:
        raise ValidationFailed.on("amount_minor", "A refund moves a positive amount.")
    payment = await repository.get_payment(session, payment_id)
    if payment is None:
        raise NotFound("No such payment.")
    if payment.status != PaymentStatus.SUCCEEDED.value or payment.provider_payment_id is None:
        raise Conflict("Only a captured payment can be refunded.")
    provider = provider_for(payment.provider, session)
    answer = await provider.refund_payment(
        RefundRequest(
            provider_payment_id=payment.provider_payment_id,
            amount_minor=amount_minor,
            currency=payment.currency,
            idempotency_key=key,
            reason=reason,
        )
    )
    if answer.status == "failed" or answer.amount_minor != amount_minor:
        raise Conflict("The payment provider did not refund the amount; nothing was refunded.")
    return PaymentRefund(
        payment_id=payment.id,
        provider=payment.provider,
        provider_refund_id=answer.provider_refund_id,
        status=answer.status,
        amount_minor=answer.amount_minor,
        currency=answer.currency,
        clearing_account=clearing_account(payment.provider),
    )
