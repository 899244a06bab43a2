"""What other domains and the storefront read: search documents, public listings, featured
listings, a seller's shop, and the live price and stock a checkout needs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.models import Listing
from mercato.catalog.schemas import (
    ListingKind,
    ListingSummary,
    PublicListing,
    SearchDocument,
    VariantForCheckout,
)
from mercato.catalog.service._common import Sellers, is_visible
from mercato.catalog.service._tree import CategoryTree, load_tree
from mercato.catalog.service._views import (
    attribute_display,
    image_url,
    listing_summary,
    price_range,
    public_listing,
)
from mercato.kit.errors import NotFound
from mercato.kit.pagination import Page

FEATURED_MAX = 48


def _document(
    listing: Listing, tree: CategoryTree, seller_name: str, sellable: bool
) -> SearchDocument:
    low, high = price_range(listing)
    ready = [image for image in listing.images if image.status != "failed"]
    display, _ = attribute_display(listing, tree)
    return SearchDocument(
        listing_id=listing.id,
        seller_id=listing.seller_id,
        seller_name=seller_name,
        title=listing.title,
        description=listing.description,
        kind=ListingKind(listing.kind).value,
        category_id=listing.category_id,
        category_ids=[c.id for c in tree.ancestors(listing.category_id)],
        category_path=tree.path(listing.category_id),
        attributes=display,
        currency=listing.currency,
        price_min_minor=low,
        price_max_minor=high,
        in_stock=any(v.stock > 0 for v in listing.variants),
        image_key=(ready[0].small_key or ready[0].file_key) if ready else None,
        published_at=listing.published_at,
        visible=is_visible(listing, sellable),
    )


async def search_documents(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> list[SearchDocument]:
    """The search documents of the listings that still exist, in one pass (bulk re-indexing)."""
    listings = await repository.get_listings(session, list(listing_ids))
    tree = await load_tree(session)
    sellers = Sellers(session)
    documents = []
    for listing in listings:
        seller = await sellers.get(listing.seller_id)
        name = seller.business_name if seller else ""
        documents.append(_document(listing, tree, name, await sellers.sellable(listing.seller_id)))
    return documents


async def search_document(session: AsyncSession, listing_id: uuid.UUID) -> SearchDocument | None:
    """Everything search indexes about one listing; None once the listing is deleted."""
    documents = await search_documents(session, [listing_id])
    return documents[0] if documents else None


async def get_listing_owner(session: AsyncSession, listing_id: uuid.UUID) -> uuid.UUID | None:
    """The id of the seller who owns the listing, or None when there is no such listing."""
    listing = await repository.get_listing_row(session, listing_id)
    return None if listing is None else listing.seller_id


async def get_public_listing(session: AsyncSession, listing_id: uuid.UUID) -> PublicListing:
    """A listing as buyers see it, with variants, stock and images; "not found" unless it is
    published, not hidden, and its seller may sell."""
    listing = await repository.get_listing(session, listing_id)
    sellers = Sellers(session)
    if listing is None or not is_visible(listing, await sellers.sellable(listing.seller_id)):
        raise NotFound("No such listing.")
    seller = await sellers.get(listing.seller_id)
    profile = (
        await repository.get_shipping_profile(session, listing.shipping_profile_id)
        if listing.shipping_profile_id
        else None
    )
    tree = await load_tree(session)
    return public_listing(listing, tree, seller.business_name if seller else "", profile)


async def list_featured_listings(session: AsyncSession, limit: int = 12) -> list[ListingSummary]:
    """Recently published visible listings, in stock and with a picture first."""
    limit = max(1, min(limit, FEATURED_MAX))
    sellers = Sellers(session)
    candidates = await repository.list_newest_published(session, limit * 4)
    visible = [listing for listing in candidates if await sellers.sellable(listing.seller_id)]
    visible.sort(
        key=lambda item: (not item.images, not any(v.stock > 0 for v in item.variants)),
    )
    return [listing_summary(listing) for listing in visible[:limit]]


async def list_seller_listings_public(
    session: AsyncSession, seller_id: uuid.UUID, cursor: str | None = None, limit: int = 24
) -> Page[ListingSummary]:
    """A seller's shop: their visible listings, newest first. Empty when they may not sell."""
    if not await Sellers(session).sellable(seller_id):
        return Page[ListingSummary](items=[], next_cursor=None)
    found = await repository.list_published_of_seller(
        session, seller_id, cursor=cursor, limit=limit
    )
    return Page[ListingSummary](
        items=[listing_summary(row) for row in found.rows], next_cursor=found.next_cursor
    )


async def get_variant_for_checkout(
    session: AsyncSession, variant_id: uuid.UUID
) -> VariantForCheckout | None:
    """The variant's price and stock as they are right now in the database (never cached), and
    whether it can be bought. None when the variant does not exist."""
    return (await get_variants_for_checkout(session, [variant_id])).get(variant_id)


async def get_variants_for_checkout(
    session: AsyncSession, variant_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, VariantForCheckout]:
    """:func:`get_variant_for_checkout` for many variants at once (a cart): one query for the
    variants and their listings, one look-up per seller. Unknown variants are left out."""
    if not variant_ids:
        return {}
    sellers = Sellers(session)
    found: dict[uuid.UUID, VariantForCheckout] = {}
    for variant, listing in await repository.variants_with_listings(session, variant_ids):
        visible = is_visible(listing, await sellers.sellable(listing.seller_id))
        found[variant.id] = VariantForCheckout(
            variant_id=variant.id,
            listing_id=listing.id,
            seller_id=listing.seller_id,
            sku=variant.sku,
            title=listing.title,
            options=dict(variant.options or {}),
            kind=ListingKind(listing.kind),
            price_minor=variant.price_minor,
            currency=listing.currency,
            stock=variant.stock,
            weight_grams=variant.weight_grams,
            shipping_profile_id=listing.shipping_profile_id,
            purchasable=visible and variant.stock > 0,
        )
    return found


async def listing_thumbnails(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Listing id -> the URL of its first picture's thumbnail (listings with none are left
    out), for showing what a buyer picked (cart lines)."""
    images = await repository.first_images(session, listing_ids)
    return {
        listing_id: image_url(image.small_key or image.file_key)
        for listing_id, image in images.items()
    }
