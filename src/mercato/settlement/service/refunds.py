"""Refunds: full or partial, by lines and quantities or by amount, before or after release.
A line refund may leave part of the units' amount with the seller (``keep_minor``, a restocking
fee): the units count as refunded, the kept part stays in escrow and is released with the rest.

The refund row, with its idempotency key (``refund:order:<id>:<caller's key>``), is written and
flushed before the provider is called, and the key sent to the provider is that same key,
derived from the request rather than from the new row: a double click finds the first refund,
and a retry after a crash between the provider call and our commit gets the provider's first
answer back, so nothing is refunded twice. The escrow row is locked for the whole operation,
so a refund and a release of the same order never interleave.

Ledger: before release the money leaves the escrow (``escrow -amount / clearing +amount``);
after release the fee share comes back from platform revenue and the seller's share is taken
with ``charge_seller`` (available first, the rest recorded as debt).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.events import record
from mercato.kit.money import format_money
from mercato.kit.pagination import Page
from mercato.orders.events import OrderCanceled
from mercato.payments import PLATFORM_COMMISSION, Posting
from mercato.payments.service import (
    PaymentRefund,
    charge_seller,
    payment_for_escrow,
    post_journal,
    refund_payment,
)
from mercato.settlement import repository
from mercato.settlement.calculations import (
    Remaining,
    fee_share,
    fingerprint,
    line_refund_minor,
    remaining,
)
from mercato.settlement.events import RefundIssued
from mercato.settlement.models import Escrow, Refund
from mercato.settlement.schemas import (
    EscrowStatus,
    RefundIn,
    RefundOut,
    RefundPhase,
    RefundResult,
    RefundStatus,
)
from mercato.settlement.service._access import read_scope, refund_scope
from mercato.settlement.service._views import refund_out
from mercato.settlement.service.escrow import EscrowNotOpened
from mercato.settlement.service.release import EscrowFrozen

log = structlog.get_logger(__name__)
MAX_CALLER_KEY = 200
CANCEL_KEY = "cancel"
OPEN = (EscrowStatus.HELD.value, EscrowStatus.RELEASABLE.value)


class NothingToRefund(Conflict):
    slug, title = "nothing-to-refund", "Nothing is left to refund"


class RefundKeyReused(Conflict):
    slug, title = "idempotency-key-reused", "The idempotency key was used for another request"


@dataclass(frozen=True)
class _PlannedLine:
    line_id: uuid.UUID
    quantity: int
    amount_minor: int  # to the buyer
    kept_minor: int = 0  # of the units' amount, what the seller keeps


@dataclass(frozen=True)
class _Plan:
    """What one refund takes: the amount, and per escrow line the units and amount."""

    amount_minor: int
    lines: list[_PlannedLine]


def refund_key(order_id: uuid.UUID, caller_key: str) -> str:
    return f"refund:order:{order_id}:{caller_key}"


async def refund_order(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    data: RefundIn,
    idempotency_key: str | None,
) -> RefundResult:
    """Refund part or all of a paid order: an admin any order, a seller its own orders.

    ``Idempotency-Key`` is required: the same key returns the first refund (``replayed``),
    with another request it is a 409. Refused with nothing written: an amount above what is
    left or a quantity above what is left of a line (422), nothing left to refund or an open
    dispute (409), another seller's order (404)."""
    scope = await refund_scope(session, principal)
    key = refund_key(order_id, _checked_key(idempotency_key))
    escrow = await repository.get_escrow_of_order(session, order_id, for_update=True)
    if escrow is None or (scope is not None and escrow.seller_id != scope):
        raise NotFound("No such paid order.")
    digest = fingerprint(data.model_dump(mode="json"))
    earlier = await repository.get_refund_by_key(session, key)
    if earlier is not None:
        if earlier.request_fingerprint != digest:
            raise RefundKeyReused("This Idempotency-Key was used for another refund.")
        return RefundResult(refund=refund_out(earlier), replayed=True)
    if escrow.frozen_at is not None:
        raise EscrowFrozen("An open dispute blocks refunds of this order.")
    plan = _plan(escrow, data)
    refund = await _issue(
        session,
        escrow,
        plan,
        key=key,
        digest=digest,
        reason=data.reason,
        requested_by=principal.user_id,
        role=principal.role.value if principal.role else "system",
    )
    return RefundResult(refund=refund_out(refund), replayed=False)


async def refund_canceled_order(session: AsyncSession, event: OrderCanceled) -> Refund | None:
    """A paid order was canceled: refund everything its escrow still holds, once. Raises
    (so the event is retried later) while its escrow is not open yet or a dispute froze it."""
    if not event.was_paid:
        return None
    key = refund_key(event.order_id, CANCEL_KEY)
    escrow = await repository.get_escrow_of_order(session, event.order_id, for_update=True)
    if escrow is None:
        raise EscrowNotOpened(f"Order {event.order_id} has no escrow yet.")
    if await repository.get_refund_by_key(session, key) is not None:
        return None
    escrow.canceled_at = escrow.canceled_at or event.canceled_at or clock.now()
    left = _left(escrow)
    if escrow.status not in OPEN or left.gross_minor == 0:
        if escrow.status in OPEN:
            escrow.status = EscrowStatus.REFUNDED.value
        await session.flush()
        return None
    if escrow.frozen_at is not None:
        raise EscrowFrozen(f"Order {event.order_id} is canceled but frozen by a dispute.")
    return await _issue(
        session,
        escrow,
        _Plan(left.gross_minor, []),
        key=key,
        digest=fingerprint({"cancel": str(event.order_id)}),
        reason=event.reason or "The order was canceled.",
        requested_by=None,
        role="system",
    )


def _checked_key(key: str | None) -> str:
    value = (key or "").strip()
    if not value:
        raise ValidationFailed.on("Idempotency-Key", "Send an Idempotency-Key header.")
    if len(value) > MAX_CALLER_KEY or not value.isprintable() or value == CANCEL_KEY:
        raise ValidationFailed.on(
            "Idempotency-Key", f"Use at most {MAX_CALLER_KEY} printable characters."
        )
    return value


def _left(escrow: Escrow) -> Remaining:
    return remaining(
        escrow.captured_minor, escrow.fee_minor, escrow.refunded_minor, escrow.refunded_fee_minor
    )


def _plan(escrow: Escrow, data: RefundIn) -> _Plan:
    left = _left(escrow)
    if left.gross_minor == 0 or escrow.status == EscrowStatus.REFUNDED.value:
        raise NothingToRefund("Everything paid for this order was already refunded.")
    if data.full:
        return _Plan(left.gross_minor, [])
    if data.amount_minor is not None:
        if data.amount_minor > left.gross_minor:
            most = format_money(left.gross_minor, escrow.currency)
            raise ValidationFailed.on("amount_minor", f"At most {most} is left to refund.")
        return _Plan(data.amount_minor, [])
    return _line_plan(escrow, data, left.gross_minor)


def _line_plan(escrow: Escrow, data: RefundIn, left_minor: int) -> _Plan:
    by_id = {line.line_id: line for line in escrow.lines}
    planned: list[_PlannedLine] = []
    for index, wanted in enumerate(data.lines or []):
        line = by_id.get(wanted.line_id)
        field = f"lines.{index}.quantity"
        if line is None:
            raise ValidationFailed.on(f"lines.{index}.line_id", "Not a line of this order.")
        if wanted.quantity > line.quantity - line.refunded_quantity:
            left_units = line.quantity - line.refunded_quantity
            raise ValidationFailed.on(field, f"Only {left_units} unit(s) are left to refund.")
        amount = line_refund_minor(
            wanted.quantity,
            line.quantity,
            line.line_total_minor,
            line.refunded_quantity,
            line.refunded_minor + line.kept_minor,
        )
        if wanted.keep_minor > amount:
            most = format_money(amount, escrow.currency)
            raise ValidationFailed.on(
                f"lines.{index}.keep_minor", f"These units amount to {most}: keep at most that."
            )
        planned.append(
            _PlannedLine(
                line.line_id, wanted.quantity, amount - wanted.keep_minor, wanted.keep_minor
            )
        )
    total = sum(line.amount_minor for line in planned)
    if total <= 0:
        raise ValidationFailed.on("lines", "These units amount to nothing to refund.")
    if total > left_minor:
        most = format_money(left_minor, escrow.currency)
        raise ValidationFailed.on("lines", f"At most {most} is left to refund.")
    return _Plan(total, planned)


async def _issue(
    session: AsyncSession,
    escrow: Escrow,
    plan: _Plan,
    *,
    key: str,
    digest: str,
    reason: str,
    requested_by: uuid.UUID | None,
    role: str,
) -> Refund:
    payment_id = await payment_for_escrow(session, escrow.escrow_account)
    if payment_id is None:
        raise Conflict("No captured payment funds this order; nothing can be refunded.")
    share = fee_share(plan.amount_minor, _left(escrow))
    before = escrow.status in OPEN
    refund = _record(escrow, plan, share, key, digest, reason, requested_by, role, before)
    refund.payment_id = payment_id
    repository.add(session, refund)
    await session.flush()  # the key is taken before any money moves
    answer = await refund_payment(session, payment_id, plan.amount_minor, key, reason=reason)
    journal_id = await _book(session, escrow, refund, answer)
    refund.status = (
        RefundStatus.PENDING.value if answer.status == "pending" else RefundStatus.SUCCEEDED.value
    )
    refund.provider_refund_id, refund.journal_id = answer.provider_refund_id, journal_id
    refund.completed_at = clock.now()
    if before and escrow.refunded_minor == escrow.captured_minor:
        escrow.status = EscrowStatus.REFUNDED.value
    await session.flush()
    record(session, _issued_event(refund))
    log.info("settlement.refund_issued", order_id=str(escrow.order_id), amount=plan.amount_minor)
    return refund


def _record(
    escrow: Escrow,
    plan: _Plan,
    share: int,
    key: str,
    digest: str,
    reason: str,
    requested_by: uuid.UUID | None,
    role: str,
    before: bool,
) -> Refund:
    """The refund row, and the escrow's refunded totals moved on by it."""
    escrow.refunded_minor += plan.amount_minor
    escrow.refunded_fee_minor += share
    by_id = {line.line_id: line for line in escrow.lines}
    for planned in plan.lines:
        line = by_id[planned.line_id]
        line.refunded_quantity += planned.quantity
        line.refunded_minor += planned.amount_minor
        line.kept_minor += planned.kept_minor
    return Refund(
        escrow_id=escrow.id,
        order_id=escrow.order_id,
        seller_id=escrow.seller_id,
        buyer_id=escrow.buyer_id,
        number=escrow.number,
        idempotency_key=key,
        request_fingerprint=digest,
        status=RefundStatus.PENDING.value,
        phase=(RefundPhase.BEFORE_RELEASE if before else RefundPhase.AFTER_RELEASE).value,
        amount_minor=plan.amount_minor,
        fee_share_minor=share,
        currency=escrow.currency,
        reason=reason,
        lines=[
            {
                "line_id": str(line.line_id),
                "quantity": line.quantity,
                "amount_minor": line.amount_minor,
                "kept_minor": line.kept_minor,
            }
            for line in plan.lines
        ],
        requested_by=requested_by,
        requested_role=role,
    )


async def _book(
    session: AsyncSession, escrow: Escrow, refund: Refund, answer: PaymentRefund
) -> uuid.UUID:
    currency, amount = escrow.currency, refund.amount_minor
    reference = f"order:{escrow.order_id}"
    back_to_provider = Posting(answer.clearing_account, amount, currency)
    if refund.phase == RefundPhase.BEFORE_RELEASE.value:
        postings = [Posting(escrow.escrow_account, -amount, currency), back_to_provider]
        journal = await post_journal(session, refund.idempotency_key, "refund", postings, reference)
        return journal.id
    destination = [back_to_provider]
    if refund.fee_share_minor:
        destination.append(Posting(PLATFORM_COMMISSION, -refund.fee_share_minor, currency))
    journal = await charge_seller(
        session,
        escrow.seller_id,
        destination,
        key=refund.idempotency_key,
        kind="refund",
        reference=reference,
    )
    return journal.id


def _issued_event(refund: Refund) -> RefundIssued:
    return RefundIssued(
        refund.id,
        refund.order_id,
        refund.seller_id,
        refund.buyer_id,
        refund.currency,
        refund.amount_minor,
        refund.fee_share_minor,
        refund.phase,
    )


async def refunds_for_order(session: AsyncSession, order_id: uuid.UUID) -> list[RefundOut]:
    """The order's refunds, oldest first (for the orders domain, which has already checked
    who may see the order)."""
    return [refund_out(r) for r in await repository.refunds_of_order(session, order_id)]


async def list_order_refunds(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> list[RefundOut]:
    """An order's refunds: its buyer, its seller and staff; anyone else gets 404."""
    user_id = principal.require_user()
    escrow = await repository.get_escrow_of_order(session, order_id)
    if escrow is None:
        raise NotFound("No such paid order.")
    if principal.role is Role.BUYER:
        allowed = escrow.buyer_id == user_id
    else:
        scope = await read_scope(session, principal)
        allowed = scope is None or scope == escrow.seller_id
    if not allowed:
        raise NotFound("No such paid order.")
    return await refunds_for_order(session, order_id)


async def list_refunds(
    session: AsyncSession, principal: Principal, *, cursor: str | None = None, limit: int = 50
) -> Page[RefundOut]:
    """Refunds newest first: staff see all, a seller those of its own orders."""
    scope = await read_scope(session, principal)
    found = await repository.list_refunds(session, seller_id=scope, cursor=cursor, limit=limit)
    return Page[RefundOut](items=[refund_out(r) for r in found.rows], next_cursor=found.next_cursor)
