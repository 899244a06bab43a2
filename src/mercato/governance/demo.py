"""The governance part of the demo marketplace: an SLA policy (v1) and buyer terms (v1) in
force since before the first demo order, a stricter SLA draft (v2) ready to preview, both
buyers' acceptance of the terms, and the SLA clocks of the demo orders settled as the sweep
would have (Nordic's accepted but unshipped lamp is late: a breach and a warning). Idempotent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.governance import service
from mercato.governance.calculations import DEFAULT_SLA
from mercato.governance.schemas import ActivateIn, PolicyDraftIn, PolicyKind
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.storage import FileStore
from mercato.orders.service import order_timelines

log = structlog.get_logger(__name__)
ADMIN_EMAIL = "admin@mercato.example"
BUYER_EMAILS = ("alice@mercato.example", "bob@mercato.example")
SLA_V1 = DEFAULT_SLA | {"ship_within_days": 2}
SLA_V2 = DEFAULT_SLA | {
    "accept_within_hours": 24,
    "ship_within_days": 1,
    "auto_cancel_unshipped_days": 5,
    "reminder_before_hours": 6,
}
TERMS_BODY = (
    "1. Mercato is a marketplace: each order is a contract with the seller who sells it.\n"
    "2. Your payment is held in escrow until the order completes; if a seller does not "
    "deliver, you are refunded.\n"
    "3. Open a dispute within the dispute window if something goes wrong.\n"
    "4. Reviews must be honest and about your own purchase."
)


@contextmanager
def _at(when: datetime) -> Iterator[None]:
    previous = clock.use_clock(clock.FrozenClock(when))
    try:
        yield
    finally:
        clock.use_clock(previous)


async def seed_governance_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed the governance demo rows (idempotent)."""
    del files
    admin_id = await find_user_id_by_email(session, ADMIN_EMAIL)
    if admin_id is None:
        log.warning("governance_demo_admin_missing")
        return
    admin = Principal(user_id=admin_id, role=Role.ADMIN, email=ADMIN_EMAIL)
    if not await service.list_policies(session, admin):
        await _policies(session, admin)
    for email in BUYER_EMAILS:  # both demo buyers accepted the terms when they signed up
        buyer_id = await find_user_id_by_email(session, email)
        if buyer_id is not None:
            buyer = Principal(user_id=buyer_id, role=Role.BUYER, email=email)
            await service.accept_buyer_terms(session, buyer, 1, "127.0.0.1")
    await _clocks(session)


async def _policies(session: AsyncSession, admin: Principal) -> None:
    with _at(clock.now() - timedelta(days=60)):
        sla = await service.draft_policy(
            session,
            admin,
            PolicyDraftIn(
                kind=PolicyKind.SLA,
                reason="Launch service levels: ship within two working days.",
                parameters=SLA_V1,
            ),
        )
        await service.activate_policy(session, admin, sla.id, ActivateIn())
        terms = await service.draft_policy(
            session,
            admin,
            PolicyDraftIn(
                kind=PolicyKind.BUYER_TERMS,
                reason="Launch terms of use.",
                title="Mercato terms of use",
                body=TERMS_BODY,
            ),
        )
        await service.activate_policy(session, admin, terms.id, ActivateIn())
    await service.draft_policy(
        session,
        admin,
        PolicyDraftIn(
            kind=PolicyKind.SLA,
            reason="Buyers complain about slow dispatch: next-day shipping, cancel after 5 days.",
            parameters=SLA_V2,
        ),
    )


async def _clocks(session: AsyncSession) -> None:
    """Start the clocks of the demo orders and settle what is due, as the sweep does."""
    now = clock.now()
    for timeline in await order_timelines(session, now - timedelta(days=90), now):
        if not await service.open_clocks(session, timeline.order_id):
            # Started when the order was paid, before the demo's policies were recorded.
            await service.recompute_open_clocks(session, timeline.order_id)
    due: list[uuid.UUID] = await service.deadlines_due(session)
    for deadline_id in due:
        await service.enforce_deadline(session, deadline_id)
