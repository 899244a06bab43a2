"""The seller portal's listings: the table with inline price and stock edits, the create and
edit forms driven by the category's attributes, variants, images, publish and archive."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.catalog import service
from mercato.catalog.pages._common import (
    COMMON_CURRENCIES,
    attribute_values,
    blank_to_none,
    files_of,
    listing_payload,
    messages,
    uploaded,
    validate,
)
from mercato.catalog.schemas import (
    ImageUpdate,
    ListingIn,
    ListingOut,
    ListingStatus,
    ListingUpdate,
    VariantIn,
    VariantUpdate,
)
from mercato.kit.auth import Principal
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError
from mercato.kit.web import (
    PageUser,
    flash,
    is_htmx,
    page_router,
    read_form,
    redirect,
    render,
    verify_csrf,
)

router = page_router()
Csrf = Depends(verify_csrf)
LISTINGS = "/seller/listings"
PAGE_SIZE = 20
STATUS_TABS = [
    ("", "All"),
    ("draft", "Drafts"),
    ("published", "Published"),
    ("archived", "Archived"),
]


def _status(value: str) -> ListingStatus | None:
    return ListingStatus(value) if value in {s.value for s in ListingStatus} else None


@router.get(LISTINGS)
async def listings(
    request: Request,
    session: DbSession,
    principal: PageUser,
    status: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    page = await service.list_my_listing_details(
        session, principal, status=_status(status), query=q, cursor=cursor, limit=PAGE_SIZE
    )
    context = {"page": page, "listings": page.items, "status": status, "q": q, "tabs": STATUS_TABS}
    return render(request, "catalog/seller_listings.html", context)


# --- create ----------------------------------------------------------------------------------


async def _form_context(
    session: DbSession, principal: Principal, category_id: uuid.UUID | None
) -> dict[str, Any]:
    categories = await service.list_categories_flat(session)
    attributes = (
        (await service.get_category(session, category_id)).attributes if category_id else []
    )
    return {
        "categories": categories,
        "attributes": attributes,
        "profiles": await service.list_shipping_profiles(session, principal),
        "currencies": COMMON_CURRENCIES,
    }


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@router.get(f"{LISTINGS}/new")
async def new_listing(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _form_context(session, principal, None)
    form = {"kind": "goods", "currency": "EUR", "v0-stock": "1"}
    return render(request, "catalog/listing_new.html", {**context, "form": form, "rows": [0]})


@router.get(f"{LISTINGS}/attribute-fields")
async def attribute_fields(
    request: Request,
    session: DbSession,
    principal: PageUser,
    category_id: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The attribute inputs of the chosen category (htmx swaps them in when it changes)."""
    chosen = _uuid(category_id)
    attributes = (await service.get_category(session, chosen)).attributes if chosen else []
    return render(
        request,
        "catalog/_attribute_fields.html",
        {"attributes": attributes, "values": {}, "errors": {}},
    )


@router.get(f"{LISTINGS}/variant-row")
async def variant_row(
    request: Request, principal: PageUser, index: Annotated[int, Query(ge=0, le=99)] = 1
) -> Response:
    """One more empty variant row for the create form."""
    return render(request, "catalog/_variant_row.html", {"i": index, "form": {}, "errors": {}})


@router.post(LISTINGS, dependencies=[Csrf])
async def create_listing(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        data = validate(ListingIn, listing_payload(form))
        listing = await service.create_listing(session, principal, data)
    except MercatoError as error:
        await rollback(session)
        context = await _form_context(session, principal, _uuid(form.get("category_id")))
        rows = [i for i in range(100) if f"v{i}-sku" in form] or [0]
        context |= {
            "form": form,
            "rows": rows,
            "form_attribute_values": attribute_values(form),
            "errors": messages(error),
            "error": error,
        }
        return render(request, "catalog/listing_new.html", context, status_code=error.status)
    response = redirect(f"{LISTINGS}/{listing.id}", request)
    flash(response, request, f"“{listing.title}” is saved as a draft. Add photos, then publish it.")
    return response


# --- edit ------------------------------------------------------------------------------------


async def _edit_context(
    session: DbSession, principal: Principal, listing: ListingOut
) -> dict[str, Any]:
    context = await _form_context(session, principal, listing.category_id)
    form = {
        "title": listing.title,
        "description": listing.description,
        "category_id": str(listing.category_id),
        "shipping_profile_id": str(listing.shipping_profile_id or ""),
        "duration_minutes": listing.duration_minutes or "",
        "capacity": listing.capacity or "",
    }
    values = {code: _shown(value) for code, value in listing.attributes.items()}
    return {**context, "listing": listing, "form": form, "values": values, "errors": {}}


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@router.get(f"{LISTINGS}/{{listing_id}}")
async def edit_listing(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    listing = await service.get_my_listing(session, principal, listing_id)
    return render(
        request, "catalog/listing_edit.html", await _edit_context(session, principal, listing)
    )


@router.post(f"{LISTINGS}/{{listing_id}}", dependencies=[Csrf])
async def update_listing(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    payload = {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "category_id": blank_to_none(form.get("category_id")),
        "attributes": attribute_values(form),
        "shipping_profile_id": blank_to_none(form.get("shipping_profile_id")),
        "duration_minutes": blank_to_none(form.get("duration_minutes")),
        "capacity": blank_to_none(form.get("capacity")),
    }
    try:
        listing = await service.get_my_listing(session, principal, listing_id)
        if listing.kind == "goods":
            payload.pop("duration_minutes"), payload.pop("capacity")
        else:
            payload.pop("shipping_profile_id")
        await service.update_listing(
            session, principal, listing_id, validate(ListingUpdate, payload)
        )
    except MercatoError as error:
        return await _edit_failed(request, session, principal, listing_id, error, form)
    response = redirect(f"{LISTINGS}/{listing_id}", request)
    flash(response, request, "The listing is saved.")
    return response


async def _edit_failed(
    request: Request,
    session: DbSession,
    principal: Principal,
    listing_id: uuid.UUID,
    error: MercatoError,
    form: dict[str, str] | None = None,
) -> Response:
    await rollback(session)
    listing = await service.get_my_listing(session, principal, listing_id)
    context = await _edit_context(session, principal, listing)
    if form is not None:
        context["form"] = form
        context["values"] = attribute_values(form)
        chosen = _uuid(form.get("category_id"))
        if chosen:
            context |= {"attributes": (await service.get_category(session, chosen)).attributes}
    context |= {"errors": messages(error), "error": error}
    return render(request, "catalog/listing_edit.html", context, status_code=error.status)


async def _change_status(
    listing_id: uuid.UUID,
    action: Literal["publish", "archive", "delete"],
    request: Request,
    session: DbSession,
    principal: Principal,
) -> Response:
    try:
        if action == "publish":
            listing = await service.publish_listing(session, principal, listing_id)
            message = f"“{listing.title}” is published: buyers can find it now."
        elif action == "archive":
            listing = await service.archive_listing(session, principal, listing_id)
            message = f"“{listing.title}” is archived and off sale."
        else:
            await service.delete_listing(session, principal, listing_id, files_of(request))
            response = redirect(LISTINGS, request)
            flash(response, request, "The draft is deleted.", "info")
            return response
    except MercatoError as error:
        if error.status == 404:
            raise
        return await _edit_failed(request, session, principal, listing_id, error)
    response = redirect(f"{LISTINGS}/{listing_id}", request)
    flash(response, request, message)
    return response


@router.post(f"{LISTINGS}/{{listing_id}}/publish", dependencies=[Csrf])
async def publish_listing(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    return await _change_status(listing_id, "publish", request, session, principal)


@router.post(f"{LISTINGS}/{{listing_id}}/archive", dependencies=[Csrf])
async def archive_listing(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    return await _change_status(listing_id, "archive", request, session, principal)


@router.post(f"{LISTINGS}/{{listing_id}}/delete", dependencies=[Csrf])
async def delete_listing(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    return await _change_status(listing_id, "delete", request, session, principal)


# --- variants --------------------------------------------------------------------------------


@router.post(f"{LISTINGS}/{{listing_id}}/variants", dependencies=[Csrf])
async def add_variant(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    listing = await service.get_my_listing(session, principal, listing_id)
    payload = {
        "sku": form.get("sku", ""),
        "price": form.get("price", ""),
        "stock": form.get("stock", "") or None,
        "weight_grams": blank_to_none(form.get("weight_grams")),
        "options": {
            name: form.get(f"opt{i}", "") for i, name in enumerate(listing.option_names, 1)
        },
    }
    try:
        await service.add_variant(session, principal, listing_id, validate(VariantIn, payload))
    except MercatoError as error:
        await rollback(session)
        response = redirect(f"{LISTINGS}/{listing_id}#variants", request)
        flash(response, request, f"The variant was not added: {_first(error)}", "error")
        return response
    response = redirect(f"{LISTINGS}/{listing_id}#variants", request)
    flash(response, request, f"The variant {payload['sku']} is added.")
    return response


def _back(form: dict[str, str]) -> str:
    """Where a table action returns to: only ever a page of the seller portal."""
    back = form.get("back", "")
    return back if back.startswith("/seller/") and "//" not in back else LISTINGS


def _first(error: MercatoError) -> str:
    return error.errors[0].message if error.errors else error.detail


@router.post("/seller/variants/{variant_id}", dependencies=[Csrf])
async def update_variant(
    variant_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    """The inline price and stock edit: htmx gets the row back, saved or with its error."""
    form = await read_form(request)
    payload: dict[str, Any] = {
        k: form[k] for k in ("price", "stock", "sku", "weight_grams") if k in form
    }
    if "weight_grams" in payload:
        payload["weight_grams"] = blank_to_none(payload["weight_grams"])
    context: dict[str, Any] = {"form": form, "layout": form.get("layout", "table")}
    try:
        variant = await service.update_variant(
            session, principal, variant_id, validate(VariantUpdate, payload)
        )
        context |= {"variant": variant, "saved": True}
        status_code = 200
    except MercatoError as error:
        if error.status == 404:
            raise
        await rollback(session)
        context |= {"errors": messages(error), "error": error, "variant_id": variant_id}
        status_code = error.status
    if is_htmx(request):
        return render(request, "catalog/_variant_inline.html", context, status_code=status_code)
    response = redirect(_back(form))
    if status_code == 200:
        flash(response, request, "The variant is saved.")
    else:
        flash(response, request, f"The variant was not saved: {_first(context['error'])}", "error")
    return response


@router.post("/seller/variants/{variant_id}/delete", dependencies=[Csrf])
async def delete_variant(
    variant_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    back = _back(form)
    try:
        await service.delete_variant(session, principal, variant_id)
    except MercatoError as error:
        if error.status == 404:
            raise
        await rollback(session)
        response = redirect(back, request)
        flash(response, request, error.detail, "error")
        return response
    response = redirect(back, request)
    flash(response, request, "The variant is deleted.", "info")
    return response


# --- images ----------------------------------------------------------------------------------


@router.post(f"{LISTINGS}/{{listing_id}}/images", dependencies=[Csrf])
async def upload_image(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    back = f"{LISTINGS}/{listing_id}#images"
    try:
        data, _ = await uploaded(request, "file")
        await service.add_image(
            session,
            principal,
            listing_id,
            data,
            files_of(request),
            alt_text=form.get("alt_text", ""),
        )
    except MercatoError as error:
        if error.status == 404:
            raise
        await rollback(session)
        response = redirect(back, request)
        flash(response, request, f"The image was not added: {_first(error)}", "error")
        return response
    response = redirect(back, request)
    flash(response, request, "The image is added; its thumbnails are on their way.")
    return response


# Declared before the move/delete route, whose ``{action}`` segment would claim this path.
@router.post("/seller/images/{image_id}/alt-text", dependencies=[Csrf])
async def update_image_alt_text(
    image_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    """The alt text editor under each image: htmx gets the editor back, saved or with its
    error next to the box; without htmx the seller returns to the gallery."""
    form = await read_form(request)
    context: dict[str, Any] = {
        "image_id": image_id,
        "alt_text": form.get("alt_text", ""),
        "number": form.get("number", ""),
        "fallback": form.get("fallback", ""),
        "back": _back(form),
    }
    try:
        changes = validate(ImageUpdate, {"alt_text": form.get("alt_text", "")})
        image = await service.update_image(session, principal, image_id, changes)
        context |= {"alt_text": image.alt_text, "saved": True}
        status_code = 200
    except MercatoError as error:
        if error.status == 404:
            raise
        await rollback(session)
        context |= {"errors": messages(error), "error": error}
        status_code = error.status
    if is_htmx(request):
        return render(request, "catalog/_image_alt.html", context, status_code=status_code)
    response = redirect(context["back"])
    if status_code == 200:
        flash(response, request, "The alt text is saved.")
    else:
        flash(response, request, f"The alt text was not saved: {_first(context['error'])}", "error")
    return response


@router.post("/seller/images/{image_id}/{action}", dependencies=[Csrf])
async def change_image(
    image_id: uuid.UUID,
    action: Literal["up", "down", "first", "delete"],
    request: Request,
    session: DbSession,
    principal: PageUser,
) -> Response:
    back = _back(await read_form(request))
    if action == "delete":
        await service.delete_image(session, principal, image_id, files_of(request))
        response = redirect(back, request)
        flash(response, request, "The image is deleted.", "info")
        return response
    await service.move_image(session, principal, image_id, action)
    return redirect(back, request)
