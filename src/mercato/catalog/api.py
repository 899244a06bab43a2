"""Catalog JSON API: the public category tree and listings, the seller's own listings with
variants, images and CSV imports, and the admin's categories, attributes and moderation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Form, Query, UploadFile, status
from fastapi.responses import Response

from mercato.catalog import service
from mercato.catalog.policy.importing import template_csv
from mercato.catalog.schemas import (
    AttributeIn,
    AttributeOut,
    AttributeUpdate,
    CategoryDetail,
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
    HideIn,
    ImageOut,
    ImageUpdate,
    ImportJobOut,
    ListingIn,
    ListingOut,
    ListingStatus,
    ListingSummary,
    ListingUpdate,
    PublicListing,
    ShippingProfileIn,
    ShippingProfileOut,
    ShippingProfileUpdate,
    VariantIn,
    VariantOut,
    VariantUpdate,
)
from mercato.kit.deps import CurrentPrincipal, CurrentRuntime, DbSession
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter

router = IndexedRouter(prefix="/catalog", tags=["catalog"])
NO_CONTENT = status.HTTP_204_NO_CONTENT
CREATED = status.HTTP_201_CREATED
Cursor = Annotated[str | None, Query(max_length=64)]
Limit = Annotated[int, Query(ge=1, le=100)]


async def _read_upload(upload: UploadFile, limit: int) -> bytes:
    # One byte more than allowed is enough to know the file is too large.
    return await upload.read(limit + 1)


# --- public --------------------------------------------------------------------------------


@router.get("/categories", response_model=list[CategoryOut])
async def categories(session: DbSession) -> list[CategoryOut]:
    """The category tree."""
    return await service.list_categories_tree(session)


@router.get("/categories/{category_id}", response_model=CategoryDetail)
async def category(category_id: uuid.UUID, session: DbSession) -> CategoryDetail:
    """A category with its path and attributes (inherited ones first)."""
    return await service.get_category(session, category_id)


@router.get("/listings/{listing_id}", response_model=PublicListing)
async def public_listing(listing_id: uuid.UUID, session: DbSession) -> PublicListing:
    """A visible listing with its variants, stock and images."""
    return await service.get_public_listing(session, listing_id)


@router.get("/featured", response_model=list[ListingSummary])
async def featured(
    session: DbSession, limit: Annotated[int, Query(ge=1, le=48)] = 12
) -> list[ListingSummary]:
    return await service.list_featured_listings(session, limit)


@router.get("/sellers/{seller_id}/listings", response_model=Page[ListingSummary])
async def seller_shop(
    seller_id: uuid.UUID, session: DbSession, cursor: Cursor = None, limit: Limit = 24
) -> Page[ListingSummary]:
    """A seller's visible listings, newest first."""
    return await service.list_seller_listings_public(session, seller_id, cursor, limit)


@router.get("/import-template.csv", response_class=Response)
async def import_template() -> Response:
    """An example CSV for bulk import, with the standard columns."""
    return Response(
        template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mercato-import-template.csv"'},
    )


# --- the seller's listings -------------------------------------------------------------------


@router.get("/my/listings", response_model=Page[ListingSummary])
async def my_listings(
    session: DbSession,
    principal: CurrentPrincipal,
    status_filter: Annotated[ListingStatus | None, Query(alias="status")] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Cursor = None,
    limit: Limit = 25,
) -> Page[ListingSummary]:
    return await service.list_my_listings(
        session, principal, status=status_filter, query=q, cursor=cursor, limit=limit
    )


@router.post("/my/listings", status_code=CREATED, response_model=ListingOut)
async def create_listing(
    data: ListingIn, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    """Create a draft listing with its variants."""
    return await service.create_listing(session, principal, data)


@router.get("/my/listings/{listing_id}", response_model=ListingOut)
async def my_listing(
    listing_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    return await service.get_my_listing(session, principal, listing_id)


@router.patch("/my/listings/{listing_id}", response_model=ListingOut)
async def update_listing(
    listing_id: uuid.UUID, changes: ListingUpdate, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    return await service.update_listing(session, principal, listing_id, changes)


@router.delete("/my/listings/{listing_id}", status_code=NO_CONTENT)
async def delete_listing(
    listing_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, runtime: CurrentRuntime
) -> None:
    """Delete a listing that was never published (archive the others)."""
    await service.delete_listing(session, principal, listing_id, runtime.files)


@router.post("/my/listings/{listing_id}/publish", response_model=ListingOut)
async def publish_listing(
    listing_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    """Put the listing on sale (admitted sellers only)."""
    return await service.publish_listing(session, principal, listing_id)


@router.post("/my/listings/{listing_id}/archive", response_model=ListingOut)
async def archive_listing(
    listing_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    return await service.archive_listing(session, principal, listing_id)


@router.post("/my/listings/{listing_id}/variants", status_code=CREATED, response_model=ListingOut)
async def add_variant(
    listing_id: uuid.UUID, data: VariantIn, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    return await service.add_variant(session, principal, listing_id, data)


@router.patch("/my/variants/{variant_id}", response_model=VariantOut)
async def update_variant(
    variant_id: uuid.UUID, changes: VariantUpdate, session: DbSession, principal: CurrentPrincipal
) -> VariantOut:
    """Change a variant's price, stock, SKU, options or weight."""
    return await service.update_variant(session, principal, variant_id, changes)


@router.delete("/my/variants/{variant_id}", status_code=NO_CONTENT)
async def delete_variant(
    variant_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> None:
    await service.delete_variant(session, principal, variant_id)


@router.post("/my/listings/{listing_id}/images", status_code=CREATED, response_model=ImageOut)
async def upload_image(
    listing_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    runtime: CurrentRuntime,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP image.")],
    alt_text: Annotated[str, Form(max_length=200)] = "",
) -> ImageOut:
    """Add an image (multipart); its thumbnails are made in the background."""
    data = await _read_upload(file, service.IMAGE_MAX_BYTES)
    return await service.add_image(
        session, principal, listing_id, data, runtime.files, alt_text=alt_text
    )


@router.patch("/my/images/{image_id}", response_model=ImageOut)
async def update_image(
    image_id: uuid.UUID, changes: ImageUpdate, session: DbSession, principal: CurrentPrincipal
) -> ImageOut:
    """Move an image to another position in the gallery, or change its alternative text."""
    return await service.update_image(session, principal, image_id, changes)


@router.delete("/my/images/{image_id}", status_code=NO_CONTENT)
async def delete_image(
    image_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, runtime: CurrentRuntime
) -> None:
    await service.delete_image(session, principal, image_id, runtime.files)


@router.get("/my/shipping-profiles", response_model=list[ShippingProfileOut])
async def shipping_profiles(
    session: DbSession, principal: CurrentPrincipal
) -> list[ShippingProfileOut]:
    return await service.list_shipping_profiles(session, principal)


@router.post("/my/shipping-profiles", status_code=CREATED, response_model=ShippingProfileOut)
async def create_shipping_profile(
    data: ShippingProfileIn, session: DbSession, principal: CurrentPrincipal
) -> ShippingProfileOut:
    return await service.create_shipping_profile(session, principal, data)


@router.patch("/my/shipping-profiles/{profile_id}", response_model=ShippingProfileOut)
async def update_shipping_profile(
    profile_id: uuid.UUID,
    changes: ShippingProfileUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
) -> ShippingProfileOut:
    """Change a shipping profile; the listings using it are priced with the new rates."""
    return await service.update_shipping_profile(session, principal, profile_id, changes)


@router.delete("/my/shipping-profiles/{profile_id}", status_code=NO_CONTENT)
async def delete_shipping_profile(
    profile_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> None:
    """Delete a shipping profile. Listings that used it are left with no shipping profile."""
    await service.delete_shipping_profile(session, principal, profile_id)


# --- bulk import -----------------------------------------------------------------------------


@router.post("/my/imports", status_code=status.HTTP_202_ACCEPTED, response_model=ImportJobOut)
async def start_import(
    session: DbSession,
    principal: CurrentPrincipal,
    runtime: CurrentRuntime,
    file: Annotated[UploadFile, File(description="A UTF-8 CSV file.")],
    valid_only: Annotated[bool, Form()] = False,
) -> ImportJobOut:
    """Queue a CSV import. ``valid_only`` imports the rows that pass and reports the others;
    without it nothing is written unless every row passes. Poll the job for its report."""
    data = await _read_upload(file, service.CSV_MAX_BYTES)
    return await service.start_import(
        session,
        principal,
        file.filename or "import.csv",
        data,
        runtime.files,
        valid_only=valid_only,
    )


@router.get("/my/imports", response_model=list[ImportJobOut])
async def my_imports(session: DbSession, principal: CurrentPrincipal) -> list[ImportJobOut]:
    return await service.list_import_jobs(session, principal)


@router.get("/my/imports/{job_id}", response_model=ImportJobOut)
async def my_import(
    job_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, runtime: CurrentRuntime
) -> ImportJobOut:
    return await service.get_import_job(session, principal, job_id, runtime.cache)


@router.get("/my/imports/{job_id}/errors.csv", response_class=Response)
async def import_errors(
    job_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """The import's problems as CSV: row, column, reason."""
    report = await service.import_report_csv(session, principal, job_id)
    return Response(
        report,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )


# --- admin: categories, attributes, moderation -----------------------------------------------


@router.post("/admin/categories", status_code=CREATED, response_model=CategoryDetail)
async def create_category(
    data: CategoryIn, session: DbSession, principal: CurrentPrincipal
) -> CategoryDetail:
    return await service.create_category(session, principal, data)


@router.patch("/admin/categories/{category_id}", response_model=CategoryDetail)
async def update_category(
    category_id: uuid.UUID, changes: CategoryUpdate, session: DbSession, principal: CurrentPrincipal
) -> CategoryDetail:
    return await service.update_category(session, principal, category_id, changes)


@router.delete("/admin/categories/{category_id}", status_code=NO_CONTENT)
async def delete_category(
    category_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> None:
    await service.delete_category(session, principal, category_id)


@router.post(
    "/admin/categories/{category_id}/attributes", status_code=CREATED, response_model=AttributeOut
)
async def add_attribute(
    category_id: uuid.UUID, data: AttributeIn, session: DbSession, principal: CurrentPrincipal
) -> AttributeOut:
    return await service.add_attribute(session, principal, category_id, data)


@router.patch("/admin/attributes/{attribute_id}", response_model=AttributeOut)
async def update_attribute(
    attribute_id: uuid.UUID,
    changes: AttributeUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
) -> AttributeOut:
    return await service.update_attribute(session, principal, attribute_id, changes)


@router.delete("/admin/attributes/{attribute_id}", status_code=NO_CONTENT)
async def delete_attribute(
    attribute_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> None:
    await service.delete_attribute(session, principal, attribute_id)


@router.get("/admin/listings", response_model=Page[ListingSummary])
async def moderation_queue(
    session: DbSession,
    principal: CurrentPrincipal,
    hidden: bool | None = None,
    status_filter: Annotated[ListingStatus | None, Query(alias="status")] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Cursor = None,
    limit: Limit = 25,
) -> Page[ListingSummary]:
    """Every seller's listings for staff review, newest first."""
    return await service.list_moderation_queue(
        session, principal, hidden=hidden, status=status_filter, query=q, cursor=cursor, limit=limit
    )


@router.get("/admin/listings/{listing_id}", response_model=ListingOut)
async def staff_listing(
    listing_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    return await service.get_listing_for_staff(session, principal, listing_id)


@router.post("/admin/listings/{listing_id}/hide", response_model=ListingOut)
async def hide_listing(
    listing_id: uuid.UUID, data: HideIn, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    """Hide a listing from buyers, with a reason the seller sees (admins)."""
    return await service.hide_listing(session, principal, listing_id, data.reason)


@router.post("/admin/listings/{listing_id}/unhide", response_model=ListingOut)
async def unhide_listing(
    listing_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ListingOut:
    return await service.unhide_listing(session, principal, listing_id)
