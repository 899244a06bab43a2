"""The seller portal: onboarding checklist, the application with its documents, seller terms,
payout account and storefront profile."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from mercato.kit.auth import Principal
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError, ValidationFailed
from mercato.kit.web import (
    PageUser,
    flash,
    form_failed,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)
from mercato.sellers import service
from mercato.sellers.pages._common import LABELS, files_of, uploaded
from mercato.sellers.schemas import (
    ApplicationIn,
    DocumentType,
    PayoutAccountIn,
    StorefrontIn,
    TermsAcceptanceIn,
)

router = page_router()
Csrf = Depends(verify_csrf)
PORTAL = "/seller"
APPLICATION = "/seller/application"


# --- checklist -----------------------------------------------------------------------------


@router.get(PORTAL)
async def onboarding(request: Request, session: DbSession, principal: PageUser) -> Response:
    checklist = await service.get_checklist(session, principal)
    application = await service.get_my_application(session, principal)
    context = {"checklist": checklist, "application": application, **LABELS}
    return render(request, "sellers/onboarding.html", context)


# --- application ---------------------------------------------------------------------------


def _application_form(application: Any) -> dict[str, Any]:
    form = {name: getattr(application, name) for name in ApplicationIn.model_fields}
    form["legal_form"] = application.legal_form.value if application.legal_form else ""
    return {k: ("" if v is None else v) for k, v in form.items()}


async def _application_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    application = await service.get_my_application(session, principal)
    return {
        "application": application,
        "form": _application_form(application),
        "document_types": list(DocumentType),
        **LABELS,
    }


@router.get(APPLICATION)
async def application(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _application_context(session, principal)
    return render(request, "sellers/application.html", context)


async def _application_failed(
    request: Request,
    session: DbSession,
    principal: Principal,
    error: MercatoError,
    typed: dict[str, Any] | None = None,
) -> Response:
    async def reload() -> dict[str, Any]:
        return await _application_context(session, principal)

    context = {"form": typed} if typed is not None else None
    return await form_failed(
        request, session, error, "sellers/application.html", context, reload=reload
    )


@router.post(APPLICATION, dependencies=[Csrf])
async def save_application(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    typed: dict[str, Any] = {**form, "sells_goods": "sells_goods" in form}
    typed["sells_services"] = "sells_services" in form
    try:
        await service.save_application(session, principal, parse_form(ApplicationIn, form))
    except MercatoError as error:
        return await _application_failed(request, session, principal, error, typed)
    response = redirect(APPLICATION, request)
    flash(response, request, "Your application is saved.")
    return response


@router.post(f"{APPLICATION}/documents", dependencies=[Csrf])
async def upload_document(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        if form.get("doc_type") not in {t.value for t in DocumentType}:
            raise ValidationFailed.on("doc_type", "Choose the kind of document.")
        data, filename = await uploaded(request, "file", required=True)
        assert data is not None
        document = await service.upload_document(
            session, principal, files_of(request), DocumentType(form["doc_type"]), data, filename
        )
    except MercatoError as error:
        return await _application_failed(request, session, principal, error)
    response = redirect(f"{APPLICATION}#documents", request)
    flash(response, request, f"“{document.filename}” is attached to your application.")
    return response


@router.post(f"{APPLICATION}/documents/{{document_id}}/delete", dependencies=[Csrf])
async def delete_document(
    document_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    response = redirect(f"{APPLICATION}#documents", request)
    try:
        await service.delete_document(session, principal, files_of(request), document_id)
    except MercatoError as error:
        await rollback(session)
        flash(response, request, error.detail, "error")
        return response
    flash(response, request, "The document is removed.", "info")
    return response


@router.post(f"{APPLICATION}/submit", dependencies=[Csrf])
async def submit_application(request: Request, session: DbSession, principal: PageUser) -> Response:
    try:
        await service.submit_application(session, principal)
    except MercatoError as error:
        return await _application_failed(request, session, principal, error)
    response = redirect(APPLICATION, request)
    flash(response, request, "Your application is submitted. We will email you after the review.")
    return response


# --- terms ---------------------------------------------------------------------------------


async def _terms_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    acceptance = await service.get_my_terms_acceptance(session, principal)
    try:
        terms = await service.get_current_terms(session)
    except MercatoError:
        terms = None
    return {"terms": terms, "acceptance": acceptance}


@router.get("/seller/terms")
async def terms(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _terms_context(session, principal)
    return render(request, "sellers/terms.html", context)


@router.get("/seller/terms/banner")
async def terms_banner(request: Request, session: DbSession, principal: PageUser) -> Response:
    """The "accept the new seller terms" banner of the portal layout: empty when up to date,
    and for a user without a shop."""
    try:
        status = await service.get_my_terms_status(session, principal)
    except MercatoError:
        status = None
    return render(request, "sellers/_terms_banner.html", {"status": status})


@router.post("/seller/terms", dependencies=[Csrf])
async def accept_terms(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        if form.get("accept") != "on":
            raise ValidationFailed.on("accept", "Tick the box to accept the terms.")
        version = parse_form(TermsAcceptanceIn, form).version
        ip = request.client.host if request.client else "unknown"
        await service.accept_terms(session, principal, version, ip)
    except MercatoError as error:

        async def reload() -> dict[str, Any]:
            return await _terms_context(session, principal)

        return await form_failed(request, session, error, "sellers/terms.html", reload=reload)
    response = redirect(PORTAL, request)
    flash(response, request, f"You accepted version {version} of the seller terms.")
    return response


# --- payout account ------------------------------------------------------------------------


@router.get("/seller/payout")
async def payout(request: Request, session: DbSession, principal: PageUser) -> Response:
    account = await service.get_payout_account(session, principal)
    form = {"account_holder": account.account_holder if account else "", "iban": ""}
    return render(request, "sellers/payout.html", {"account": account, "form": form})


@router.post("/seller/payout", dependencies=[Csrf])
async def save_payout(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        await service.save_payout_account(session, principal, parse_form(PayoutAccountIn, form))
    except MercatoError as error:

        async def reload() -> dict[str, Any]:
            return {"account": await service.get_payout_account(session, principal)}

        return await form_failed(
            request, session, error, "sellers/payout.html", {"form": form}, reload=reload
        )
    response = redirect(PORTAL, request)
    flash(response, request, "Your payout account is saved.")
    return response


# --- storefront ----------------------------------------------------------------------------


async def _storefront_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    storefront = await service.get_storefront_profile(session, principal)
    form = {
        "display_name": storefront.display_name or "",
        "description": storefront.description or "",
        "return_policy": storefront.return_policy or "",
    }
    return {"storefront": storefront, "form": form, **LABELS}


@router.get("/seller/storefront")
async def storefront(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _storefront_context(session, principal)
    return render(request, "sellers/storefront.html", context)


@router.post("/seller/storefront", dependencies=[Csrf])
async def save_storefront(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        logo, _name = await uploaded(request, "logo", required=False)
        await service.save_storefront_profile(
            session, principal, parse_form(StorefrontIn, form), files=files_of(request), logo=logo
        )
    except MercatoError as error:

        async def reload() -> dict[str, Any]:
            return await _storefront_context(session, principal)

        return await form_failed(
            request, session, error, "sellers/storefront.html", {"form": form}, reload=reload
        )
    response = redirect(PORTAL, request)
    flash(response, request, "Your storefront is saved.")
    return response
