"""The signed-in user's own pages: profile and password, two-factor security, saved addresses."""

from __future__ import annotations

import uuid
from typing import Any

import segno
from fastapi import Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from mercato.accounts import service
from mercato.accounts.pages._common import end_session, settings_of
from mercato.accounts.schemas import AddressIn, PasswordChange, ProfileUpdate, TotpCode
from mercato.kit.auth import Principal
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError, NotFound, ValidationFailed
from mercato.kit.web import (
    PageUser,
    PartialPageUser,
    flash,
    form_failed,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)

router = page_router()
Csrf = Depends(verify_csrf)
# Secrets and recovery codes must not linger in the cache of a shared computer.
NO_STORE = {"Cache-Control": "no-store"}
ADDRESSES = "/account/addresses"
OTPAUTH_PREFIX = "otpauth://totp/"


# --- profile and password ------------------------------------------------------------------


async def _account_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    me = await service.get_me(session, principal)
    return {"me": me, "form": {"display_name": me.display_name, "phone": me.phone or ""}}


@router.get("/account")
async def account(request: Request, session: DbSession, principal: PageUser) -> Response:
    return render(request, "accounts/account.html", await _account_context(session, principal))


@router.post("/account/profile", dependencies=[Csrf])
async def update_profile(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        await service.update_profile(session, principal, parse_form(ProfileUpdate, form))
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            "accounts/account.html",
            {"form": form},
            reload=lambda: _account_context(session, principal),
        )
    response = redirect("/account", request)
    flash(response, request, "Your profile is saved.")
    return response


@router.post("/account/password", dependencies=[Csrf])
async def change_password(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        change = parse_form(PasswordChange, form)
        if form.get("new_password_confirm") != change.new_password:
            raise ValidationFailed.on("new_password_confirm", "The two passwords are different.")
        await service.change_password(session, principal, change)
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            "accounts/account.html",
            reload=lambda: _account_context(session, principal),
        )
    # A password change signs the account out everywhere, this browser included.
    response = redirect("/login", request)
    end_session(response, request)
    flash(
        response,
        request,
        "Your password is changed and every device was signed out. Sign in with the new password.",
    )
    return response


# --- two-factor authentication -------------------------------------------------------------


async def _security_context(
    request: Request, session: DbSession, principal: Principal
) -> dict[str, Any]:
    me = await service.get_me(session, principal)
    required = me.role in settings_of(request).roles_requiring_2fa
    return {"me": me, "two_factor_required": required}


def qr_code(otpauth_uri: str) -> Markup:
    """The enrolment URI as an inline SVG QR code (segno writes only path data, no text)."""
    svg = segno.make(otpauth_uri, error="m").svg_inline(
        scale=5, border=2, dark="#111827", light="#ffffff", omitsize=True
    )
    return Markup(svg)  # noqa: S704 (segno output, not user input)


def _setup_context(secret: str, otpauth_uri: str) -> dict[str, Any]:
    return {"secret": secret, "otpauth_uri": otpauth_uri, "qr": qr_code(otpauth_uri)}


@router.get("/account/security")
async def security(request: Request, session: DbSession, principal: PartialPageUser) -> Response:
    context = await _security_context(request, session, principal)
    return render(request, "accounts/security.html", context)


@router.post("/account/security/2fa/setup", dependencies=[Csrf])
async def begin_two_factor(
    request: Request, session: DbSession, principal: PartialPageUser
) -> Response:
    try:
        setup = await service.begin_totp_enrolment(session, principal)
    except MercatoError as error:
        await rollback(session)
        response = redirect("/account/security", request)
        flash(response, request, error.detail, "error")
        return response
    context = _setup_context(setup.secret, setup.otpauth_uri)
    response = render(request, "accounts/totp_setup.html", context)
    response.headers.update(NO_STORE)
    return response


@router.post("/account/security/2fa/confirm", dependencies=[Csrf])
async def confirm_two_factor(
    request: Request, session: DbSession, principal: PartialPageUser
) -> Response:
    form = await read_form(request)
    try:
        code = parse_form(TotpCode, form).code
        codes = await service.confirm_totp_enrolment(session, principal, code)
    except MercatoError as error:
        # Redisplay what the user is scanning; the service only trusts the stored secret.
        uri = form.get("otpauth_uri", "")
        context = _setup_context(form.get("secret", ""), uri) if _is_otpauth(uri) else {}
        response = await form_failed(request, session, error, "accounts/totp_setup.html", context)
        response.headers.update(NO_STORE)
        return response
    return _recovery_codes(request, codes, "Two-factor authentication is on.")


def _is_otpauth(uri: str) -> bool:
    return uri.startswith(OTPAUTH_PREFIX) and len(uri) <= 512


@router.post("/account/security/recovery-codes", dependencies=[Csrf])
async def regenerate_recovery_codes(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        code = parse_form(TotpCode, form).code
        codes = await service.regenerate_recovery_codes(session, principal, code)
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            "accounts/security.html",
            {"failed_form": "recovery"},
            reload=lambda: _security_context(request, session, principal),
        )
    return _recovery_codes(
        request, codes, "New recovery codes are ready; the old ones stopped working."
    )


def _recovery_codes(request: Request, codes: list[str], headline: str) -> Response:
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "headline": headline}
    )
    response.headers.update(NO_STORE)
    return response


@router.post("/account/security/2fa/disable", dependencies=[Csrf])
async def disable_two_factor(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        await service.disable_totp(session, principal, form.get("password", ""))
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            "accounts/security.html",
            {"failed_form": "disable"},
            reload=lambda: _security_context(request, session, principal),
        )
    response = redirect("/account/security", request)
    flash(response, request, "Two-factor authentication is off.", "warning")
    return response


# --- addresses -----------------------------------------------------------------------------
# Delete and "make default" answer with a plain 303 to the list even for htmx: the browser
# follows it and htmx swaps just the list (hx-select), so each POST still calls one use case.


@router.get(ADDRESSES)
async def addresses(request: Request, session: DbSession, principal: PageUser) -> Response:
    rows = await service.list_addresses(session, principal)
    return render(request, "accounts/addresses.html", {"addresses": rows})


@router.get(f"{ADDRESSES}/new")
async def new_address(request: Request, principal: PageUser) -> Response:
    return render(request, "accounts/address_form.html", {"form": {}, "address_id": None})


@router.post(ADDRESSES, dependencies=[Csrf])
async def add_address(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        await service.add_address(session, principal, parse_form(AddressIn, form))
    except MercatoError as error:
        context = {"form": form, "address_id": None}
        return await form_failed(request, session, error, "accounts/address_form.html", context)
    response = redirect(ADDRESSES)
    flash(response, request, f"The address “{form.get('label', '').strip()}” is saved.")
    return response


@router.get(f"{ADDRESSES}/{{address_id}}/edit")
async def edit_address(
    address_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    rows = await service.list_addresses(session, principal)
    address = next((a for a in rows if a.id == address_id), None)
    if address is None:
        raise NotFound("No such address.")
    form = {name: getattr(address, name) for name in AddressIn.model_fields}
    return render(request, "accounts/address_form.html", {"form": form, "address_id": address_id})


@router.post(f"{ADDRESSES}/{{address_id}}", dependencies=[Csrf])
async def update_address(
    address_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        data = parse_form(AddressIn, form)
        await service.update_address(session, principal, address_id, data)
    except NotFound:
        raise
    except MercatoError as error:
        if form.get("intent") == "default":
            return await _address_action_failed(request, session, error)
        context = {"form": form, "address_id": address_id}
        return await form_failed(request, session, error, "accounts/address_form.html", context)
    response = redirect(ADDRESSES)
    if form.get("intent") == "default":
        flash(response, request, f"“{data.label}” is now your default address.")
    else:
        flash(response, request, f"The address “{data.label}” is saved.")
    return response


@router.post(f"{ADDRESSES}/{{address_id}}/delete", dependencies=[Csrf])
async def delete_address(
    address_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    await service.delete_address(session, principal, address_id)
    response = redirect(ADDRESSES)
    flash(response, request, "The address is deleted.", "info")
    return response


async def _address_action_failed(
    request: Request, session: DbSession, error: MercatoError
) -> Response:
    await rollback(session)
    response = redirect(ADDRESSES)
    flash(response, request, error.detail, "error")
    return response
