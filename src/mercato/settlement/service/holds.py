"""Hold periods: how long a completed order's money waits before it is released. The seller's
own period (a risk decision kept here, with who set it, when and why) else the base of the
escrow hold policy in force at the order's completion (a governance policy) else the platform
default (``MERCATO_SETTLEMENT_HOLD_DAYS``); lengthened, never shortened, by the policy's
category periods (goods that are often returned late).

Governance is imported where it is called: it reads orders, whose order pages read settlement,
so importing it while this package loads would close that circle."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import get_contact
from mercato.catalog import service as catalog_service
from mercato.kit import clock, events
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound
from mercato.sellers.schemas import SellerStatus
from mercato.sellers.service import get_storefronts, list_applications
from mercato.settlement import repository
from mercato.settlement.calculations import order_hold_days
from mercato.settlement.events import SellerHoldSet
from mercato.settlement.models import Escrow, SellerHold
from mercato.settlement.schemas import (
    CategoryPeriodOut,
    EscrowHoldPolicyOut,
    HoldsOut,
    SellerHoldIn,
    SellerHoldOut,
)
from mercato.settlement.settings import settlement_settings

if TYPE_CHECKING:
    from mercato.governance import EscrowHold
    from mercato.governance.schemas import EscrowHoldOut

HOLD_SELLER_STATUSES = (SellerStatus.ADMITTED, SellerStatus.SUSPENDED)


async def _policy_at(session: AsyncSession, at: datetime | None) -> EscrowHoldOut:
    from mercato.governance import escrow_hold_policy

    return await escrow_hold_policy(session, at)


def _base_days(own: int | None, policy_base: int | None) -> int:
    """The seller's own period, else the policy's base, else the platform default."""
    if own is not None:
        return own
    return policy_base if policy_base is not None else settlement_settings().hold_days


async def _category_chains(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    facts = await catalog_service.listing_facts(session, list(listing_ids))
    return {listing_id: list(fact.category_ids) for listing_id, fact in facts.items()}


async def order_hold_period(session: AsyncSession, escrow: Escrow) -> timedelta:
    """How long this completed order's money waits, under the escrow hold policy in force at
    its completion: the seller's own hold, else the policy's base, else the default;
    lengthened by the longest period of its lines' categories."""
    policy = await _policy_at(session, escrow.completed_at)
    own = await repository.get_seller_hold(session, escrow.seller_id)
    base = _base_days(own.hold_days if own else None, policy.hold_days)
    if not policy.category_hold_days:
        return timedelta(days=base)
    chains = await _category_chains(session, [line.listing_id for line in escrow.lines])
    days = order_hold_days(base, policy.category_hold_days, list(chains.values()))
    return timedelta(days=days)


async def set_seller_hold(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID, data: SellerHoldIn
) -> SellerHoldOut:
    """Set a seller's own hold period, with the reason (admins); who and when are recorded
    and the audit log hears of it. Applies to orders completed from now on."""
    user_id = principal.require_role(Role.ADMIN)
    own = await repository.get_seller_hold(session, seller_id)
    previous = own.hold_days if own else None
    now = clock.now()
    reason = data.reason.strip()
    if own is None:
        own = SellerHold(seller_id=seller_id)
        try:
            async with session.begin_nested():
                _record(own, data.hold_days, reason, user_id, now)
                repository.add(session, own)
                await session.flush()
        except IntegrityError:
            raise NotFound("No such seller.") from None
    else:
        _record(own, data.hold_days, reason, user_id, now)
        await session.flush()
    events.record(session, SellerHoldSet(seller_id, data.hold_days, previous, reason, user_id, now))
    return (await _seller_holds_out(session, [own]))[0]


def _record(hold: SellerHold, days: int, reason: str, user_id: uuid.UUID, now: datetime) -> None:
    hold.hold_days, hold.reason, hold.set_by, hold.updated_at = days, reason, user_id, now


async def _seller_holds_out(
    session: AsyncSession, holds: Sequence[SellerHold]
) -> list[SellerHoldOut]:
    storefronts = await get_storefronts(session, [hold.seller_id for hold in holds])
    authors: dict[uuid.UUID, str | None] = {}
    for user_id in {hold.set_by for hold in holds if hold.set_by is not None}:
        contact = await get_contact(session, user_id)
        authors[user_id] = contact.name if contact else None
    return [
        SellerHoldOut(
            seller_id=hold.seller_id,
            seller_name=(
                storefronts[hold.seller_id].display_name if hold.seller_id in storefronts else None
            ),
            hold_days=hold.hold_days,
            reason=hold.reason,
            set_by=hold.set_by,
            set_by_name=authors.get(hold.set_by) if hold.set_by else None,
            updated_at=hold.updated_at,
        )
        for hold in holds
    ]


async def hold_seller_choices(
    session: AsyncSession, principal: Principal
) -> list[tuple[uuid.UUID, str]]:
    """Admitted (or suspended) sellers, newest first, to choose one for a hold (staff)."""
    found = await list_applications(session, principal, statuses=HOLD_SELLER_STATUSES, limit=100)
    return [(seller.id, seller.business_name) for seller in found.items]


async def list_holds(session: AsyncSession, principal: Principal) -> HoldsOut:
    """The default hold, the escrow hold policy in force with its category periods, and
    every seller's own hold with who set it, when and why (staff)."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    policy = await _policy_at(session, None)
    names = {c.id: c.name for c in await catalog_service.list_categories_flat(session)}
    periods = [
        CategoryPeriodOut(category_id=category_id, category_name=names[category_id], hold_days=days)
        for category_id, days in policy.category_hold_days.items()
        if category_id in names
    ]
    return HoldsOut(
        default_days=settlement_settings().hold_days,
        policy=EscrowHoldPolicyOut(
            version_id=policy.version_id,
            version=policy.version,
            effective_from=policy.effective_from,
            reason=policy.reason,
            hold_days=policy.hold_days,
            categories=sorted(periods, key=lambda period: period.category_name),
        ),
        sellers=await _seller_holds_out(session, await repository.list_seller_holds(session)),
    )


# --- the escrow hold preview (governance) ------------------------------------------------------


@dataclass(frozen=True)
class CompletedHold:
    """A completed order's hold in days under each of the policies replayed, in their order."""

    order_id: uuid.UUID
    seller_id: uuid.UUID
    currency: str
    held_minor: int
    days: tuple[int, ...]


async def replay_holds(
    session: AsyncSession, since: datetime, until: datetime, policies: Sequence[EscrowHold]
) -> list[CompletedHold]:
    """Each order completed from ``since`` to ``until`` with the hold it gets under each policy
    (the sellers' own holds as they stand now and the default apply): what governance's
    preview of a draft escrow hold compares (for the system)."""
    escrows = await repository.escrows_completed_between(session, since, until)
    chains = await _category_chains(
        session, sorted({line.listing_id for escrow in escrows for line in escrow.lines}, key=str)
    )
    own = await repository.seller_hold_days(
        session, sorted({e.seller_id for e in escrows}, key=str)
    )
    periods = [_by_category(policy.category_days) for policy in policies]
    replayed = []
    for escrow in escrows:
        lines = [chains.get(line.listing_id, []) for line in escrow.lines]
        days = tuple(
            order_hold_days(_base_days(own.get(escrow.seller_id), policy.base_days), period, lines)
            for policy, period in zip(policies, periods, strict=True)
        )
        replayed.append(
            CompletedHold(
                order_id=escrow.order_id,
                seller_id=escrow.seller_id,
                currency=escrow.currency,
                held_minor=escrow.captured_minor - escrow.refunded_minor,
                days=days,
            )
        )
    return replayed


def _by_category(days: Mapping[str, int]) -> dict[uuid.UUID, int]:
    return {uuid.UUID(category_id): value for category_id, value in days.items()}
