"""Hold periods: how long a completed order's money waits before it is released. A default
(``MERCATO_SETTLEMENT_HOLD_DAYS``), a seller's own period that replaces it (a new or risky shop
waits longer, a trusted one less), and category periods that only ever lengthen it (goods that
are often returned late)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import CategoryOut
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound
from mercato.sellers.service import get_storefronts
from mercato.settlement import repository
from mercato.settlement.calculations import order_hold_days
from mercato.settlement.models import CategoryHold, Escrow, SellerHold
from mercato.settlement.schemas import CategoryHoldOut, HoldsOut, SellerHoldOut
from mercato.settlement.settings import settlement_settings


async def seller_hold_days(session: AsyncSession, seller_id: uuid.UUID) -> int:
    """The seller's own hold period in days, else the default."""
    own = await repository.get_seller_hold(session, seller_id)
    return own.hold_days if own else settlement_settings().hold_days


async def order_hold_period(session: AsyncSession, escrow: Escrow) -> timedelta:
    """How long this order's money waits after completion: the seller's hold, lengthened by
    the longest hold of its lines' categories."""
    base = await seller_hold_days(session, escrow.seller_id)
    by_category = await repository.category_hold_days(session)
    if not by_category:
        return timedelta(days=base)
    facts = await catalog_service.listing_facts(session, [line.listing_id for line in escrow.lines])
    chains = [fact.category_ids for fact in facts.values()]
    return timedelta(days=order_hold_days(base, by_category, chains))


async def set_seller_hold(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID, hold_days: int
) -> int:
    """Set a seller's own hold period (admins). Applies to orders completed from now on."""
    principal.require_role(Role.ADMIN)
    own = await repository.get_seller_hold(session, seller_id)
    new = SellerHold(seller_id=seller_id, hold_days=hold_days)
    return await _save_hold(session, own, new, hold_days, "No such seller.")


async def set_category_hold(
    session: AsyncSession, principal: Principal, category_id: uuid.UUID, hold_days: int
) -> int:
    """Set a category's hold period (admins); it covers its subcategories that have none of
    their own. Applies to orders completed from now on."""
    principal.require_role(Role.ADMIN)
    own = await repository.get_category_hold(session, category_id)
    new = CategoryHold(category_id=category_id, hold_days=hold_days)
    return await _save_hold(session, own, new, hold_days, "No such category.")


async def _save_hold(
    session: AsyncSession,
    own: SellerHold | CategoryHold | None,
    new: SellerHold | CategoryHold,
    hold_days: int,
    unknown: str,
) -> int:
    """Change the existing hold, or add ``new``; a seller or category that does not exist
    (its foreign key refuses the row) is a 404."""
    if own is not None:
        own.hold_days = hold_days
        await session.flush()
        return hold_days
    try:
        async with session.begin_nested():
            repository.add(session, new)
            await session.flush()
    except IntegrityError:
        raise NotFound(unknown) from None
    return hold_days


async def clear_category_hold(
    session: AsyncSession, principal: Principal, category_id: uuid.UUID
) -> None:
    """Remove a category's hold period (admins): its orders wait the seller's hold again."""
    principal.require_role(Role.ADMIN)
    own = await repository.get_category_hold(session, category_id)
    if own is None:
        raise NotFound("This category has no hold period of its own.")
    await session.delete(own)
    await session.flush()


async def hold_category_choices(session: AsyncSession, principal: Principal) -> list[CategoryOut]:
    """Every category depth-first, to choose one for a hold period (staff)."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return await catalog_service.list_categories_flat(session)


async def list_holds(session: AsyncSession, principal: Principal) -> HoldsOut:
    """The default hold, every seller's own and every category's, with names (staff)."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    sellers = await repository.list_seller_holds(session)
    storefronts = await get_storefronts(session, [hold.seller_id for hold in sellers])
    categories = await repository.category_hold_days(session)
    names = {c.id: c for c in await catalog_service.list_categories_flat(session)}
    return HoldsOut(
        default_days=settlement_settings().hold_days,
        sellers=[
            SellerHoldOut(
                seller_id=hold.seller_id,
                seller_name=(
                    storefronts[hold.seller_id].display_name
                    if hold.seller_id in storefronts
                    else None
                ),
                hold_days=hold.hold_days,
            )
            for hold in sellers
        ],
        categories=sorted(
            (
                CategoryHoldOut(
                    category_id=category_id,
                    category_name=names[category_id].name,
                    hold_days=days,
                )
                for category_id, days in categories.items()
                if category_id in names
            ),
            key=lambda hold: hold.category_name,
        ),
    )
