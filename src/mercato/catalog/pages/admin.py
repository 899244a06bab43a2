"""The admin console's catalog: the category tree with its typed attributes, and the listing
moderation queue (support staff read, admins act)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.catalog import service
from mercato.catalog.pages._common import blank_to_none, messages, validate
from mercato.catalog.schemas import (
    AttributeIn,
    AttributeKind,
    AttributeUpdate,
    CategoryIn,
    CategoryUpdate,
    HideIn,
    ListingStatus,
)
from mercato.kit.auth import Principal, Role
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError
from mercato.kit.web import PageUser, flash, page_router, read_form, redirect, render, verify_csrf

router = page_router()
Csrf = Depends(verify_csrf)
CATEGORIES = "/admin/catalog/categories"
MODERATION = "/admin/catalog/listings"
PAGE_SIZE = 25


def _allowed(text: str) -> list[str]:
    return [value.strip() for value in text.replace("\n", ",").split(",") if value.strip()]


# --- categories ------------------------------------------------------------------------------


async def _tree_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    return {
        "categories": await service.list_categories_flat(session),
        "can_edit": principal.role == Role.ADMIN,
        "form": {},
        "errors": {},
    }


@router.get(CATEGORIES)
async def categories(request: Request, session: DbSession, principal: PageUser) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return render(request, "catalog/admin_categories.html", await _tree_context(session, principal))


@router.post(CATEGORIES, dependencies=[Csrf])
async def create_category(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    payload = {
        "name": form.get("name", ""),
        "slug": blank_to_none(form.get("slug")),
        "parent_id": blank_to_none(form.get("parent_id")),
        "position": form.get("position") or 0,
    }
    try:
        category = await service.create_category(session, principal, validate(CategoryIn, payload))
    except MercatoError as error:
        await rollback(session)
        context = await _tree_context(session, principal)
        context |= {"form": form, "errors": messages(error), "error": error}
        return render(request, "catalog/admin_categories.html", context, status_code=error.status)
    response = redirect(f"{CATEGORIES}/{category.id}", request)
    flash(response, request, f"The category “{category.name}” is created. Give it attributes.")
    return response


async def _category_context(
    session: DbSession, principal: Principal, category_id: uuid.UUID
) -> dict[str, Any]:
    category = await service.get_category(session, category_id)
    return {
        "category": category,
        "categories": await service.list_categories_flat(session),
        "kinds": list(AttributeKind),
        "can_edit": principal.role == Role.ADMIN,
        "form": {
            "name": category.name,
            "slug": category.slug,
            "parent_id": str(category.parent_id or ""),
            "position": category.position,
        },
        "new_attribute": {},
        "errors": {},
    }


@router.get(f"{CATEGORIES}/{{category_id}}")
async def category(
    category_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    context = await _category_context(session, principal, category_id)
    return render(request, "catalog/admin_category.html", context)


async def _category_failed(
    request: Request,
    session: DbSession,
    principal: Principal,
    category_id: uuid.UUID,
    error: MercatoError,
    **shown: Any,
) -> Response:
    await rollback(session)
    context = await _category_context(session, principal, category_id)
    context |= {**shown, "errors": messages(error), "error": error}
    return render(request, "catalog/admin_category.html", context, status_code=error.status)


@router.post(f"{CATEGORIES}/{{category_id}}", dependencies=[Csrf])
async def update_category(
    category_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    payload = {
        "name": form.get("name", ""),
        "slug": form.get("slug", ""),
        "parent_id": blank_to_none(form.get("parent_id")),
        "position": form.get("position") or 0,
    }
    try:
        changes = validate(CategoryUpdate, payload)
        await service.update_category(session, principal, category_id, changes)
    except MercatoError as error:
        if error.status == 404:
            raise
        return await _category_failed(request, session, principal, category_id, error, form=form)
    response = redirect(f"{CATEGORIES}/{category_id}", request)
    flash(response, request, "The category is saved.")
    return response


@router.post(f"{CATEGORIES}/{{category_id}}/delete", dependencies=[Csrf])
async def delete_category(
    category_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    try:
        await service.delete_category(session, principal, category_id)
    except MercatoError as error:
        if error.status == 404:
            raise
        await rollback(session)
        response = redirect(f"{CATEGORIES}/{category_id}", request)
        flash(response, request, error.detail, "error")
        return response
    response = redirect(CATEGORIES, request)
    flash(response, request, "The category is deleted.", "info")
    return response


@router.post(f"{CATEGORIES}/{{category_id}}/attributes", dependencies=[Csrf])
async def add_attribute(
    category_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    payload = {
        "code": form.get("code", ""),
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "unit": blank_to_none(form.get("unit")),
        "allowed_values": _allowed(form.get("allowed_values", "")),
        "required": form.get("required") == "on",
        "position": form.get("position") or 0,
    }
    try:
        attribute = await service.add_attribute(
            session, principal, category_id, validate(AttributeIn, payload)
        )
    except MercatoError as error:
        if error.status == 404:
            raise
        return await _category_failed(
            request, session, principal, category_id, error, new_attribute=form
        )
    response = redirect(f"{CATEGORIES}/{category_id}#attributes", request)
    flash(response, request, f"The attribute “{attribute.name}” is added.")
    return response


@router.post("/admin/catalog/attributes/{attribute_id}", dependencies=[Csrf])
async def update_attribute(
    attribute_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    category_id = uuid.UUID(form.get("category_id", "")) if form.get("category_id") else None
    payload: dict[str, Any] = {
        "name": form.get("name", ""),
        "unit": form.get("unit", ""),
        "required": form.get("required") == "on",
        "position": form.get("position") or 0,
    }
    if "allowed_values" in form:
        payload["allowed_values"] = _allowed(form["allowed_values"])
    back = f"{CATEGORIES}/{category_id}#attributes" if category_id else CATEGORIES
    try:
        attribute = await service.update_attribute(
            session, principal, attribute_id, validate(AttributeUpdate, payload)
        )
    except MercatoError as error:
        if error.status == 404:
            raise
        await rollback(session)
        response = redirect(back, request)
        flash(
            response,
            request,
            f"Not saved: {error.errors[0].message if error.errors else error.detail}",
            "error",
        )
        return response
    response = redirect(back, request)
    flash(response, request, f"The attribute “{attribute.name}” is saved.")
    return response


@router.post("/admin/catalog/attributes/{attribute_id}/delete", dependencies=[Csrf])
async def delete_attribute(
    attribute_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    await service.delete_attribute(session, principal, attribute_id)
    category_id = form.get("category_id", "")
    response = redirect(
        f"{CATEGORIES}/{category_id}#attributes" if category_id else CATEGORIES, request
    )
    flash(response, request, "The attribute is deleted.", "info")
    return response


# --- moderation ------------------------------------------------------------------------------


def _queue_url(show: str = "", q: str = "", cursor: str | None = None) -> str:
    params = {k: v for k, v in (("show", show), ("q", q), ("cursor", cursor)) if v}
    return f"{MODERATION}?{urlencode(params)}" if params else MODERATION


@router.get(MODERATION)
async def moderation(
    request: Request,
    session: DbSession,
    principal: PageUser,
    show: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    hidden = {"hidden": True, "published": False}.get(show)
    status = ListingStatus.PUBLISHED if show == "published" else None
    page = await service.list_moderation_details(
        session, principal, hidden=hidden, status=status, query=q, cursor=cursor, limit=PAGE_SIZE
    )
    context = {
        "page": page,
        "listings": page.items,
        "show": show,
        "q": q,
        "can_edit": principal.role == Role.ADMIN,
        "here": _queue_url(show, q, cursor),
        "next_url": page.next_cursor and _queue_url(show, q, page.next_cursor),
        "tabs": [("", "All listings"), ("published", "On sale"), ("hidden", "Hidden")],
    }
    return render(request, "catalog/admin_moderation.html", context)


def _safe_back(form: dict[str, str]) -> str:
    back = form.get("back", "")
    return back if back.startswith(MODERATION) else MODERATION


@router.post(f"{MODERATION}/{{listing_id}}/hide", dependencies=[Csrf])
async def hide(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    response = redirect(_safe_back(form))
    try:
        data = validate(HideIn, {"reason": form.get("reason", "")})
        listing = await service.hide_listing(session, principal, listing_id, data.reason)
    except MercatoError as error:
        if error.status in (403, 404):
            raise
        await rollback(session)
        message = "Give the reason for hiding it." if error.errors else error.detail
        flash(response, request, message, "error")
        return response
    flash(response, request, f"“{listing.title}” is hidden from buyers.", "warning")
    return response


@router.post(f"{MODERATION}/{{listing_id}}/unhide", dependencies=[Csrf])
async def unhide(
    listing_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    response = redirect(_safe_back(form))
    try:
        listing = await service.unhide_listing(session, principal, listing_id)
    except MercatoError as error:
        if error.status in (403, 404):
            raise
        await rollback(session)
        flash(response, request, error.detail, "error")
        return response
    flash(response, request, f"“{listing.title}” is visible again.")
    return response
