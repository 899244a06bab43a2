"""Reactions of the catalog to other domains' events."""

from __future__ import annotations

from mercato.catalog.service import seller_listings_changed
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.sellers.events import SellerStatusChanged, SellerStorefrontChanged


@subscribe(SellerStatusChanged)
async def seller_status_changed(event: SellerStatusChanged) -> None:
    """A seller admitted or suspended changes whether its listings are visible: announce them
    all as changed so search shows or hides them."""
    async with current_database().transaction() as session:
        await seller_listings_changed(session, event.seller_id)


@subscribe(SellerStorefrontChanged)
async def storefront_changed(event: SellerStorefrontChanged) -> None:
    """Listings carry their seller's name into search: re-index them when it changes."""
    async with current_database().transaction() as session:
        await seller_listings_changed(session, event.seller_id)
