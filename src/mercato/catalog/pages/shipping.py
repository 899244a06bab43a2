"""The seller portal's shipping profiles: the list with a form for a new one, editing one, and
deleting one after a confirmation that names the listings it is cleared from."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from mercato.catalog import service
from mercato.catalog.pages._common import COMMON_CURRENCIES, validate
from mercato.catalog.policy.shipping import METHOD_LABELS
from mercato.catalog.schemas import ShippingProfileIn, ShippingProfileOut, ShippingProfileUpdate
from mercato.kit.auth import Principal
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError, NotFound
from mercato.kit.money import Money
from mercato.kit.web import (
    PageUser,
    flash,
    form_failed,
    page_router,
    read_form,
    redirect,
    render,
    verify_csrf,
)

router = page_router()
Csrf = Depends(verify_csrf)
SHIPPING = "/seller/shipping"
FIELDS = ("name", "currency", "method", "flat_rate", "per_kg", "free_above", "handling_days")


def _major(amount_minor: int | None, currency: str) -> str:
    return "" if amount_minor is None else f"{Money(amount_minor, currency).to_decimal():f}"


def _form_of(profile: ShippingProfileOut) -> dict[str, str]:
    return {
        "name": profile.name,
        "currency": profile.currency,
        "method": profile.method,
        "flat_rate": _major(profile.flat_rate_minor, profile.currency),
        "per_kg": _major(profile.per_kg_minor, profile.currency) if profile.per_kg_minor else "",
        "free_above": _major(profile.free_above_minor, profile.currency),
        "handling_days": str(profile.handling_days),
    }


async def _list_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    return {
        "profiles": await service.list_shipping_profiles(session, principal),
        "usage": await service.count_profile_listings(session, principal),
        "methods": METHOD_LABELS,
        "currencies": COMMON_CURRENCIES,
    }


async def _own(
    session: DbSession, principal: Principal, profile_id: uuid.UUID
) -> ShippingProfileOut:
    profiles = await service.list_shipping_profiles(session, principal)
    found = next((p for p in profiles if p.id == profile_id), None)
    if found is None:
        raise NotFound("No such shipping profile.")
    return found


def _submitted(form: dict[str, str]) -> dict[str, str | None]:
    data: dict[str, str | None] = {key: form[key] for key in FIELDS if key in form}
    if "free_above" in data and not (data["free_above"] or "").strip():
        data["free_above"] = None
    return data


@router.get(SHIPPING)
async def shipping_profiles(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _list_context(session, principal)
    form = {"currency": "EUR", "method": "flat", "handling_days": "2", "flat_rate": ""}
    return render(request, "catalog/shipping_profiles.html", {**context, "form": form})


@router.post(SHIPPING, dependencies=[Csrf])
async def create_shipping_profile(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        data = validate(ShippingProfileIn, _submitted(form))
        profile = await service.create_shipping_profile(session, principal, data)
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            "catalog/shipping_profiles.html",
            {"form": form},
            reload=lambda: _list_context(session, principal),
        )
    response = redirect(SHIPPING, request)
    flash(response, request, f"Shipping profile “{profile.name}” created.")
    return response


@router.get(f"{SHIPPING}/{{profile_id}}")
async def edit_shipping_profile(
    request: Request, profile_id: uuid.UUID, session: DbSession, principal: PageUser
) -> Response:
    profile = await _own(session, principal, profile_id)
    context = {"profile": profile, "form": _form_of(profile), "methods": METHOD_LABELS}
    return render(request, "catalog/shipping_profile_edit.html", context)


@router.post(f"{SHIPPING}/{{profile_id}}", dependencies=[Csrf])
async def update_shipping_profile(
    request: Request, profile_id: uuid.UUID, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    profile = await _own(session, principal, profile_id)
    try:
        submitted = _submitted(form)
        submitted.pop("currency", None)  # fixed at creation: existing prices are in it
        changes = validate(ShippingProfileUpdate, submitted)
        updated = await service.update_shipping_profile(session, principal, profile_id, changes)
    except MercatoError as error:
        context = {"profile": profile, "form": form, "methods": METHOD_LABELS}
        return await form_failed(
            request, session, error, "catalog/shipping_profile_edit.html", context
        )
    response = redirect(SHIPPING, request)
    flash(response, request, f"Shipping profile “{updated.name}” saved.")
    return response


@router.get(f"{SHIPPING}/{{profile_id}}/delete")
async def confirm_delete_shipping_profile(
    request: Request, profile_id: uuid.UUID, session: DbSession, principal: PageUser
) -> Response:
    profile = await _own(session, principal, profile_id)
    used_by = (await service.count_profile_listings(session, principal)).get(profile_id, 0)
    context = {"profile": profile, "used_by": used_by}
    return render(request, "catalog/shipping_profile_delete.html", context)


@router.post(f"{SHIPPING}/{{profile_id}}/delete", dependencies=[Csrf])
async def delete_shipping_profile(
    request: Request, profile_id: uuid.UUID, session: DbSession, principal: PageUser
) -> Response:
    profile = await _own(session, principal, profile_id)
    cleared = await service.delete_shipping_profile(session, principal, profile_id)
    message = f"Shipping profile “{profile.name}” deleted."
    if cleared:
        plural = "listing has" if cleared == 1 else "listings have"
        message += f" {cleared} {plural} no shipping profile now."
    response = redirect(SHIPPING, request)
    flash(response, request, message)
    return response
