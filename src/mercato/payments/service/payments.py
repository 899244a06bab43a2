"""Starting payments and reading them.

``start_payment`` writes our payment row (with the client's Idempotency-Key and a fingerprint of
the request) before it calls the provider, and the key it sends the provider is derived from
that Idempotency-Key. So a retried request returns the first result; a request that died between
the provider call and our commit is retried with the same provider key and gets the provider's
first answer back instead of a second charge.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.ids import new_id
from mercato.kit.money import Money
from mercato.kit.pagination import Page
from mercato.kit.runtime import current_runtime
from mercato.payments import repository
from mercato.payments.calculations import (
    MAX_KEY_LENGTH,
    escrow_account,
    payment_request_fingerprint,
    resolve_return_url,
    validate_split,
)
from mercato.payments.models import Payment
from mercato.payments.providers import provider_for
from mercato.payments.providers.base import CreatePaymentRequest, IdempotencyMismatch
from mercato.payments.schemas import (
    TERMINAL_STATUSES,
    CardOut,
    PaymentMethod,
    PaymentOut,
    PaymentStatus,
)
from mercato.payments.service._state import (
    PaymentMismatch,
    apply_pending_inbox,
    apply_provider_state,
    mismatch,
    record_transition,
)
from mercato.payments.settings import payment_settings

MAX_PAYMENT_MINOR = 10**12
RETURN_PATH = "/payments/return"


@dataclass(frozen=True)
class PaymentStart:
    """The payment, and whether this call replayed an earlier request with the same key."""

    payment: PaymentOut
    replayed: bool


async def start_payment(
    session: AsyncSession,
    principal: Principal,
    amount: Money,
    method: PaymentMethod | str,
    idempotency_key: str | None,
    purpose_reference: str,
    return_url: str | None,
    *,
    split: Sequence[tuple[str, int]] | None = None,
    provider: str | None = None,
) -> PaymentStart:
    """Start a payment of ``amount`` by the signed-in buyer.

    ``split`` names the escrow accounts the captured amount goes to, with integer weights (one
    part per order of a multi-seller cart); by default it all goes to ``escrow:payment:<id>``.
    The parts are computed by largest remainder and always sum to the amount. A retry with the
    same ``idempotency_key`` and the same request returns the first payment (``replayed``);
    with a different request it is a 409. ``return_url`` is where the provider sends the buyer
    back: a path or URL on this site (default ``/payments/return``).
    """
    payer_id = principal.require_role(Role.BUYER)
    key = _checked_key(idempotency_key)
    payment_method = _checked_method(method)
    _check_amount(amount)
    reference = purpose_reference.strip()
    if len(reference) > 200:
        raise ValidationFailed.on("purpose_reference", "Use at most 200 characters.")
    parts = validate_split(split) if split is not None else None
    request_fingerprint = payment_request_fingerprint(
        amount_minor=amount.amount_minor,
        currency=amount.currency,
        method=payment_method.value,
        purpose_reference=reference,
        return_url=return_url or "",
        split=parts,
    )
    existing = await repository.get_payment_by_key(session, payer_id, key)
    if existing is not None:
        return _replay(existing, request_fingerprint)
    resolved_return_url = resolve_return_url(
        return_url, current_runtime().settings.base_url, RETURN_PATH
    )
    payment_id = new_id()
    payment = Payment(
        id=payment_id,
        payer_id=payer_id,
        idempotency_key=key,
        request_fingerprint=request_fingerprint,
        provider=provider or payment_settings().provider,
        provider_idempotency_key=_provider_key(payer_id, key),
        method=payment_method.value,
        status=PaymentStatus.CREATED.value,
        amount_minor=amount.amount_minor,
        currency=amount.currency,
        purpose_reference=reference or f"payment:{payment_id}",
        return_url=resolved_return_url,
        split=[list(part) for part in parts or [(escrow_account("payment", payment_id), 1)]],
    )
    provider_client = provider_for(payment.provider, session)  # 404 before anything is written
    concurrent = await _insert(session, payment)
    if concurrent is not None:
        return _replay(concurrent, request_fingerprint)
    # Everything sent to the provider derives from the request, never from our new row's id,
    # so a retry after a lost commit sends the very same call.
    result = await provider_client.create_payment(
        CreatePaymentRequest(
            amount_minor=amount.amount_minor,
            currency=amount.currency,
            method=payment_method,
            idempotency_key=payment.provider_idempotency_key,
            return_url=resolved_return_url,
            metadata={"purpose_reference": reference} if reference else {},
            transfer_group=reference or None,
        )
    )
    problem = mismatch(payment, result)
    if problem is not None:
        raise PaymentMismatch(problem)
    payment.provider_payment_id = result.provider_payment_id
    await apply_provider_state(session, payment, result, f"provider:{payment.provider}")
    await apply_pending_inbox(session, payment)
    return PaymentStart(payment_out(payment), replayed=False)


async def _insert(session: AsyncSession, payment: Payment) -> Payment | None:
    """Write the new payment (and its first transition); the payment a concurrent request with
    the same key wrote first, if it won the race."""
    try:
        async with session.begin_nested():
            session.add(payment)
            await session.flush()
    except IntegrityError:
        concurrent = await repository.get_payment_by_key(
            session, payment.payer_id, payment.idempotency_key
        )
        if concurrent is None:
            raise
        return concurrent
    record_transition(session, payment, None, "api")
    await session.flush()
    return None


async def get_payment(
    session: AsyncSession, principal: Principal, payment_id: uuid.UUID
) -> PaymentOut:
    """A payment, for its payer and for staff (anyone else: 404)."""
    return payment_out(await _visible(session, principal, payment_id))


async def payment_status(session: AsyncSession, payment_id: uuid.UUID) -> PaymentStatus | None:
    """Where a payment stands, for the domain that started it (no principal: a system read)."""
    payment = await repository.get_payment(session, payment_id)
    return None if payment is None else PaymentStatus(payment.status)


async def refresh_payment(
    session: AsyncSession, principal: Principal, payment_id: uuid.UUID
) -> PaymentOut:
    """Ask the provider for the payment's state and apply it (the buyer is back from the
    provider's page, maybe before its webhook). Converges with the webhooks: same rules."""
    payment = await _visible(session, principal, payment_id, for_update=True)
    if PaymentStatus(payment.status) in TERMINAL_STATUSES or payment.provider_payment_id is None:
        return payment_out(payment)
    state = await provider_for(payment.provider, session).retrieve_payment(
        payment.provider_payment_id
    )
    problem = mismatch(payment, state)
    if problem is not None:
        raise PaymentMismatch(problem)
    await apply_provider_state(session, payment, state, f"provider:{payment.provider}:retrieve")
    return payment_out(payment)


async def find_returning_payment(
    session: AsyncSession, principal: Principal, provider: str, provider_payment_id: str
) -> uuid.UUID:
    """Our payment id for the provider's, when the buyer lands back on the return page."""
    principal.require_user()
    payment = await repository.get_payment_by_provider_id(session, provider, provider_payment_id)
    if payment is None or not _may_see(principal, payment):
        raise NotFound("No such payment.")
    return payment.id


async def list_payments(
    session: AsyncSession,
    principal: Principal,
    *,
    status: PaymentStatus | None = None,
    reference: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[PaymentOut]:
    """Newest first: staff see every payment, anyone else their own."""
    user_id = principal.require_user()
    found = await repository.list_payments(
        session,
        payer_id=None if principal.is_staff else user_id,
        status=status.value if status else None,
        reference=reference,
        cursor=cursor,
        limit=limit,
    )
    return Page[PaymentOut](
        items=[payment_out(p) for p in found.rows], next_cursor=found.next_cursor
    )


def payment_out(payment: Payment) -> PaymentOut:
    card = None
    if payment.card_brand and payment.card_last4:
        card = CardOut(
            brand=payment.card_brand,
            last4=payment.card_last4,
            exp_month=payment.card_exp_month or 0,
            exp_year=payment.card_exp_year or 0,
        )
    money = Money(payment.amount_minor, payment.currency)
    return PaymentOut(
        id=payment.id,
        status=PaymentStatus(payment.status),
        method=PaymentMethod(payment.method),
        provider=payment.provider,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        amount=f"{money.to_decimal():f}",
        purpose_reference=payment.purpose_reference,
        redirect_url=payment.redirect_url,
        return_url=payment.return_url,
        card=card,
        failure_code=payment.failure_code,
        failure_message=payment.failure_message,
        created_at=payment.created_at,
        updated_at=payment.updated_at,
        succeeded_at=payment.succeeded_at,
    )


def _may_see(principal: Principal, payment: Payment) -> bool:
    return principal.is_staff or payment.payer_id == principal.user_id


async def _visible(
    session: AsyncSession, principal: Principal, payment_id: uuid.UUID, *, for_update: bool = False
) -> Payment:
    principal.require_user()
    payment = await repository.get_payment(session, payment_id, for_update=for_update)
    if payment is None or not _may_see(principal, payment):
        raise NotFound("No such payment.")
    return payment


def _replay(payment: Payment, request_fingerprint: str) -> PaymentStart:
    if payment.request_fingerprint != request_fingerprint:
        raise IdempotencyMismatch(
            "This Idempotency-Key was already used for a different payment request."
        )
    return PaymentStart(payment_out(payment), replayed=True)


def _provider_key(payer_id: uuid.UUID, key: str) -> str:
    digest = hashlib.sha256(f"{payer_id}:{key}".encode()).hexdigest()
    return f"mercato-payment-{digest[:48]}"


def _checked_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ValidationFailed.on(
            "Idempotency-Key", "Send an Idempotency-Key header (a UUID is a good choice)."
        )
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed.on(
            "Idempotency-Key", f"Use at most {MAX_KEY_LENGTH} printable characters."
        )
    return key


def _checked_method(method: PaymentMethod | str) -> PaymentMethod:
    try:
        return PaymentMethod(method)
    except ValueError:
        raise ValidationFailed.on("method", "Choose card, ewallet or bank_transfer.") from None


def _check_amount(amount: Money) -> None:
    if amount.amount_minor <= 0:
        raise ValidationFailed.on("amount_minor", "The amount must be positive.")
    if amount.amount_minor > MAX_PAYMENT_MINOR:
        raise ValidationFailed.on("amount_minor", "The amount is too large.")
