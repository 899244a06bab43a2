"""SLA clocks: the deadlines of each paid order (from the SLA version in force when it was
paid), settled by the order's own status timestamps, and the respond-by deadlines its buyer's
messages open, settled by the seller's replies. The sweep reminds the seller once before each
deadline, records a breach and warns the seller once a deadline passes, and cancels (so
refunds) a goods order not shipped in time. Every outcome is claimed by a conditional update:
two sweeps, or a sweep and an event, never act twice."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.governance import repository
from mercato.governance.calculations import (
    ACCEPT,
    AUTO_CANCEL,
    CONFIRM,
    RESPOND,
    SHIP,
    RespondDeadline,
    SlaTerms,
    ThreadEntry,
    order_deadlines,
    respond_deadlines,
)
from mercato.governance.events import SellerWarned, SlaBreached
from mercato.governance.models import SellerWarning, SlaBreach, SlaDeadline
from mercato.governance.schemas import (
    DEADLINE_LABELS,
    BreachOut,
    DeadlineOut,
    SellerSlaOverview,
    WarningOut,
)
from mercato.governance.service._access import own_seller_id
from mercato.governance.service._notices import mail_seller
from mercato.governance.service.policies import listing_chain, terms_for_chain
from mercato.kit import clock, events
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound
from mercato.orders.service import (
    OrderTimeline,
    cancel_by_system,
    message_thread,
    order_timeline,
)

SWEEP_BATCH = 500
_ENDED = ("canceled", "completed")


async def open_clocks(session: AsyncSession, order_id: uuid.UUID) -> int:
    """Create the deadlines of a paid order from the SLA in force at its payment; the number
    created (0 when they exist already: the handler may see the event twice)."""
    existing = await repository.deadlines_of_order(session, order_id)
    if any(row.message_id is None for row in existing):
        return 0
    timeline = await order_timeline(session, order_id)
    if timeline is None:
        return 0
    terms = await _terms_at_payment(session, timeline)
    deadlines = order_deadlines(timeline.kind, timeline.paid_at, terms)
    for deadline in deadlines:
        session.add(
            SlaDeadline(
                order_id=order_id,
                seller_id=timeline.seller_id,
                policy_version_id=terms.version_id,
                order_number=timeline.number,
                kind=deadline.kind,
                due_at=deadline.due_at,
                remind_at=deadline.remind_at,
            )
        )
    await session.flush()
    return len(deadlines)


async def _terms_at_payment(session: AsyncSession, timeline: OrderTimeline) -> SlaTerms:
    """The SLA version in force when the order was paid, with its category's override."""
    chain = await listing_chain(session, timeline.listing_ids)
    return await terms_for_chain(session, chain, timeline.paid_at)


async def recompute_open_clocks(session: AsyncSession, order_id: uuid.UUID) -> int:
    """Re-derive the still-open, not yet reminded deadlines of an order from the SLA version
    in force at its payment, when they were started under another one (a clock started before
    the policy that covers its payment date was recorded, as when seeding a marketplace's
    history). The number of deadlines changed."""
    timeline = await order_timeline(session, order_id)
    if timeline is None:
        return 0
    terms = await _terms_at_payment(session, timeline)
    expected = {d.kind: d for d in order_deadlines(timeline.kind, timeline.paid_at, terms)}
    changed = 0
    for row in await repository.deadlines_of_order(session, order_id):
        target = expected.get(row.kind)
        settled = row.met_at or row.breached_at or row.stopped_at or row.reminded_at
        if target is None or settled or row.policy_version_id == terms.version_id:
            continue
        row.due_at, row.remind_at = target.due_at, target.remind_at
        row.policy_version_id = terms.version_id
        changed += 1
    await session.flush()
    return changed


def _done_at(kind: str, timeline: OrderTimeline) -> datetime | None:
    return {
        ACCEPT: timeline.accepted_at,
        SHIP: timeline.shipped_at,
        CONFIRM: timeline.performed_at,
        AUTO_CANCEL: timeline.shipped_at,
    }[kind]


def _ended_at(timeline: OrderTimeline) -> datetime | None:
    if timeline.status not in _ENDED:
        return None
    return timeline.canceled_at or timeline.completed_at


async def settle_clocks(session: AsyncSession, order_id: uuid.UUID) -> int:
    """Settle what the order's status now decides (met in time, late, or ended before the
    deadline); the number of deadlines settled. Called on every status change and by the
    sweep; derived from the order, so the order of events does not matter."""
    timeline = await order_timeline(session, order_id)
    if timeline is None:
        return 0
    deadlines = await repository.deadlines_of_order(session, order_id)
    waiting = [row for row in deadlines if row.kind == RESPOND and not _settled(row)]
    answers = await _answers(session, order_id) if waiting else {}
    settled, now = 0, clock.now()
    for deadline in deadlines:
        if deadline.kind == RESPOND:
            answered_at = answers.get(deadline.message_id) if deadline.message_id else None
            settled += await _settle_reply(session, deadline, answered_at, now)
        else:
            settled += await _settle(session, deadline, timeline, now)
    return settled


def _settled(deadline: SlaDeadline) -> bool:
    return bool(deadline.met_at or deadline.breached_at or deadline.stopped_at)


async def _settle(
    session: AsyncSession, deadline: SlaDeadline, timeline: OrderTimeline, now: datetime
) -> int:
    if deadline.met_at or deadline.breached_at or deadline.stopped_at:
        return 0
    done_at, ended_at = _done_at(deadline.kind, timeline), _ended_at(timeline)
    if done_at is not None and done_at <= deadline.due_at:
        return int(await repository.claim_deadline(session, deadline.id, "met_at", done_at))
    if done_at is None and ended_at is not None and ended_at <= deadline.due_at:
        return int(await repository.claim_deadline(session, deadline.id, "stopped_at", ended_at))
    if deadline.kind == AUTO_CANCEL:
        return await _auto_cancel(session, deadline, timeline, now)
    if done_at is not None or (ended_at is None and now >= deadline.due_at):
        return await _breach(session, deadline, now)
    if ended_at is not None:  # ended after the deadline passed unnoticed: still late
        return await _breach(session, deadline, now)
    return 0


# --- respond-by deadlines ----------------------------------------------------------------------


async def sync_respond_clocks(session: AsyncSession, order_id: uuid.UUID) -> int:
    """Open the respond-by deadlines an order's messages call for, from the SLA version in
    force at its payment (a buyer message opens one, due ``respond_within_hours`` later, when
    none is running: see :func:`respond_deadlines`), then settle them by the seller's replies.
    The number opened. Derived from the thread, so any number of runs, in any order, agree."""
    thread = await message_thread(session, order_id)
    if not any(message.author == "buyer" for message in thread):
        return 0
    timeline = await order_timeline(session, order_id)
    if timeline is None:
        return 0
    terms = await _terms_at_payment(session, timeline)
    entries = [ThreadEntry(m.message_id, m.author, m.created_at) for m in thread]
    existing = {row.message_id for row in await repository.deadlines_of_order(session, order_id)}
    opened = 0
    for wanted in respond_deadlines(entries, terms):
        if wanted.message_id not in existing:
            opened += await _open_reply_clock(session, timeline, terms, wanted)
    await settle_clocks(session, order_id)
    return opened


async def _open_reply_clock(
    session: AsyncSession, timeline: OrderTimeline, terms: SlaTerms, wanted: RespondDeadline
) -> int:
    try:
        async with session.begin_nested():
            session.add(
                SlaDeadline(
                    order_id=timeline.order_id,
                    seller_id=timeline.seller_id,
                    policy_version_id=terms.version_id,
                    order_number=timeline.number,
                    kind=RESPOND,
                    message_id=wanted.message_id,
                    due_at=wanted.due_at,
                    remind_at=wanted.remind_at,
                )
            )
    except IntegrityError:
        return 0  # opened meanwhile by another delivery of the same message
    return 1


async def _answers(session: AsyncSession, order_id: uuid.UUID) -> dict[uuid.UUID, datetime | None]:
    """When the seller answered each message of the order (None: not yet)."""
    return {m.message_id: m.answered_at for m in await message_thread(session, order_id)}


async def _settle_reply(
    session: AsyncSession, deadline: SlaDeadline, answered_at: datetime | None, now: datetime
) -> int:
    """Met when the seller replied by the deadline; a breach when it replied late, or has
    not replied and the deadline passed. The order's status does not stop this clock: a
    buyer writing about a finished order still waits for an answer."""
    if _settled(deadline):
        return 0
    if answered_at is not None and answered_at <= deadline.due_at:
        return int(await repository.claim_deadline(session, deadline.id, "met_at", answered_at))
    if answered_at is not None or now >= deadline.due_at:
        return await _breach(session, deadline, now)
    return 0


def _deadline_url(deadline: SlaDeadline | SlaBreach) -> dict[str, str]:
    """Where a seller's email sends it: the order's messages for a reply, else its SLA page."""
    if deadline.kind == RESPOND:
        return {"url": f"/seller/orders/{deadline.order_id}#messages"}
    return {}


# --- breaches ----------------------------------------------------------------------------------


async def _breach(session: AsyncSession, deadline: SlaDeadline, now: datetime) -> int:
    if not await repository.claim_deadline(session, deadline.id, "breached_at", now):
        return 0
    breach = SlaBreach(
        deadline_id=deadline.id,
        order_id=deadline.order_id,
        seller_id=deadline.seller_id,
        order_number=deadline.order_number,
        kind=deadline.kind,
        deadline=deadline.due_at,
        detected_at=now,
    )
    session.add(breach)
    await session.flush()
    events.record(
        session,
        SlaBreached(
            breach.id, breach.order_id, breach.seller_id, breach.kind, breach.deadline, now
        ),
    )
    await _warn(session, breach, now)
    return 1


async def _warn(session: AsyncSession, breach: SlaBreach, now: datetime) -> None:
    label = DEADLINE_LABELS.get(breach.kind, breach.kind).lower()
    message = (
        f"Order {breach.order_number} missed its deadline to {label} "
        f"({breach.deadline:%Y-%m-%d %H:%M} UTC). Repeated breaches lead to listings being "
        "suppressed and payouts held."
    )
    warning = SellerWarning(
        seller_id=breach.seller_id, breach_id=breach.id, message=message, created_at=now
    )
    session.add(warning)
    await session.flush()
    await mail_seller(
        session,
        breach.seller_id,
        "sla_warning_seller",
        {
            "order_number": breach.order_number,
            "kind": breach.kind,
            "deadline": breach.deadline,
            "message": message,
            **_deadline_url(breach),
        },
    )
    events.record(session, SellerWarned(warning.id, warning.seller_id, breach.id, message, now))


async def _auto_cancel(
    session: AsyncSession, deadline: SlaDeadline, timeline: OrderTimeline, now: datetime
) -> int:
    if now < deadline.due_at:
        return 0
    if timeline.shipped_at is not None or timeline.status in _ENDED:
        return int(await repository.claim_deadline(session, deadline.id, "stopped_at", now))
    if not await repository.claim_deadline(session, deadline.id, "breached_at", now):
        return 0
    reason = (
        f"Not shipped within the {(deadline.due_at - timeline.paid_at).days} days the "
        "service levels allow: cancelled automatically and refunded in full."
    )
    if not await cancel_by_system(session, deadline.order_id, reason):
        # Shipped or otherwise moved on meanwhile: nothing to cancel, the clock just stops.
        await repository.claim_deadline(session, deadline.id, "stopped_at", now)
    return 1


async def remind_deadline(session: AsyncSession, deadline_id: uuid.UUID) -> bool:
    """Email the seller once before a deadline (nothing when it is already met or ended)."""
    deadline = await repository.get_deadline(session, deadline_id)
    if deadline is None:
        return False
    await settle_clocks(session, deadline.order_id)
    await session.refresh(deadline)
    now = clock.now()
    if deadline.due_at <= now:
        return False
    if not await repository.claim_deadline(session, deadline.id, "reminded_at", now):
        return False
    await mail_seller(
        session,
        deadline.seller_id,
        "sla_reminder_seller",
        {
            "order_number": deadline.order_number,
            "kind": deadline.kind,
            "deadline": deadline.due_at,
            **_deadline_url(deadline),
        },
    )
    return True


async def enforce_deadline(session: AsyncSession, deadline_id: uuid.UUID) -> int:
    """Settle one due deadline: met, stopped, breached (with its warning) or auto-cancelled;
    a respond-by deadline by the seller's reply."""
    deadline = await repository.get_deadline(session, deadline_id)
    if deadline is None:
        return 0
    if deadline.kind == RESPOND:
        answers = await _answers(session, deadline.order_id)
        answered_at = answers.get(deadline.message_id) if deadline.message_id else None
        return await _settle_reply(session, deadline, answered_at, clock.now())
    timeline = await order_timeline(session, deadline.order_id)
    if timeline is None:
        return 0
    return await _settle(session, deadline, timeline, clock.now())


async def deadlines_to_remind(session: AsyncSession) -> list[uuid.UUID]:
    return await repository.deadlines_to_remind(session, clock.now(), SWEEP_BATCH)


async def deadlines_due(session: AsyncSession) -> list[uuid.UUID]:
    return await repository.open_deadlines(session, due_by=clock.now(), limit=SWEEP_BATCH)


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipDeadline:
    """An order's ship-by deadline and whether the sweep found it breached."""

    order_id: uuid.UUID
    due_at: datetime
    breached: bool


async def ship_deadlines(
    session: AsyncSession, order_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ShipDeadline]:
    """The ship-by deadlines of the orders that have one (for the system: seller performance
    counts late shipments from them; callers apply their own authorization)."""
    rows = await repository.deadlines_of_orders(session, order_ids, SHIP)
    return {
        row.order_id: ShipDeadline(row.order_id, row.due_at, row.breached_at is not None)
        for row in rows
    }


async def seller_sla_overview(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID | None = None
) -> SellerSlaOverview:
    """A seller's open deadlines, breaches and warnings: its own for a seller, any seller's
    for staff (``seller_id`` required then)."""
    if principal.role is Role.SELLER:
        seller_id = await own_seller_id(session, principal)
    else:
        principal.require_role(Role.ADMIN, Role.SUPPORT)
        if seller_id is None:
            raise NotFound("Name the seller whose SLA clocks to show.")
    return SellerSlaOverview(
        seller_id=seller_id,
        open_deadlines=[
            DeadlineOut.model_validate(row)
            for row in await repository.seller_open_deadlines(session, seller_id)
        ],
        breaches=[
            BreachOut.model_validate(row)
            for row in await repository.list_breaches(session, seller_id)
        ],
        warnings=[
            WarningOut.model_validate(row)
            for row in await repository.list_warnings(session, seller_id)
        ],
    )


async def list_breaches(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID | None = None
) -> list[BreachOut]:
    """Recent breaches, newest first: staff (every seller, or one)."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return [
        BreachOut.model_validate(row) for row in await repository.list_breaches(session, seller_id)
    ]
