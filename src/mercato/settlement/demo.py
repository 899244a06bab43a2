"""Demo money after the sale: the completed demo orders are released to their sellers (net to
the seller, commission to the platform), one of them then gets a partial refund, and an order
still in escrow gets a refund before its release. Nordic Outdoor Co., whose orders ship late
and get disputed, waits longer for its money from now on: a hold of its own, with the admin's
reason. (The escrow hold policy, lamps held a week, is governance's.) Skipped when already
seeded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.storage import FileStore
from mercato.sellers.service import find_seller_of
from mercato.settlement import service
from mercato.settlement.schemas import EscrowStatus, RefundIn, SellerHoldIn

log = structlog.get_logger(__name__)
ADMIN_EMAIL = "admin@mercato.example"
NORDIC_EMAIL = "nordic@mercato.example"
NORDIC_HOLD_REASON = "Late shipments and open disputes: hold its money ten days while we review."


async def seed_settlement_demo(session: AsyncSession, files: FileStore) -> None:
    del files
    admin_id = await find_user_id_by_email(session, ADMIN_EMAIL)
    if admin_id is None:
        log.warning("settlement_demo_admin_missing")
        return
    admin = Principal(user_id=admin_id, role=Role.ADMIN, email=ADMIN_EMAIL)
    await _hold_nordic_longer(session, admin)
    refunds = (await service.list_refunds(session, admin, limit=100)).items
    if any(refund.requested_role == Role.ADMIN.value for refund in refunds):
        return  # seeded already
    released = await _release_as_the_sweep_did(session)
    if released:
        # The latest release: its buyer found a chipped rim two days later.
        order_id, released_at = released[-1]
        with _at(released_at + timedelta(days=2)):
            await service.refund_order(
                session,
                admin,
                order_id,
                RefundIn(amount_minor=500, reason="Arrived with a chipped rim: partial refund."),
                "demo-after-release",
            )
    held = await service.list_escrows(session, admin, status=EscrowStatus.HELD, limit=1)
    for escrow in held.items:
        await service.refund_order(
            session,
            admin,
            escrow.order_id,
            RefundIn(
                amount_minor=min(300, escrow.held_minor),
                reason="Late dispatch: goodwill refund.",
            ),
            "demo-before-release",
        )


async def _hold_nordic_longer(session: AsyncSession, admin: Principal) -> None:
    """A risk decision on one seller: Nordic's money waits ten days after completion (orders
    completed from now on: those completed already keep the hold they had)."""
    owner = await find_user_id_by_email(session, NORDIC_EMAIL)
    nordic = await find_seller_of(session, owner) if owner else None
    if nordic is None or (await service.list_holds(session, admin)).sellers:
        return
    hold = SellerHoldIn(hold_days=10, reason=NORDIC_HOLD_REASON)
    await service.set_seller_hold(session, admin, nordic.id, hold)


async def _release_as_the_sweep_did(session: AsyncSession) -> list[tuple[uuid.UUID, datetime]]:
    """Release every due escrow at the time the sweep would have (its hold's end), oldest
    first, so the sellers' balances have a history; (order, released at) in that order."""
    due = []
    for order_id in await service.due_escrows(session):
        escrow = await service.escrow_of_order(session, order_id)
        if escrow is not None and escrow.release_after is not None:
            due.append((escrow.release_after, order_id))
    released = []
    for release_after, order_id in sorted(due):
        with _at(release_after):
            if await service.release_due_escrow(session, order_id):
                released.append((order_id, release_after))
    return released


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    previous = clock.use_clock(clock.FrozenClock(moment))
    try:
        yield
    finally:
        clock.use_clock(previous)
