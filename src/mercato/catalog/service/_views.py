"""Turning catalog rows into the response models (no queries here)."""

from __future__ import annotations

from typing import Literal

from mercato.catalog.models import Image, ImportJob, Listing, ShippingProfile, Variant
from mercato.catalog.policy.attributes import display_value
from mercato.catalog.policy.importing import Problem
from mercato.catalog.policy.listings import display_price_range, format_price
from mercato.catalog.schemas import (
    ImageOut,
    ImportJobOut,
    ImportProblem,
    ListingKind,
    ListingOut,
    ListingStatus,
    ListingSummary,
    PublicListing,
    ShippingProfileOut,
    VariantOut,
)
from mercato.catalog.service._tree import CategoryTree, spec_of

MEDIA_PREFIX = "/media/catalog/"
REPORTED_PROBLEMS = 5_000  # kept on the job; error_count has the true total


def image_url(key: str) -> str:
    """Where a stored listing image (or one of its thumbnails) is served."""
    return MEDIA_PREFIX + key


def fulfilment(kind: str) -> Literal["shipping", "confirmation"]:
    return "confirmation" if kind == ListingKind.SERVICE else "shipping"


def variant_out(variant: Variant, currency: str) -> VariantOut:
    return VariantOut(
        id=variant.id,
        sku=variant.sku,
        options=dict(variant.options or {}),
        price_minor=variant.price_minor,
        currency=currency,
        price=format_price(variant.price_minor, currency),
        stock=variant.stock,
        weight_grams=variant.weight_grams,
        position=variant.position,
    )


def image_out(image: Image) -> ImageOut:
    return ImageOut(
        id=image.id,
        position=image.position,
        status=image.status,  # type: ignore[arg-type]
        width=image.width,
        height=image.height,
        alt_text=image.alt_text,
        url=image_url(image.file_key),
        small_url=image_url(image.small_key or image.file_key),
        large_url=image_url(image.large_key or image.file_key),
    )


def attribute_display(
    listing: Listing, tree: CategoryTree
) -> tuple[dict[str, str], dict[str, str]]:
    """(code -> display value, code -> label) for the listing's values, in category order."""
    values, names = {}, {}
    for attribute, _ in tree.effective_attributes(listing.category_id):
        if attribute.code in (listing.attributes or {}):
            values[attribute.code] = display_value(
                spec_of(attribute), listing.attributes[attribute.code]
            )
            names[attribute.code] = attribute.name
    return values, names


def price_range(listing: Listing) -> tuple[int, int]:
    prices = [variant.price_minor for variant in listing.variants] or [0]
    return min(prices), max(prices)


def listing_out(listing: Listing, tree: CategoryTree, *, visible: bool) -> ListingOut:
    display, _ = attribute_display(listing, tree)
    return ListingOut(
        id=listing.id,
        seller_id=listing.seller_id,
        kind=ListingKind(listing.kind),
        fulfilment=fulfilment(listing.kind),
        title=listing.title,
        description=listing.description,
        category_id=listing.category_id,
        category_path=tree.path(listing.category_id),
        attributes=dict(listing.attributes or {}),
        attribute_display=display,
        option_names=list(listing.option_names or []),
        currency=listing.currency,
        status=ListingStatus(listing.status),
        hidden=listing.hidden_at is not None,
        hidden_reason=listing.hidden_reason,
        visible=visible,
        published_at=listing.published_at,
        shipping_profile_id=listing.shipping_profile_id,
        duration_minutes=listing.duration_minutes,
        capacity=listing.capacity,
        variants=[variant_out(v, listing.currency) for v in listing.variants],
        images=[image_out(i) for i in listing.images],
        created_at=listing.created_at,
        updated_at=listing.updated_at,
    )


def listing_summary(listing: Listing) -> ListingSummary:
    low, high = price_range(listing)
    first_image = listing.images[0] if listing.images else None
    return ListingSummary(
        id=listing.id,
        seller_id=listing.seller_id,
        title=listing.title,
        kind=ListingKind(listing.kind),
        status=ListingStatus(listing.status),
        hidden=listing.hidden_at is not None,
        currency=listing.currency,
        price_min_minor=low,
        price_max_minor=high,
        price_display=display_price_range(low, high, listing.currency) if listing.variants else "",
        stock_total=sum(v.stock for v in listing.variants),
        variant_count=len(listing.variants),
        thumbnail_url=image_url(first_image.small_key or first_image.file_key)
        if first_image
        else None,
        updated_at=listing.updated_at,
        published_at=listing.published_at,
    )


def shipping_profile_out(profile: ShippingProfile) -> ShippingProfileOut:
    return ShippingProfileOut.model_validate(profile)


def public_listing(
    listing: Listing,
    tree: CategoryTree,
    seller_name: str,
    profile: ShippingProfile | None,
) -> PublicListing:
    display, names = attribute_display(listing, tree)
    low, high = price_range(listing)
    return PublicListing(
        id=listing.id,
        seller_id=listing.seller_id,
        seller_name=seller_name,
        kind=ListingKind(listing.kind),
        fulfilment=fulfilment(listing.kind),
        title=listing.title,
        description=listing.description,
        category_id=listing.category_id,
        category_path=tree.path(listing.category_id),
        attributes=display,
        attribute_names=names,
        option_names=list(listing.option_names or []),
        currency=listing.currency,
        price_min_minor=low,
        price_max_minor=high,
        in_stock=any(v.stock > 0 for v in listing.variants),
        duration_minutes=listing.duration_minutes,
        capacity=listing.capacity,
        shipping_profile=shipping_profile_out(profile) if profile else None,
        variants=[variant_out(v, listing.currency) for v in listing.variants],
        images=[image_out(i) for i in listing.images if i.status != "failed"],
        published_at=listing.published_at,
    )


def import_job_out(job: ImportJob, *, live_processed: int | None = None) -> ImportJobOut:
    processed = max(job.processed_rows, live_processed or 0)
    total = job.total_rows
    if job.status in ("done", "failed"):
        percent = 100
    elif total:
        percent = min(99, processed * 100 // total)
    else:
        percent = 0
    return ImportJobOut(
        id=job.id,
        filename=job.filename,
        valid_only=job.valid_only,
        status=job.status,  # type: ignore[arg-type]
        total_rows=total,
        processed_rows=processed,
        progress_percent=percent,
        created_count=job.created_count,
        updated_count=job.updated_count,
        unchanged_count=job.unchanged_count,
        skipped_rows=job.skipped_rows,
        error_count=job.error_count,
        errors=[ImportProblem(**problem) for problem in job.errors or []],
        message=job.message,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def problems_json(problems: list[Problem]) -> list[dict[str, object]]:
    return [
        {"row": p.row, "column": p.column, "reason": p.reason} for p in problems[:REPORTED_PROBLEMS]
    ]
