"""Staff moderation: the queue of listings, hiding a listing with a reason, unhiding it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.schemas import ListingOut, ListingStatus, ListingSummary
from mercato.catalog.service._common import (
    Sellers,
    is_visible,
    listing_changed,
    require_admin,
    require_staff,
)
from mercato.catalog.service._tree import load_tree
from mercato.catalog.service._views import listing_out, listing_summary
from mercato.kit import clock
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, NotFound
from mercato.kit.pagination import Page


async def list_moderation_queue(
    session: AsyncSession,
    principal: Principal,
    *,
    hidden: bool | None = None,
    status: ListingStatus | None = None,
    query: str = "",
    cursor: str | None = None,
    limit: int = 25,
) -> Page[ListingSummary]:
    """Every seller's listings, newest first, for staff to review."""
    require_staff(principal)
    found = await repository.list_for_moderation(
        session,
        hidden=hidden,
        status=status.value if status else None,
        query=query.strip(),
        cursor=cursor,
        limit=limit,
    )
    return Page[ListingSummary](
        items=[listing_summary(row) for row in found.rows], next_cursor=found.next_cursor
    )


async def list_moderation_details(
    session: AsyncSession,
    principal: Principal,
    *,
    hidden: bool | None = None,
    status: ListingStatus | None = None,
    query: str = "",
    cursor: str | None = None,
    limit: int = 25,
) -> Page[ListingOut]:
    """The moderation queue with each listing's details and its seller's name."""
    require_staff(principal)
    found = await repository.list_for_moderation(
        session,
        hidden=hidden,
        status=status.value if status else None,
        query=query.strip(),
        cursor=cursor,
        limit=limit,
    )
    tree, sellers = await load_tree(session), Sellers(session)
    items = []
    for row in found.rows:
        seller = await sellers.get(row.seller_id)
        view = listing_out(
            row, tree, visible=is_visible(row, await sellers.sellable(row.seller_id))
        )
        items.append(
            view.model_copy(update={"seller_name": seller.business_name if seller else None})
        )
    return Page[ListingOut](items=items, next_cursor=found.next_cursor)


async def get_listing_for_staff(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID
) -> ListingOut:
    require_staff(principal)
    listing = await repository.get_listing(session, listing_id)
    if listing is None:
        raise NotFound("No such listing.")
    sellable = await Sellers(session).sellable(listing.seller_id)
    return listing_out(listing, await load_tree(session), visible=is_visible(listing, sellable))


async def hide_listing(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID, reason: str
) -> ListingOut:
    """Take a listing out of the storefront for a stated reason (admins). The seller sees the
    reason; the listing keeps its status and comes back when unhidden."""
    admin_id = require_admin(principal)
    listing = await repository.get_listing(session, listing_id)
    if listing is None:
        raise NotFound("No such listing.")
    if listing.hidden_at is not None:
        raise Conflict("This listing is already hidden.")
    listing.hidden_at, listing.hidden_by = clock.now(), admin_id
    listing.hidden_reason = " ".join(reason.split())
    await session.flush()
    listing_changed(session, listing.id)
    return listing_out(listing, await load_tree(session), visible=False)


async def unhide_listing(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID
) -> ListingOut:
    require_admin(principal)
    listing = await repository.get_listing(session, listing_id)
    if listing is None:
        raise NotFound("No such listing.")
    if listing.hidden_at is None:
        raise Conflict("This listing is not hidden.")
    listing.hidden_at = listing.hidden_by = listing.hidden_reason = None
    await session.flush()
    listing_changed(session, listing.id)
    sellable = await Sellers(session).sellable(listing.seller_id)
    return listing_out(listing, await load_tree(session), visible=is_visible(listing, sellable))


async def seller_listings_changed(session: AsyncSession, seller_id: uuid.UUID) -> int:
    """Announce every listing of a seller as changed: call it when the seller's ability to
    sell changes (admission, suspension), so search re-reads their visibility."""
    ids = await repository.list_listing_ids_of_seller(session, seller_id)
    for listing_id in ids:
        listing_changed(session, listing_id)
    return len(ids)


async def list_listing_ids(session: AsyncSession) -> list[uuid.UUID]:
    """Every listing's id, in any state: what a full search re-index walks through."""
    return await repository.list_all_listing_ids(session)
