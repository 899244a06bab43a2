"""The payout use cases adapters call: a seller asking for a payout, staff listing, creating,
retrying and canceling payouts, and the periodic sweep that pays sellers on their schedule."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.pagination import Page
from mercato.payments.service import available_seller_balances
from mercato.payouts import repository
from mercato.payouts.calculations import latest_due_date, request_key, scheduled_key
from mercato.payouts.schemas import (
    AdminPayoutIn,
    Interval,
    PayoutOut,
    PayoutRequestIn,
    PayoutStatus,
    Trigger,
)
from mercato.payouts.service._common import (
    own_seller_id,
    payout_out,
    require_staff,
    visible_payout,
)
from mercato.payouts.service.payouts import NewPayout, cancel_pending, create_payout
from mercato.payouts.service.schedules import schedule_of
from mercato.payouts.settings import payout_settings
from mercato.sellers.service import get_storefronts

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class PayoutResult:
    payout: PayoutOut
    replayed: bool


def _client_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ValidationFailed.on("Idempotency-Key", "An Idempotency-Key header is required.")
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed.on(
            "Idempotency-Key", f"Use at most {MAX_KEY_LENGTH} printable characters."
        )
    return key.strip()


async def request_payout(
    session: AsyncSession, principal: Principal, data: PayoutRequestIn, idempotency_key: str | None
) -> PayoutResult:
    """The signed-in seller asks for ``amount_minor`` of its available balance now. The same
    Idempotency-Key (a double click) returns the first payout."""
    seller_id = await own_seller_id(session, principal)
    key = request_key(seller_id, _client_key(idempotency_key))
    new = NewPayout(
        seller_id, data.amount_minor, data.currency.upper(), key, Trigger.SELLER, principal.user_id
    )
    created = await create_payout(session, new)
    return PayoutResult(payout_out(created.payout), created.replayed)


async def create_admin_payout(
    session: AsyncSession, principal: Principal, data: AdminPayoutIn, idempotency_key: str | None
) -> PayoutResult:
    """An admin pays a seller out now (no minimum applies)."""
    require_staff(principal, write=True)
    key = request_key(data.seller_id, f"admin:{_client_key(idempotency_key)}")
    new = NewPayout(
        data.seller_id,
        data.amount_minor,
        data.currency.upper(),
        key,
        Trigger.ADMIN,
        principal.user_id,
        enforce_minimum=False,
    )
    created = await create_payout(session, new)
    return PayoutResult(payout_out(created.payout), created.replayed)


async def retry_payout(
    session: AsyncSession, principal: Principal, payout_id: uuid.UUID
) -> PayoutResult:
    """Pay a failed payout's amount again, as a new payout (admins). Retrying twice returns
    the same new payout."""
    require_staff(principal, write=True)
    failed = await visible_payout(session, principal, payout_id)
    if failed.status != PayoutStatus.FAILED.value:
        raise Conflict("Only a failed payout can be retried.")
    new = NewPayout(
        failed.seller_id,
        failed.amount_minor,
        failed.currency,
        f"retry:{failed.id}",
        Trigger.RETRY,
        principal.user_id,
        retry_of=failed.id,
        enforce_minimum=False,
    )
    created = await create_payout(session, new)
    return PayoutResult(payout_out(created.payout), created.replayed)


async def cancel_payout(
    session: AsyncSession, principal: Principal, payout_id: uuid.UUID
) -> PayoutOut:
    """Cancel a pending payout (admins); its money returns to the seller's balance."""
    require_staff(principal, write=True)
    payout = await visible_payout(session, principal, payout_id, for_update=True)
    await cancel_pending(session, payout)
    return payout_out(payout)


async def get_payout(
    session: AsyncSession, principal: Principal, payout_id: uuid.UUID
) -> PayoutOut:
    """A payout: its seller's and staff's."""
    return payout_out(await visible_payout(session, principal, payout_id))


async def list_payouts(
    session: AsyncSession,
    principal: Principal,
    *,
    status: PayoutStatus | None = None,
    seller_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[PayoutOut]:
    """Payouts newest first: a seller's own, or (staff) everyone's, by status and seller."""
    principal.require_user()
    if principal.role is Role.SELLER:
        seller_id = await own_seller_id(session, principal)
    else:
        require_staff(principal)
    found = await repository.list_payouts(
        session,
        seller_id=seller_id,
        status=status.value if status else None,
        cursor=cursor,
        limit=limit,
    )
    items = [payout_out(p) for p in found.rows]
    if principal.role is not Role.SELLER:  # staff see whose payout it is by name
        names = await get_storefronts(session, list({p.seller_id for p in items}))
        for item in items:
            storefront = names.get(item.seller_id)
            item.seller_name = storefront.display_name if storefront else None
    return Page[PayoutOut](items=items, next_cursor=found.next_cursor)


# --- the scheduled sweep ------------------------------------------------------------------------


@dataclass(frozen=True)
class DuePayout:
    seller_id: uuid.UUID
    currency: str
    key: str


async def due_payouts(session: AsyncSession, today: date) -> list[DuePayout]:
    """Sellers with an available balance whose schedule has a payout day on or before
    ``today`` not yet paid (derived from the database: a rerun finds nothing new)."""
    balances = await available_seller_balances(session)
    schedules = await repository.schedules_of(session, sorted({b.seller_id for b in balances}))
    due = []
    for found in balances:
        schedule = schedule_of(schedules.get(found.seller_id))
        if schedule.interval is Interval.MANUAL:
            continue
        day = latest_due_date(schedule, today)
        assert day is not None
        key = scheduled_key(found.seller_id, found.currency, day)
        if await repository.get_by_key(session, key) is None:
            due.append(DuePayout(found.seller_id, found.currency, key))
    return due


async def pay_scheduled(session: AsyncSession, due: DuePayout) -> PayoutOut | None:
    """Pay the seller's whole available balance for one due period; None when it is below the
    minimum or the seller is blocked (it waits for a later period)."""
    new = NewPayout(due.seller_id, None, due.currency, due.key, Trigger.SCHEDULED)
    try:
        created = await create_payout(session, new)
    except (ValidationFailed, Conflict, NotFound):
        return None
    return payout_out(created.payout)


async def pending_payouts(session: AsyncSession) -> list[uuid.UUID]:
    """Payouts recorded a while ago but never handed to the provider (their job was lost)."""
    wait = timedelta(seconds=payout_settings().resend_after_seconds)
    return await repository.pending_payout_ids(session, clock.now() - wait)
