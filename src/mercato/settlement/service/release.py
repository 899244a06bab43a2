"""Releasing escrow: the seller's net to its balance (its debt repaid first) and the fee to
platform revenue, in ONE journal keyed ``release:order:<id>``.

The sweep is derived from database state: each due escrow is claimed by a conditional UPDATE
in its own transaction, and the journal is posted in that same transaction. Two sweeps never
release twice (one wins the row, and the journal key is unique); a crash rolls the claim back
with the journal, so the next sweep releases it: delayed, never lost nor doubled.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound
from mercato.kit.events import record
from mercato.kit.money import format_money
from mercato.notifications.service import queue_email
from mercato.payments import PLATFORM_COMMISSION, Posting
from mercato.payments.service import credit_seller
from mercato.settlement import repository
from mercato.settlement.calculations import remaining
from mercato.settlement.events import EscrowReleased
from mercato.settlement.models import Escrow
from mercato.settlement.schemas import EscrowOut, EscrowStatus
from mercato.settlement.service._views import escrow_out
from mercato.settlement.settings import settlement_settings

log = structlog.get_logger(__name__)


class EscrowFrozen(Conflict):
    """An open dispute blocks the order's money."""

    slug, title = "escrow-frozen", "The order's escrow is frozen by a dispute"


def release_key(order_id: uuid.UUID) -> str:
    return f"release:order:{order_id}"


async def due_escrows(session: AsyncSession, limit: int = 500) -> list[uuid.UUID]:
    """Orders whose escrow is releasable, not frozen, and past its hold period (the longest
    due first), in the order to release them: grouped by seller, so that a batch locks each
    seller's balances once, and every sweep locks sellers in the same order (no deadlock)."""
    due = await repository.due_for_release(session, clock.now(), limit)
    return [order_id for order_id, _seller in sorted(due, key=lambda row: (row[1], row[0]))]


async def release_due_escrow(session: AsyncSession, order_id: uuid.UUID) -> bool:
    """Release the order's escrow if it is (still) due; True when released now."""
    return await _release(session, order_id, due_by=clock.now()) is not None


async def release_now(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> EscrowOut:
    """Release a completed order's escrow now, without waiting for its hold period (admins).
    409 while a dispute froze it, before the order completed, or once released or refunded."""
    principal.require_role(Role.ADMIN)
    escrow = await repository.get_escrow_of_order(session, order_id, for_update=True)
    if escrow is None:
        raise NotFound("This order has no escrow.")
    if escrow.frozen_at is not None:
        raise EscrowFrozen("An open dispute blocks this order's release.")
    if escrow.status != EscrowStatus.RELEASABLE.value:
        raise Conflict(
            f"Only a completed, unreleased order can be released (it is {escrow.status})."
        )
    released = await _release(session, order_id, due_by=None)
    if released is None:  # pragma: no cover - the row is locked above
        raise Conflict("The order's escrow could not be claimed.")
    return escrow_out(released, clock.now(), with_lines=True)


async def _release(
    session: AsyncSession, order_id: uuid.UUID, *, due_by: datetime | None
) -> Escrow | None:
    found = await repository.get_escrow_of_order(session, order_id)
    if found is None or not await repository.claim_release(session, found.id, due_by):
        return None
    escrow = await repository.get_escrow_of_order(session, order_id, for_update=True)
    assert escrow is not None
    left = remaining(
        escrow.captured_minor, escrow.fee_minor, escrow.refunded_minor, escrow.refunded_fee_minor
    )
    if left.gross_minor == 0:
        escrow.status = EscrowStatus.REFUNDED.value
        await session.flush()
        return None
    source = [Posting(escrow.escrow_account, -left.gross_minor, escrow.currency)]
    if left.fee_minor:
        source.append(Posting(PLATFORM_COMMISSION, left.fee_minor, escrow.currency))
    journal = await credit_seller(
        session,
        escrow.seller_id,
        source,
        key=release_key(order_id),
        kind="escrow_release",
        reference=f"order:{order_id}",
    )
    escrow.released_minor, escrow.released_fee_minor = left.gross_minor, left.fee_minor
    escrow.release_journal_id = journal.id
    await session.flush()
    record(
        session,
        EscrowReleased(
            order_id,
            escrow.seller_id,
            escrow.currency,
            left.gross_minor,
            left.fee_minor,
            journal.id,
            escrow.released_at or clock.now(),
        ),
    )
    log.info("settlement.escrow_released", order_id=str(order_id), gross_minor=left.gross_minor)
    return escrow


async def escrows_near_horizon(session: AsyncSession, limit: int = 500) -> list[uuid.UUID]:
    """Open escrows close to the provider's maximum holding time, not alerted yet."""
    return await repository.near_horizon(session, clock.now(), limit)


async def alert_near_horizon(session: AsyncSession, order_id: uuid.UUID) -> bool:
    """Warn staff, once per order, that its escrow nears the maximum holding time: logged,
    and emailed to the finance address when one is configured. True when alerted now."""
    if not await repository.claim_horizon_alert(session, order_id, clock.now()):
        return False
    escrow = await repository.get_escrow_of_order(session, order_id)
    assert escrow is not None
    settings = settlement_settings()
    held = format_money(escrow.captured_minor - escrow.refunded_minor, escrow.currency)
    deadline = (escrow.paid_at + timedelta(days=settings.max_hold_days)).date()
    log.warning(
        "settlement.escrow_near_hold_horizon",
        order_id=str(order_id),
        number=escrow.number,
        held=held,
        deadline=deadline.isoformat(),
    )
    if settings.alert_email:
        await queue_email(
            session,
            settings.alert_email,
            f"Escrow of order {escrow.number} nears the {settings.max_hold_days}-day limit",
            f"Order {escrow.number} still holds {held} in escrow (status {escrow.status}).\n"
            f"The provider's maximum holding time ends on {deadline.isoformat()}: release or "
            f"refund it before then.\n",
        )
    return True
