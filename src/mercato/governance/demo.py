"""The governance part of the demo marketplace: an SLA policy (v1) and buyer terms (v1) in
force since before the first demo order (the escrow hold policy too, seeded before the orders
by :func:`seed_escrow_hold_demo`), a stricter SLA draft (v2) ready to preview, both
buyers' acceptance of the terms, and the SLA clocks of the demo orders settled as the sweep
would have (Nordic's accepted but unshipped lamp is late: a breach and a warning).

Three orders carry a conversation between buyer and seller, told on frozen clocks through the
orders service, with the respond-by clock run by the sweep's own steps at the time: Atelier
answers Alice within the hour, twice; Nordic leaves Bob waiting past the deadline (the sweep
reminds, then records the breach and warns) and answers late; Bob's question about a parcel
still waits for Atelier's answer. Idempotent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.catalog.service import list_categories_flat
from mercato.governance import service
from mercato.governance.calculations import DEFAULT_SLA
from mercato.governance.schemas import ActivateIn, PolicyDraftIn, PolicyKind
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.storage import FileStore
from mercato.orders import service as orders
from mercato.orders.policy import OrderStatus
from mercato.orders.schemas import MessageIn, OrderSummary
from mercato.orders.service import order_timelines
from mercato.sellers.service import find_seller_of

log = structlog.get_logger(__name__)
ADMIN_EMAIL = "admin@mercato.example"
BUYER_EMAILS = ("alice@mercato.example", "bob@mercato.example")
ALICE, BOB = BUYER_EMAILS
ATELIER, NORDIC = "atelier@mercato.example", "nordic@mercato.example"
# Alice and Atelier: (minutes after the order's payment, who writes, what).
QUICK_ANSWERS = (
    (
        120,
        ALICE,
        "Hello! Is the glaze the same blue as in the photos? I'd like it to match my plates.",
    ),
    (
        160,
        ATELIER,
        "Hi Alice, yes: it comes from the very batch in the photos. I'll pack it with extra care.",
    ),
    (185, ALICE, "Perfect, thank you!"),
    (230, ATELIER, "You're welcome. It leaves the workshop tomorrow morning."),
)
LATE_QUESTION = "Hi, when will this ship? I need it before the weekend."
LATE_ANSWER = "Sorry for the slow answer, we were short-staffed. It ships tomorrow with DHL."
OPEN_QUESTION = "The tracking hasn't moved for two days. Is the parcel really on its way?"
# The launch policy also keeps a 10 % restocking fee on change-of-mind returns.
SLA_V1 = DEFAULT_SLA | {"ship_within_days": 2, "restocking_fee_percent": 10}
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
    if not await service.list_policies(session, admin, PolicyKind.SLA):
        await _policies(session, admin)
    for email in BUYER_EMAILS:  # both demo buyers accepted the terms when they signed up
        buyer_id = await find_user_id_by_email(session, email)
        if buyer_id is not None:
            buyer = Principal(user_id=buyer_id, role=Role.BUYER, email=email)
            await service.accept_buyer_terms(session, buyer, 1, "127.0.0.1")
    await _clocks(session)
    await _conversations(session)


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


# --- conversations and the respond-by clock ---------------------------------------------------


async def _people(session: AsyncSession) -> dict[str, Principal] | None:
    people: dict[str, Principal] = {}
    for email, role in ((ALICE, Role.BUYER), (BOB, Role.BUYER)):
        user_id = await find_user_id_by_email(session, email)
        if user_id is None:
            return None
        people[email] = Principal(user_id=user_id, role=role, email=email)
    for email in (ATELIER, NORDIC):
        user_id = await find_user_id_by_email(session, email)
        if user_id is None:
            return None
        people[email] = Principal(user_id=user_id, role=Role.SELLER, email=email)
    return people


async def _order_between(
    session: AsyncSession, buyer: Principal, seller: Principal, status: OrderStatus
) -> OrderSummary | None:
    """The buyer's newest order from the seller in ``status``, if it has no messages yet."""
    assert seller.user_id is not None
    shop = await find_seller_of(session, seller.user_id)
    found = await orders.list_orders(session, buyer, statuses=(status,), kind="goods")
    order = next((o for o in found.items if shop and o.seller_id == shop.id), None)
    if order is None or order.paid_at is None:
        return None
    thread = await orders.list_messages(session, buyer, order.id)
    return None if thread.messages else order


async def _write(
    session: AsyncSession, who: Principal, order: OrderSummary, body: str, when: datetime
) -> None:
    """Post a message at ``when``; the respond-by clock follows it, as the handler does."""
    with _at(when):
        await orders.post_message(session, who, order.id, MessageIn(body=body))
        await service.sync_respond_clocks(session, order.id)


async def _sweep(session: AsyncSession, when: datetime) -> None:
    """What the SLA sweep does when it runs at ``when``: reminders, then the due deadlines."""
    with _at(when):
        for deadline_id in await service.deadlines_to_remind(session):
            await service.remind_deadline(session, deadline_id)
        for deadline_id in await service.deadlines_due(session):
            await service.enforce_deadline(session, deadline_id)


async def _conversations(session: AsyncSession) -> None:
    people = await _people(session)
    if people is None:
        return
    quick = await _order_between(session, people[ALICE], people[ATELIER], OrderStatus.COMPLETED)
    if quick is not None and quick.paid_at is not None:
        for minutes, email, body in QUICK_ANSWERS:
            await _write(
                session, people[email], quick, body, quick.paid_at + timedelta(minutes=minutes)
            )
    late = await _order_between(session, people[BOB], people[NORDIC], OrderStatus.ACCEPTED)
    if late is not None and late.paid_at is not None:
        asked = late.paid_at + timedelta(hours=22)
        await _write(session, people[BOB], late, LATE_QUESTION, asked)
        await _sweep(session, asked + timedelta(hours=13))  # the reminder goes out
        await _sweep(session, asked + timedelta(hours=25))  # the deadline has passed
        await _write(session, people[NORDIC], late, LATE_ANSWER, asked + timedelta(hours=30))
    waiting = await _order_between(session, people[BOB], people[ATELIER], OrderStatus.SHIPPED)
    if waiting is not None:
        await _write(session, people[BOB], waiting, OPEN_QUESTION, clock.now() - timedelta(hours=3))


# --- the escrow hold policy ---------------------------------------------------------------------

HOLD_V1_REASON = (
    "Launch hold: three days for buyers to report a problem; lamps, returned late more often, "
    "a week."
)
HOLD_V2_REASON = "Disputes on lamps arrive late: five days for every order, ten for lamps."


async def seed_escrow_hold_demo(session: AsyncSession, files: FileStore) -> None:
    """The escrow hold policy in force since the launch (3 days, lamps 7), seeded before the
    demo orders so each completed order is held as it would have been, and a longer draft
    (5 days, lamps 10) ready to preview on them (idempotent)."""
    del files
    admin_id = await find_user_id_by_email(session, ADMIN_EMAIL)
    if admin_id is None:
        log.warning("governance_demo_admin_missing")
        return
    admin = Principal(user_id=admin_id, role=Role.ADMIN, email=ADMIN_EMAIL)
    if await service.list_policies(session, admin, PolicyKind.ESCROW_HOLD):
        return
    lamps = next((c.id for c in await list_categories_flat(session) if c.slug == "lighting"), None)
    with _at(clock.now() - timedelta(days=60)):
        launch = await service.draft_policy(
            session, admin, _hold_draft(HOLD_V1_REASON, 3, lamps, 7)
        )
        await service.activate_policy(session, admin, launch.id, ActivateIn())
    await service.draft_policy(session, admin, _hold_draft(HOLD_V2_REASON, 5, lamps, 10))


def _hold_draft(reason: str, days: int, lamps: uuid.UUID | None, lamp_days: int) -> PolicyDraftIn:
    overrides = (
        [] if lamps is None else [{"category_id": lamps, "parameters": {"hold_days": lamp_days}}]
    )
    return PolicyDraftIn.model_validate(
        {
            "kind": PolicyKind.ESCROW_HOLD,
            "reason": reason,
            "parameters": {"hold_days": days},
            "overrides": overrides,
        }
    )
