"""The seller's own listings: create, edit, variants, publish, archive, delete."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.models import Listing, Variant
from mercato.catalog.policy import listings as rules
from mercato.catalog.policy.attributes import check_attributes
from mercato.catalog.policy.listings import RuleBroken
from mercato.catalog.schemas import (
    ListingIn,
    ListingOut,
    ListingStatus,
    ListingSummary,
    ListingUpdate,
    VariantIn,
    VariantOut,
    VariantUpdate,
)
from mercato.catalog.service._common import (
    delete_files_after_commit,
    is_visible,
    listing_changed,
    own_listing,
    own_seller,
    own_variant,
    refuse,
)
from mercato.catalog.service._tree import CategoryTree, load_tree
from mercato.catalog.service._views import listing_out, listing_summary, variant_out
from mercato.catalog.service.commerce import run_publish_checks
from mercato.kit import clock
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, FieldError, Forbidden, NotFound
from mercato.kit.ids import new_id
from mercato.kit.pagination import Page
from mercato.kit.storage import FileStore
from mercato.sellers import service as sellers
from mercato.sellers.schemas import SellerOut

MAX_VARIANTS = 100


def _check(errors: list[FieldError], field: str, check: Any, *args: Any) -> Any:
    """Run one rule; a broken rule becomes an error on ``field``."""
    try:
        return check(*args)
    except RuleBroken as problem:
        errors.append(FieldError(field, str(problem)))
        return None


async def _out(session: AsyncSession, listing: Listing, seller: SellerOut) -> ListingOut:
    tree = await load_tree(session)
    return listing_out(listing, tree, visible=is_visible(listing, sellers.can_publish(seller)))


async def _check_profile(
    session: AsyncSession,
    seller: SellerOut,
    kind: str,
    profile_id: uuid.UUID | None,
    errors: list[FieldError],
) -> None:
    if profile_id is None:
        return
    profile = await repository.get_shipping_profile(session, profile_id)
    if profile is None or profile.seller_id != seller.id:
        errors.append(FieldError("shipping_profile_id", "You have no such shipping profile."))
    elif kind == "service":
        errors.append(FieldError("shipping_profile_id", "Services are not shipped."))


def _service_fields(
    kind: str, duration: int | None, capacity: int | None, errors: list[FieldError]
) -> None:
    errors.extend(FieldError(e.field, e.message) for e in rules.service_problems(kind, duration))
    if kind == "goods" and (duration is not None or capacity is not None):
        errors.append(FieldError("duration_minutes", "Only services have a duration or capacity."))


async def _check_variant(
    session: AsyncSession,
    seller: SellerOut,
    listing: Listing | None,
    data: VariantIn,
    *,
    kind: str,
    currency: str,
    option_names: list[str],
    field: str,
    errors: list[FieldError],
    skip_variant: uuid.UUID | None = None,
) -> Variant | None:
    """Validate one variant; returns it unsaved when everything is right."""
    before = len(errors)
    sku = _check(errors, f"{field}.sku", rules.check_sku, data.sku)
    if sku is not None:
        owner = await repository.sku_owner(session, seller.id, sku)
        if owner is not None and owner != skip_variant:
            errors.append(FieldError(f"{field}.sku", f"You already use the SKU “{sku}”."))
    options = _check(errors, f"{field}.options", rules.check_options, option_names, data.options)
    price = _check(errors, f"{field}.price", rules.parse_price, data.price, currency)
    if kind == "service" and data.weight_grams is not None:
        errors.append(FieldError(f"{field}.weight_grams", "Services have no weight."))
    if len(errors) > before:
        return None
    return Variant(
        id=new_id(),
        listing_id=listing.id if listing else None,
        seller_id=seller.id,
        sku=sku,
        options=options,
        price_minor=price,
        stock=data.stock,
        weight_grams=data.weight_grams,
    )


def _check_texts(
    errors: list[FieldError], title: str | None, description: str | None
) -> tuple[str | None, str | None]:
    clean_title = None if title is None else _check(errors, "title", rules.clean_title, title)
    clean_description = (
        None
        if description is None
        else _check(errors, "description", rules.clean_description, description)
    )
    return clean_title, clean_description


def _check_category(
    tree: CategoryTree,
    category_id: uuid.UUID,
    attributes: dict[str, Any],
    errors: list[FieldError],
) -> dict[str, Any]:
    if tree.get(category_id) is None:
        errors.append(FieldError("category_id", "No such category."))
        return {}
    values, problems = check_attributes(tree.specs(category_id), attributes)
    errors.extend(problems)
    return values


def _known_values(
    tree: CategoryTree, category_id: uuid.UUID, values: dict[str, Any] | None
) -> dict[str, Any]:
    """The stored values of attributes the category (still) has: an admin may have removed one."""
    codes = {spec.code for spec in tree.specs(category_id)}
    return {code: value for code, value in (values or {}).items() if code in codes}


async def create_listing(
    session: AsyncSession, principal: Principal, data: ListingIn
) -> ListingOut:
    """A new draft listing of the signed-in seller, with its variants. Every field, attribute
    and variant is checked; one answer lists every problem."""
    seller = await own_seller(session, principal)
    tree = await load_tree(session)
    errors: list[FieldError] = []
    title, description = _check_texts(errors, data.title, data.description)
    currency = _check(errors, "currency", rules.check_currency, data.currency.upper())
    option_names = _check(errors, "option_names", rules.clean_option_names, data.option_names)
    attributes = _check_category(tree, data.category_id, dict(data.attributes), errors)
    await _check_profile(session, seller, data.kind, data.shipping_profile_id, errors)
    _service_fields(data.kind, data.duration_minutes, data.capacity, errors)
    variants = await _check_variants(session, seller, data, currency, option_names, errors)
    refuse(errors)
    listing = Listing(
        id=new_id(),
        seller_id=seller.id,
        kind=data.kind.value,
        title=title,
        description=description,
        category_id=data.category_id,
        attributes=attributes,
        option_names=option_names,
        currency=currency,
        status=ListingStatus.DRAFT.value,
        shipping_profile_id=data.shipping_profile_id,
        duration_minutes=data.duration_minutes,
        capacity=data.capacity,
        variants=variants,
        images=[],
    )
    session.add(listing)
    await session.flush()
    listing_changed(session, listing.id)
    return listing_out(listing, tree, visible=False)


async def _check_variants(
    session: AsyncSession,
    seller: SellerOut,
    data: ListingIn,
    currency: str | None,
    option_names: list[str] | None,
    errors: list[FieldError],
) -> list[Variant]:
    if currency is None or option_names is None:
        return []
    variants: list[Variant] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data.variants):
        field = f"variants.{index}"
        if item.sku.casefold() in seen:
            errors.append(FieldError(f"{field}.sku", "Each variant needs its own SKU."))
            continue
        seen[item.sku.casefold()] = index
        variant = await _check_variant(
            session,
            seller,
            None,
            item,
            kind=data.kind,
            currency=currency,
            option_names=option_names,
            field=field,
            errors=errors,
        )
        if variant is not None:
            variant.position = index
            variants.append(variant)
    for index in rules.duplicate_combinations([v.options for v in variants]):
        errors.append(
            FieldError(f"variants.{index}.options", "Two variants have the same options.")
        )
    return variants


async def update_listing(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID, changes: ListingUpdate
) -> ListingOut:
    """Edit the listing's fields; attributes are checked again against its (new) category."""
    seller = await own_seller(session, principal)
    listing = await own_listing(session, seller, listing_id)
    tree = await load_tree(session)
    given = changes.model_fields_set
    errors: list[FieldError] = []
    title, description = _check_texts(errors, changes.title, changes.description)
    category_id = changes.category_id or listing.category_id
    attributes = changes.attributes if "attributes" in given else listing.attributes
    if "attributes" not in given:
        # Keep the values the (new) category still has; it may require others.
        attributes = _known_values(tree, category_id, attributes)
    values = _check_category(tree, category_id, dict(attributes or {}), errors)
    profile_id = (
        changes.shipping_profile_id
        if "shipping_profile_id" in given
        else listing.shipping_profile_id
    )
    await _check_profile(session, seller, listing.kind, profile_id, errors)
    duration = changes.duration_minutes if "duration_minutes" in given else listing.duration_minutes
    capacity = changes.capacity if "capacity" in given else listing.capacity
    _service_fields(listing.kind, duration, capacity, errors)
    refuse(errors)
    listing.title = title or listing.title
    listing.description = listing.description if description is None else description
    listing.category_id, listing.attributes = category_id, values
    listing.shipping_profile_id = profile_id
    listing.duration_minutes, listing.capacity = duration, capacity
    listing.updated_at = clock.now()
    await session.flush()
    listing_changed(session, listing.id)
    return listing_out(listing, tree, visible=is_visible(listing, sellers.can_publish(seller)))


async def get_my_listing(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID
) -> ListingOut:
    seller = await own_seller(session, principal)
    return await _out(session, await own_listing(session, seller, listing_id), seller)


async def list_my_listings(
    session: AsyncSession,
    principal: Principal,
    *,
    status: ListingStatus | None = None,
    query: str = "",
    cursor: str | None = None,
    limit: int = 25,
) -> Page[ListingSummary]:
    """The seller's listings, newest first, filtered by status and a title fragment."""
    seller = await own_seller(session, principal)
    found = await repository.list_seller_listings(
        session,
        seller.id,
        status=status.value if status else None,
        query=query.strip(),
        cursor=cursor,
        limit=limit,
    )
    return Page[ListingSummary](
        items=[listing_summary(row) for row in found.rows], next_cursor=found.next_cursor
    )


async def list_my_listing_details(
    session: AsyncSession,
    principal: Principal,
    *,
    status: ListingStatus | None = None,
    query: str = "",
    cursor: str | None = None,
    limit: int = 25,
) -> Page[ListingOut]:
    """Like :func:`list_my_listings` with every variant and image: the portal's table edits
    prices and stock in place."""
    seller = await own_seller(session, principal)
    found = await repository.list_seller_listings(
        session,
        seller.id,
        status=status.value if status else None,
        query=query.strip(),
        cursor=cursor,
        limit=limit,
    )
    tree = await load_tree(session)
    sellable = sellers.can_publish(seller)
    items = [listing_out(row, tree, visible=is_visible(row, sellable)) for row in found.rows]
    return Page[ListingOut](items=items, next_cursor=found.next_cursor)


# --- variants ------------------------------------------------------------------------------


async def add_variant(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID, data: VariantIn
) -> ListingOut:
    seller = await own_seller(session, principal)
    listing = await own_listing(session, seller, listing_id)
    if len(listing.variants) >= MAX_VARIANTS:
        raise Conflict(f"A listing has at most {MAX_VARIANTS} variants.")
    errors: list[FieldError] = []
    variant = await _check_variant(
        session,
        seller,
        listing,
        data,
        kind=listing.kind,
        currency=listing.currency,
        option_names=list(listing.option_names or []),
        field="variant",
        errors=errors,
    )
    if variant is not None and rules.duplicate_combinations(
        [v.options for v in listing.variants] + [variant.options]
    ):
        errors.append(FieldError("variant.options", "Another variant has the same options."))
    refuse(errors)
    assert variant is not None
    variant.position = max((v.position for v in listing.variants), default=-1) + 1
    listing.variants.append(variant)
    listing.updated_at = clock.now()
    await session.flush()
    listing_changed(session, listing.id)
    return await _out(session, listing, seller)


async def update_variant(
    session: AsyncSession, principal: Principal, variant_id: uuid.UUID, changes: VariantUpdate
) -> VariantOut:
    """Change a variant's SKU, options, price, stock or weight (the inline edit of the portal)."""
    seller = await own_seller(session, principal)
    listing, variant = await own_variant(session, seller, variant_id)
    given = changes.model_fields_set
    merged = VariantIn(
        sku=changes.sku if changes.sku is not None else variant.sku,
        options=changes.options if changes.options is not None else dict(variant.options),
        price=changes.price
        if changes.price is not None
        else rules.format_price(variant.price_minor, listing.currency),
        stock=changes.stock if changes.stock is not None else variant.stock,
        weight_grams=changes.weight_grams if "weight_grams" in given else variant.weight_grams,
    )
    errors: list[FieldError] = []
    checked = await _check_variant(
        session,
        seller,
        listing,
        merged,
        kind=listing.kind,
        currency=listing.currency,
        option_names=list(listing.option_names or []),
        field="variant",
        errors=errors,
        skip_variant=variant.id,
    )
    others = [v.options for v in listing.variants if v.id != variant.id]
    if checked is not None and rules.duplicate_combinations([*others, checked.options]):
        errors.append(FieldError("variant.options", "Another variant has the same options."))
    refuse(errors)
    assert checked is not None
    variant.sku, variant.options = checked.sku, checked.options
    variant.price_minor, variant.stock = checked.price_minor, checked.stock
    variant.weight_grams = checked.weight_grams
    listing.updated_at = clock.now()
    await session.flush()
    listing_changed(session, listing.id)
    return variant_out(variant, listing.currency)


async def delete_variant(
    session: AsyncSession, principal: Principal, variant_id: uuid.UUID
) -> None:
    seller = await own_seller(session, principal)
    listing, variant = await own_variant(session, seller, variant_id)
    if len(listing.variants) <= 1:
        raise Conflict("A listing needs at least one variant: archive the listing instead.")
    listing.variants.remove(variant)
    listing.updated_at = clock.now()
    await session.flush()
    listing_changed(session, listing.id)


# --- life cycle ----------------------------------------------------------------------------


async def publish_listing(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID
) -> ListingOut:
    """Put a draft or archived listing on sale. Only admitted, non-suspended sellers may, and
    the listing must be complete for its category as it is now."""
    seller = await own_seller(session, principal)
    listing = await own_listing(session, seller, listing_id)
    if not sellers.can_publish(seller):
        raise Forbidden(
            f"Only admitted sellers can publish listings, and your seller account is "
            f"{seller.status.value}. The listing stays a {listing.status}."
        )
    try:
        rules.check_transition(listing.status, "publish")
    except RuleBroken as problem:
        raise Conflict(str(problem)) from None
    await run_publish_checks(session, seller.id)
    tree = await load_tree(session)
    errors: list[FieldError] = []
    _check_category(
        tree,
        listing.category_id,
        _known_values(tree, listing.category_id, listing.attributes),
        errors,
    )
    _service_fields(listing.kind, listing.duration_minutes, listing.capacity, errors)
    if not listing.variants:
        errors.append(FieldError("variants", "Add at least one variant first."))
    refuse(errors)
    listing.status = ListingStatus.PUBLISHED.value
    listing.published_at = listing.published_at or clock.now()
    listing.updated_at = clock.now()
    await session.flush()
    listing_changed(session, listing.id)
    # The seller's onboarding checklist counts the first published listing.
    await sellers.record_first_listing(session, seller.id)
    return listing_out(listing, tree, visible=is_visible(listing, True))


async def archive_listing(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID
) -> ListingOut:
    """Take a listing off sale; it keeps its history and can be published again."""
    seller = await own_seller(session, principal)
    listing = await own_listing(session, seller, listing_id)
    try:
        rules.check_transition(listing.status, "archive")
    except RuleBroken as problem:
        raise Conflict(str(problem)) from None
    listing.status = ListingStatus.ARCHIVED.value
    listing.updated_at = clock.now()
    await session.flush()
    listing_changed(session, listing.id)
    return await _out(session, listing, seller)


async def delete_listing(
    session: AsyncSession, principal: Principal, listing_id: uuid.UUID, files: FileStore
) -> None:
    """Delete a listing that was never published, and its image files once that is committed.
    A listing that was on sale is archived instead, so orders keep referring to it."""
    seller = await own_seller(session, principal)
    listing = await own_listing(session, seller, listing_id)
    if listing.published_at is not None:
        raise Conflict("This listing has been on sale: archive it instead of deleting it.")
    keys = [
        key
        for image in listing.images
        for key in (image.file_key, image.small_key, image.large_key)
        if key
    ]
    await session.delete(listing)
    await session.flush()
    listing_changed(session, listing_id)
    delete_files_after_commit(session, files, keys)


async def require_listing(session: AsyncSession, listing_id: uuid.UUID) -> Listing:
    listing = await repository.get_listing(session, listing_id)
    if listing is None:
        raise NotFound("No such listing.")
    return listing
