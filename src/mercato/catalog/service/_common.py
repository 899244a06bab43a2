"""Helpers shared by the catalog use cases: who owns what, who may see what, and events."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.events import ListingChanged, ListingsChanged
from mercato.catalog.models import Listing, Variant
from mercato.kit import events
from mercato.kit.auth import Principal, Role
from mercato.kit.db import after_commit
from mercato.kit.errors import FieldError, NotFound, ValidationFailed
from mercato.kit.storage import FileStore
from mercato.sellers import service as sellers
from mercato.sellers.schemas import SellerOut


async def own_seller(session: AsyncSession, principal: Principal) -> SellerOut:
    """The signed-in seller (buyers and staff are refused, anonymous callers must sign in)."""
    return await sellers.require_own_seller(session, principal)


async def own_listing(session: AsyncSession, seller: SellerOut, listing_id: uuid.UUID) -> Listing:
    """One of the seller's listings with its variants and images; another seller's is "not
    found", so ids cannot be probed."""
    listing = await repository.get_listing(session, listing_id)
    if listing is None or listing.seller_id != seller.id:
        raise NotFound("No such listing.")
    return listing


async def own_variant(
    session: AsyncSession, seller: SellerOut, variant_id: uuid.UUID
) -> tuple[Listing, Variant]:
    variant = await repository.get_variant(session, variant_id)
    if variant is None or variant.seller_id != seller.id:
        raise NotFound("No such variant.")
    listing = await own_listing(session, seller, variant.listing_id)
    return listing, next(v for v in listing.variants if v.id == variant.id)


def require_admin(principal: Principal) -> uuid.UUID:
    return principal.require_role(Role.ADMIN)


def require_staff(principal: Principal) -> uuid.UUID:
    return principal.require_role(Role.ADMIN, Role.SUPPORT)


class Sellers:
    """Seller look-ups for one use case, each seller read once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[uuid.UUID, SellerOut | None] = {}

    async def get(self, seller_id: uuid.UUID) -> SellerOut | None:
        if seller_id not in self._known:
            self._known[seller_id] = await sellers.get_seller(self.session, seller_id)
        return self._known[seller_id]

    async def sellable(self, seller_id: uuid.UUID) -> bool:
        seller = await self.get(seller_id)
        return seller is not None and sellers.can_publish(seller)


def is_visible(listing: Listing, sellable: bool) -> bool:
    """Buyers see a listing that is published, not hidden by moderation, from a seller who may
    sell."""
    return listing.status == "published" and listing.hidden_at is None and sellable


def listing_changed(session: AsyncSession, listing_id: uuid.UUID) -> None:
    events.record(session, ListingChanged(listing_id))


def listings_changed(session: AsyncSession, listing_ids: list[uuid.UUID]) -> None:
    if listing_ids:
        events.record(session, ListingsChanged(tuple(listing_ids)))


def refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)


def delete_files_after_commit(session: AsyncSession, files: FileStore, keys: list[str]) -> None:
    """Remove stored files only once the rows pointing at them are gone for good."""

    async def delete() -> None:
        for key in keys:
            files.delete(key)

    if keys:
        after_commit(session, delete)
