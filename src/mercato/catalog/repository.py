"""All SQL of the catalog domain."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from mercato.catalog.models import (
    Attribute,
    Category,
    Image,
    ImportJob,
    Listing,
    ShippingProfile,
    Variant,
)
from mercato.kit.repository import Slice, newest_first

# Bound parameters per IN (...) list: well under SQLite's and asyncpg's limits.
CHUNK = 500


def chunks(values: Sequence[uuid.UUID] | Sequence[str], size: int = CHUNK) -> Iterable[list]:  # type: ignore[type-arg]
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


# --- categories and attributes -------------------------------------------------------------


async def list_categories(session: AsyncSession) -> list[Category]:
    statement = select(Category).order_by(Category.position, Category.name)
    return list((await session.execute(statement)).scalars())


async def list_attributes(session: AsyncSession) -> list[Attribute]:
    statement = select(Attribute).order_by(Attribute.position, Attribute.name)
    return list((await session.execute(statement)).scalars())


async def get_category(session: AsyncSession, category_id: uuid.UUID) -> Category | None:
    return await session.get(Category, category_id)


async def get_category_by_slug(session: AsyncSession, slug: str) -> Category | None:
    statement = select(Category).where(Category.slug == slug)
    return (await session.execute(statement)).scalar_one_or_none()


async def count_children(session: AsyncSession, category_id: uuid.UUID) -> int:
    statement = select(func.count()).where(Category.parent_id == category_id)
    return int((await session.execute(statement)).scalar_one())


async def count_listings_in(session: AsyncSession, category_ids: Sequence[uuid.UUID]) -> int:
    statement = select(func.count()).where(Listing.category_id.in_(category_ids))
    return int((await session.execute(statement)).scalar_one())


async def list_attribute_codes(session: AsyncSession, category_id: uuid.UUID) -> set[str]:
    statement = select(Attribute.code).where(Attribute.category_id == category_id)
    return set((await session.execute(statement)).scalars())


async def get_attribute(session: AsyncSession, attribute_id: uuid.UUID) -> Attribute | None:
    return await session.get(Attribute, attribute_id)


# --- listings ----------------------------------------------------------------------------


def _with_children(statement: Select[Listing]) -> Select[Listing]:
    return statement.options(selectinload(Listing.variants), selectinload(Listing.images))


async def get_listing(session: AsyncSession, listing_id: uuid.UUID) -> Listing | None:
    """The listing with its variants and images loaded."""
    statement = _with_children(select(Listing).where(Listing.id == listing_id))
    return (await session.execute(statement)).scalar_one_or_none()


async def get_listings(session: AsyncSession, listing_ids: Sequence[uuid.UUID]) -> list[Listing]:
    found: list[Listing] = []
    for chunk in chunks(listing_ids):
        statement = _with_children(select(Listing).where(Listing.id.in_(chunk)))
        found.extend((await session.execute(statement)).scalars())
    return found


async def list_seller_listings(
    session: AsyncSession,
    seller_id: uuid.UUID,
    *,
    status: str | None = None,
    query: str = "",
    cursor: str | None = None,
    limit: int = 25,
) -> Slice[Listing]:
    statement = _with_children(select(Listing).where(Listing.seller_id == seller_id))
    if status:
        statement = statement.where(Listing.status == status)
    if query:
        statement = statement.where(Listing.title.icontains(query, autoescape=True))
    return await newest_first(session, statement, Listing.id, cursor=cursor, limit=limit)


async def list_published_of_seller(
    session: AsyncSession, seller_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Slice[Listing]:
    statement = _with_children(
        select(Listing).where(
            Listing.seller_id == seller_id,
            Listing.status == "published",
            Listing.hidden_at.is_(None),
        )
    )
    return await newest_first(session, statement, Listing.id, cursor=cursor, limit=limit)


async def list_newest_published(session: AsyncSession, limit: int) -> list[Listing]:
    statement = _with_children(
        select(Listing)
        .where(Listing.status == "published", Listing.hidden_at.is_(None))
        .order_by(Listing.published_at.desc(), Listing.id.desc())
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def list_for_moderation(
    session: AsyncSession,
    *,
    hidden: bool | None,
    status: str | None,
    query: str,
    cursor: str | None,
    limit: int,
) -> Slice[Listing]:
    statement = _with_children(select(Listing))
    if hidden is not None:
        statement = statement.where(
            Listing.hidden_at.is_not(None) if hidden else Listing.hidden_at.is_(None)
        )
    if status:
        statement = statement.where(Listing.status == status)
    if query:
        statement = statement.where(Listing.title.icontains(query, autoescape=True))
    return await newest_first(session, statement, Listing.id, cursor=cursor, limit=limit)


async def list_all_listing_ids(session: AsyncSession) -> list[uuid.UUID]:
    return list((await session.execute(select(Listing.id).order_by(Listing.id))).scalars())


async def list_listing_ids_of_seller(
    session: AsyncSession, seller_id: uuid.UUID
) -> list[uuid.UUID]:
    statement = select(Listing.id).where(Listing.seller_id == seller_id)
    return list((await session.execute(statement)).scalars())


async def list_listing_ids_in(
    session: AsyncSession, category_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    statement = select(Listing.id).where(Listing.category_id.in_(category_ids))
    return list((await session.execute(statement)).scalars())


# --- variants ----------------------------------------------------------------------------


async def get_variant(session: AsyncSession, variant_id: uuid.UUID) -> Variant | None:
    return await session.get(Variant, variant_id)


async def variants_with_listings(
    session: AsyncSession, variant_ids: Sequence[uuid.UUID]
) -> list[tuple[Variant, Listing]]:
    """The variants with their listings, in one query, read afresh from the database (never
    an identity-map copy: prices and stock decide what a buyer pays)."""
    statement = (
        select(Variant, Listing)
        .join(Listing, Listing.id == Variant.listing_id)
        .where(Variant.id.in_(list(variant_ids)))
        .execution_options(populate_existing=True)
    )
    return [(variant, listing) for variant, listing in await session.execute(statement)]


async def sku_owner(session: AsyncSession, seller_id: uuid.UUID, sku: str) -> uuid.UUID | None:
    """The id of the seller's variant using ``sku`` (case-insensitively), if any."""
    statement = select(Variant.id).where(
        Variant.seller_id == seller_id, func.lower(Variant.sku) == sku.lower()
    )
    return (await session.execute(statement)).scalars().first()


async def skus_of_seller(
    session: AsyncSession, seller_id: uuid.UUID
) -> list[tuple[str, uuid.UUID]]:
    """Every (sku, listing id) of the seller: one query, used to plan a bulk import."""
    statement = select(Variant.sku, Variant.listing_id).where(Variant.seller_id == seller_id)
    return [(sku, listing_id) for sku, listing_id in (await session.execute(statement)).all()]


async def listing_shapes(
    session: AsyncSession, seller_id: uuid.UUID
) -> list[tuple[uuid.UUID, str, str, list[str]]]:
    """(id, kind, currency, option names) of the seller's listings, without their children."""
    statement = select(Listing.id, Listing.kind, Listing.currency, Listing.option_names).where(
        Listing.seller_id == seller_id
    )
    return [
        (row[0], row[1], row[2], list(row[3] or [])) for row in await session.execute(statement)
    ]


# --- images ------------------------------------------------------------------------------


async def get_image(session: AsyncSession, image_id: uuid.UUID) -> Image | None:
    return await session.get(Image, image_id)


async def get_image_by_key(session: AsyncSession, key: str) -> Image | None:
    statement = select(Image).where(
        or_(Image.file_key == key, Image.small_key == key, Image.large_key == key)
    )
    return (await session.execute(statement)).scalars().first()


async def get_listing_row(session: AsyncSession, listing_id: uuid.UUID) -> Listing | None:
    """The listing alone, without its variants and images."""
    return await session.get(Listing, listing_id)


# --- shipping profiles ---------------------------------------------------------------------


async def list_shipping_profiles(
    session: AsyncSession, seller_id: uuid.UUID
) -> list[ShippingProfile]:
    statement = (
        select(ShippingProfile)
        .where(ShippingProfile.seller_id == seller_id)
        .order_by(ShippingProfile.name)
    )
    return list((await session.execute(statement)).scalars())


async def get_shipping_profile(
    session: AsyncSession, profile_id: uuid.UUID
) -> ShippingProfile | None:
    return await session.get(ShippingProfile, profile_id)


async def count_listings_by_profile(
    session: AsyncSession, seller_id: uuid.UUID
) -> dict[uuid.UUID, int]:
    """Shipping profile id -> how many of the seller's listings use it."""
    statement = (
        select(Listing.shipping_profile_id, func.count())
        .where(Listing.seller_id == seller_id, Listing.shipping_profile_id.is_not(None))
        .group_by(Listing.shipping_profile_id)
    )
    rows = (await session.execute(statement)).all()
    return {profile_id: count for profile_id, count in rows if profile_id is not None}


async def list_listing_ids_with_profile(
    session: AsyncSession, profile_id: uuid.UUID
) -> list[uuid.UUID]:
    statement = select(Listing.id).where(Listing.shipping_profile_id == profile_id)
    return list((await session.execute(statement)).scalars())


async def detach_shipping_profile(session: AsyncSession, profile_id: uuid.UUID) -> list[uuid.UUID]:
    """Clear the profile from the listings using it (as the foreign key's SET NULL would, but
    explicitly, so their ids are known); returns those listings' ids."""
    listing_ids = await list_listing_ids_with_profile(session, profile_id)
    if listing_ids:
        await session.execute(
            update(Listing)
            .where(Listing.shipping_profile_id == profile_id)
            .values(shipping_profile_id=None)
            .execution_options(synchronize_session="fetch")
        )
    return listing_ids


async def delete_shipping_profile(session: AsyncSession, profile: ShippingProfile) -> None:
    await session.delete(profile)
    await session.flush()


async def first_images(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Image]:
    """Listing id -> its first image (listings without one are left out)."""
    found: dict[uuid.UUID, Image] = {}
    for chunk in chunks(list(dict.fromkeys(listing_ids))):
        statement = (
            select(Image)
            .where(Image.listing_id.in_(chunk))
            .order_by(Image.listing_id, Image.position, Image.created_at)
        )
        for image in (await session.execute(statement)).scalars():
            found.setdefault(image.listing_id, image)
    return found


# --- import jobs -------------------------------------------------------------------------


async def get_import_job(session: AsyncSession, job_id: uuid.UUID) -> ImportJob | None:
    return await session.get(ImportJob, job_id)


async def list_import_jobs(
    session: AsyncSession, seller_id: uuid.UUID, limit: int
) -> list[ImportJob]:
    statement = (
        select(ImportJob)
        .where(ImportJob.seller_id == seller_id)
        .order_by(ImportJob.id.desc())
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


# --- stock held for checkouts -------------------------------------------------------------------


async def take_stock(
    session: AsyncSession, variant_id: uuid.UUID, quantity: int
) -> tuple[uuid.UUID, int] | None:
    """Take ``quantity`` units off the variant's stock in one conditional UPDATE, so concurrent
    checkouts can never take more than there is. The listing id and the stock left when taken,
    else None."""
    statement = (
        update(Variant)
        .where(Variant.id == variant_id, Variant.stock >= quantity)
        .values(stock=Variant.stock - quantity)
        .returning(Variant.listing_id, Variant.stock)
        .execution_options(synchronize_session=False)
    )
    row = (await session.execute(statement)).one_or_none()
    return (row[0], row[1]) if row else None


async def give_back_stock(
    session: AsyncSession, variant_id: uuid.UUID, quantity: int
) -> tuple[uuid.UUID, int] | None:
    """Put ``quantity`` units back; the listing id and the new stock, None for a variant
    deleted since."""
    statement = (
        update(Variant)
        .where(Variant.id == variant_id)
        .values(stock=Variant.stock + quantity)
        .returning(Variant.listing_id, Variant.stock)
        .execution_options(synchronize_session=False)
    )
    row = (await session.execute(statement)).one_or_none()
    return (row[0], row[1]) if row else None


async def available_stock(session: AsyncSession, variant_id: uuid.UUID) -> int:
    statement = select(Variant.stock).where(Variant.id == variant_id)
    return int((await session.execute(statement)).scalar_one_or_none() or 0)


async def list_images_by_keys(session: AsyncSession, keys: Sequence[str]) -> list[Image]:
    """The images stored under any of ``keys`` (an original's or a small thumbnail's key)."""
    found: list[Image] = []
    for part in chunks(keys):
        statement = select(Image).where(or_(Image.file_key.in_(part), Image.small_key.in_(part)))
        found.extend((await session.execute(statement)).scalars())
    return found


# --- for the money domains -----------------------------------------------------------------


async def listing_rows_brief(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID, str, str, uuid.UUID]]:
    """(id, seller_id, currency, title, category_id) of each listing that exists."""
    statement = select(
        Listing.id, Listing.seller_id, Listing.currency, Listing.title, Listing.category_id
    ).where(Listing.id.in_(list(set(listing_ids))))
    return [tuple(row) for row in (await session.execute(statement)).all()]  # type: ignore[misc]


async def category_parents(
    session: AsyncSession, category_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID | None]:
    """The parent of each of ``category_ids`` and of all their ancestors, in one recursive
    query (UNION, not UNION ALL: a cycle written by hand in the table cannot loop it)."""
    seed = (
        select(Category.id, Category.parent_id)
        .where(Category.id.in_(list(set(category_ids))))
        .cte("chain", recursive=True)
    )
    parent = aliased(Category)
    chain = seed.union(
        select(parent.id, parent.parent_id).join(seed, parent.id == seed.c.parent_id)
    )
    rows = await session.execute(select(chain.c.id, chain.c.parent_id))
    return {row.id: row.parent_id for row in rows}


async def count_published_of_seller(session: AsyncSession, seller_id: uuid.UUID) -> int:
    statement = select(func.count()).where(
        Listing.seller_id == seller_id, Listing.status == "published"
    )
    return int((await session.execute(statement)).scalar_one())
