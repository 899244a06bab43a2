"""Creating payouts and carrying them to the end: the money first moves from the seller's
available balance to ``in transit`` (row, key and journal committed before any provider call),
then the provider pays it (``in transit`` → the provider's clearing account) or refuses it (the
money returns to the seller's balance).

Every journal is keyed by the payout (``payout:<id>:sent|paid|returned|canceled``) and every
provider call by ``payout:<id>``, so a retry after a crash never pays or returns twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock, events
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.ids import new_id
from mercato.kit.jobs import enqueue
from mercato.kit.money import Money
from mercato.payments import (
    Posting,
    clearing_account,
    post_journal,
    seller_available_account,
    seller_in_transit_account,
)
from mercato.payments.events import PayoutReported
from mercato.payments.providers.base import IdempotencyMismatch, ProviderRejected
from mercato.payments.service import (
    credit_seller,
    payout_provider_name,
    reverse_payout_transfer,
    seller_balances,
    send_payout,
)
from mercato.payouts import repository
from mercato.payouts.calculations import (
    blocked_reason,
    request_fingerprint,
    validate_amount,
)
from mercato.payouts.events import PayoutFailed, PayoutPaid
from mercato.payouts.models import Payout
from mercato.payouts.schemas import PayoutStatus, Trigger
from mercato.payouts.service._common import payout_destination, payout_facts
from mercato.payouts.service._settlement import frozen_minor
from mercato.payouts.service.schedules import minimum_for

log = structlog.get_logger(__name__)
SEND_JOB = "payouts.send_payout"


class PayoutRefused(Conflict):
    """The payout cannot leave now (blocked seller, more than available); nothing moved."""

    slug, title = "payout-refused", "The payout cannot be made"


@dataclass(frozen=True)
class NewPayout:
    """What a payout is asked for with; ``key`` is its idempotency key."""

    seller_id: uuid.UUID
    amount_minor: int | None  # None: the whole available balance (the scheduled sweep)
    currency: str
    key: str
    trigger: Trigger
    requested_by: uuid.UUID | None = None
    retry_of: uuid.UUID | None = None
    enforce_minimum: bool = True
    # False leaves the payout pending for the periodic sweep to send (the demo shows one).
    send_after_commit: bool = True


@dataclass(frozen=True)
class Created:
    payout: Payout
    replayed: bool


async def create_payout(session: AsyncSession, new: NewPayout) -> Created:
    """Record a payout and move its amount from available to in transit, exactly once per key.

    The seller's balances stay locked until commit, so two payouts at once never spend the
    same money. Refused with nothing written: :class:`PayoutRefused` (409) while the seller is
    suspended, owes money, has more frozen by disputes than available, has no payout account,
    or asks for more than is available; ``ValidationFailed`` (422) for a zero, negative,
    below-minimum amount or an unknown currency. The same key with another amount is a 409."""
    if new.amount_minor is not None:
        validate_amount(new.amount_minor, new.currency)
    else:
        validate_amount(1, new.currency)
    balances = await seller_balances(session, new.seller_id, new.currency, lock=True)
    # Looked up under the lock: a concurrent request with the same key has committed by now.
    existing = await repository.get_by_key(session, new.key)
    if existing is not None:
        return Created(_replay(existing, new), replayed=True)
    amount = balances.available_minor if new.amount_minor is None else new.amount_minor
    frozen = await frozen_minor(session, new.seller_id, new.currency)
    facts, destination = await payout_facts(session, new.seller_id, balances, frozen)
    if reason := blocked_reason(facts, new.currency):
        raise PayoutRefused(reason)
    if amount > balances.available_minor or amount <= 0:
        available = Money(balances.available_minor, new.currency).format()
        raise PayoutRefused(f"Only {available} is available for payout.")
    minimum = await minimum_for(session, new.seller_id, new.currency)
    if new.enforce_minimum and amount < minimum:
        raise ValidationFailed.on(
            "amount_minor", f"The minimum payout is {Money(minimum, new.currency).format()}."
        )
    assert destination is not None  # blocked_reason refuses a seller without one
    payout = _new_payout(new, amount, destination)
    session.add(payout)
    await session.flush()
    postings = [
        Posting(seller_available_account(new.seller_id), -amount, new.currency),
        Posting(seller_in_transit_account(new.seller_id), amount, new.currency),
    ]
    await post_journal(session, f"payout:{payout.id}:sent", "payout", postings, _ref(payout))
    if new.send_after_commit:
        enqueue(session, SEND_JOB, payout_id=str(payout.id))
    return Created(payout, replayed=False)


def _new_payout(new: NewPayout, amount: int, destination: str) -> Payout:
    now = clock.now()
    return Payout(
        id=new_id(),
        seller_id=new.seller_id,
        currency=new.currency,
        amount_minor=amount,
        status=PayoutStatus.PENDING.value,
        trigger=new.trigger.value,
        idempotency_key=new.key,
        request_fingerprint=request_fingerprint(new.seller_id, amount, new.currency),
        provider=payout_provider_name(),
        destination_last4=destination[-4:],
        retry_of_id=new.retry_of,
        requested_by_user_id=new.requested_by,
        created_at=now,
        updated_at=now,
    )


def _replay(existing: Payout, new: NewPayout) -> Payout:
    if new.amount_minor is None:  # the sweep: this period was already paid
        return existing
    if existing.request_fingerprint != request_fingerprint(
        new.seller_id, new.amount_minor, new.currency
    ):
        raise IdempotencyMismatch("This Idempotency-Key was used for another payout.")
    return existing


def _ref(payout: Payout) -> str:
    return f"payout:{payout.id}"


async def send_pending_payout(session: AsyncSession, payout_id: uuid.UUID) -> Payout | None:
    """Hand a pending payout to the provider and apply its answer; None if there is no such
    payout. A payout already sent (or canceled) is left as it is, so the job may run twice.
    ``ProviderUnavailable`` propagates: the payout stays pending and is sent again later with
    the same key."""
    payout = await repository.get_payout(session, payout_id, for_update=True)
    if payout is None or payout.status != PayoutStatus.PENDING.value:
        return payout
    destination = await payout_destination(session, payout.seller_id, payout.provider)
    if not destination:
        await _fail(session, payout, "no_payout_account", "The seller has no payout account.")
        return payout
    try:
        answer = await send_payout(
            session,
            payout.provider,
            amount_minor=payout.amount_minor,
            currency=payout.currency,
            destination=destination,
            idempotency_key=_ref(payout),
            metadata={"payout_id": str(payout.id), "seller_id": str(payout.seller_id)},
        )
    except ProviderRejected as error:
        await _fail(session, payout, "provider_rejected", error.detail or str(error))
        return payout
    payout.provider_payout_id = answer.provider_payout_id
    payout.provider_transfer_id = answer.transfer_id
    payout.sent_at = clock.now()
    await apply_outcome(session, payout, answer.status, answer.failure_code, answer.failure_message)
    return payout


async def apply_outcome(
    session: AsyncSession,
    payout: Payout,
    outcome: str,
    failure_code: str | None = None,
    failure_message: str | None = None,
) -> None:
    """Apply the provider's word on a sent payout (its answer or a webhook): ``paid``,
    ``failed`` or ``pending``. A payout already paid or failed does not change again."""
    if payout.status not in (PayoutStatus.PENDING.value, PayoutStatus.IN_TRANSIT.value):
        return
    if outcome == "paid":
        await _pay(session, payout)
    elif outcome == "failed":
        message = failure_message or "The bank refused the payout."
        await _fail(session, payout, failure_code or "failed", message)
    else:
        payout.status = PayoutStatus.IN_TRANSIT.value
        await session.flush()


async def apply_reported_outcome(session: AsyncSession, report: PayoutReported) -> bool:
    """Apply the outcome a provider reported by webhook to our payout with that provider id
    (idempotent, like :func:`apply_outcome`). False when the payout is not one of ours: the
    provider's id is recorded in the same transaction as the call that created it, long before
    a bank settles it, so there is nothing to wait for."""
    payout = await repository.get_by_provider_id(
        session, report.provider, report.provider_payout_id
    )
    if payout is None:
        log.warning("payouts.unknown_report", provider_payout_id=report.provider_payout_id)
        return False
    await apply_outcome(session, payout, report.status, report.failure_code, report.failure_message)
    return True


async def _pay(session: AsyncSession, payout: Payout) -> None:
    postings = [
        Posting(seller_in_transit_account(payout.seller_id), -payout.amount_minor, payout.currency),
        Posting(clearing_account(payout.provider), payout.amount_minor, payout.currency),
    ]
    await post_journal(session, f"{_ref(payout)}:paid", "payout_paid", postings, _ref(payout))
    payout.status, payout.paid_at = PayoutStatus.PAID.value, clock.now()
    await session.flush()
    events.record(
        session, PayoutPaid(payout.id, payout.seller_id, payout.amount_minor, payout.currency)
    )


async def _fail(session: AsyncSession, payout: Payout, code: str, message: str) -> None:
    if payout.provider_transfer_id:
        # The money went to the seller's account at the provider first: take it back, so the
        # provider's books agree with ours (it is the seller's available balance again).
        await reverse_payout_transfer(
            session,
            payout.provider,
            transfer_id=payout.provider_transfer_id,
            amount_minor=payout.amount_minor,
            idempotency_key=_ref(payout),
        )
    await _return_money(session, payout, "returned", "payout_returned")
    payout.status, payout.failed_at = PayoutStatus.FAILED.value, clock.now()
    payout.failure_code, payout.failure_message = code[:64], message
    await session.flush()
    failed = PayoutFailed(
        payout.id, payout.seller_id, payout.amount_minor, payout.currency, message
    )
    events.record(session, failed)
    log.warning("payouts.failed", payout_id=str(payout.id), code=code)


async def _return_money(session: AsyncSession, payout: Payout, step: str, kind: str) -> None:
    # Through credit_seller: returned money repays a debt the seller ran up meanwhile first.
    source = [
        Posting(seller_in_transit_account(payout.seller_id), -payout.amount_minor, payout.currency)
    ]
    await credit_seller(
        session,
        payout.seller_id,
        source,
        key=f"{_ref(payout)}:{step}",
        kind=kind,
        reference=_ref(payout),
    )


async def cancel_pending(session: AsyncSession, payout: Payout) -> None:
    """Cancel a payout not yet handed to the provider; its money returns to the balance."""
    if payout.status != PayoutStatus.PENDING.value:
        label = payout.status.replace("_", " ")
        raise Conflict(f"Only a pending payout can be canceled; this one is {label}.")
    await _return_money(session, payout, "canceled", "payout_canceled")
    payout.status, payout.canceled_at = PayoutStatus.CANCELED.value, clock.now()
    await session.flush()
