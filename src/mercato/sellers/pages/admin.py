"""The admin console's sellers pages: the applications queue, one application with its
documents and check results and the decision buttons, admission criteria, seller terms."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.accounts.service import get_contact
from mercato.kit.auth import Principal, Role
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError
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
from mercato.sellers.pages._common import LABELS
from mercato.sellers.schemas import (
    DECISION_LABELS,
    CriterionIn,
    Decision,
    DecisionIn,
    DocumentType,
    SellerStatus,
    TermsIn,
    TermsOut,
    TermsState,
)

router = page_router()
Csrf = Depends(verify_csrf)
QUEUE = "/admin/sellers"
CRITERIA = "/admin/sellers/criteria"
TERMS = "/admin/sellers/terms"
PAGE_SIZE = 25


def _status(value: str) -> SellerStatus:
    return (
        SellerStatus(value) if value in {s.value for s in SellerStatus} else SellerStatus.SUBMITTED
    )


# --- queue ---------------------------------------------------------------------------------


@router.get(QUEUE)
async def queue(
    request: Request,
    session: DbSession,
    principal: PageUser,
    status: Annotated[str, Query(max_length=16)] = SellerStatus.SUBMITTED.value,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    shown = _status(status)
    page = await service.list_applications(
        session, principal, statuses=[shown], cursor=cursor, limit=PAGE_SIZE
    )
    counts = await service.count_sellers_by_status(session, principal)
    next_url = (
        page.next_cursor
        and f"{QUEUE}?{urlencode({'status': shown.value, 'cursor': page.next_cursor})}"
    )
    context = {
        "page": page,
        "shown": shown,
        "counts": counts,
        "statuses": list(SellerStatus),
        "next_url": next_url,
        "first_url": cursor and f"{QUEUE}?status={shown.value}",
        **LABELS,
    }
    return render(request, "sellers/admin_queue.html", context)


# --- criteria (before /{seller_id}: these paths are not ids) -------------------------------


async def _criteria_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    return {
        "criteria": await service.list_criteria(session, principal),
        "document_types": list(DocumentType),
        "can_edit": principal.role == Role.ADMIN,
        "form": {"country": "", "doc_type": "", "applies_to": "any"},
        **LABELS,
    }


@router.get(CRITERIA)
async def criteria(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _criteria_context(session, principal)
    return render(request, "sellers/admin_criteria.html", context)


@router.post(CRITERIA, dependencies=[Csrf])
async def add_criterion(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        added = await service.add_criterion(session, principal, parse_form(CriterionIn, form))
    except MercatoError as error:

        async def reload() -> dict[str, Any]:
            return await _criteria_context(session, principal)

        return await form_failed(
            request, session, error, "sellers/admin_criteria.html", {"form": form}, reload=reload
        )
    response = redirect(CRITERIA, request)
    where = "every country" if added.country == "*" else added.country
    flash(response, request, f"Sellers from {where} must now upload this document.")
    return response


@router.post(f"{CRITERIA}/{{criterion_id}}/delete", dependencies=[Csrf])
async def delete_criterion(
    criterion_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    await service.delete_criterion(session, principal, criterion_id)
    response = redirect(CRITERIA, request)
    flash(response, request, "The requirement is removed.", "info")
    return response


# --- terms ---------------------------------------------------------------------------------


async def _terms_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    versions = await service.list_terms_versions(session, principal)
    return {
        "versions": versions,
        "acceptances": await service.count_terms_acceptances(session, principal),
        "publishers": await _publisher_names(session, versions),
        "can_edit": principal.role == Role.ADMIN,
        "form": {"title": "", "body": "", "reason": "", "effective_from": ""},
    }


async def _publisher_names(session: DbSession, versions: list[TermsOut]) -> dict[uuid.UUID, str]:
    """Who published each version, by name (a deleted account shows as unknown)."""
    names: dict[uuid.UUID, str] = {}
    for user_id in {v.published_by for v in versions if v.published_by is not None}:
        contact = await get_contact(session, user_id)
        if contact is not None:
            names[user_id] = contact.name or contact.email
    return names


@router.get(TERMS)
async def terms(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _terms_context(session, principal)
    return render(request, "sellers/admin_terms.html", context)


@router.post(TERMS, dependencies=[Csrf])
async def publish_terms(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        published = await service.publish_terms(session, principal, parse_form(TermsIn, form))
    except MercatoError as error:

        async def reload() -> dict[str, Any]:
            return await _terms_context(session, principal)

        return await form_failed(
            request, session, error, "sellers/admin_terms.html", {"form": form}, reload=reload
        )
    response = redirect(TERMS, request)
    flash(response, request, _published_message(published))
    return response


def _published_message(published: TermsOut) -> str:
    if published.state is TermsState.SCHEDULED:
        when = published.effective_from.strftime("%d %b %Y, %H:%M UTC")
        return (
            f"Version {published.version} is scheduled: from {when}, every seller must accept it."
        )
    return f"Version {published.version} is published; every seller must accept it."


# --- one application -----------------------------------------------------------------------


async def _review_context(
    session: DbSession, principal: Principal, seller_id: uuid.UUID
) -> dict[str, Any]:
    return {
        "review": await service.get_application_review(session, principal, seller_id),
        "can_decide": principal.role == Role.ADMIN,
        "form": {"reason": ""},
        **LABELS,
    }


@router.get(f"{QUEUE}/{{seller_id}}")
async def review(
    seller_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    context = await _review_context(session, principal, seller_id)
    return render(request, "sellers/admin_review.html", context)


@router.post(f"{QUEUE}/{{seller_id}}/decision", dependencies=[Csrf])
async def decide(
    seller_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        decision = parse_form(DecisionIn, form)
        decided = await service.decide(session, principal, seller_id, decision)
    except MercatoError as error:
        if error.status in (401, 403, 404):
            await rollback(session)
            raise

        async def reload() -> dict[str, Any]:
            return await _review_context(session, principal, seller_id)

        return await form_failed(
            request, session, error, "sellers/admin_review.html", {"form": form}, reload=reload
        )
    response = redirect(f"{QUEUE}/{seller_id}", request)
    label = DECISION_LABELS[Decision(decision.decision)]
    flash(response, request, f"{decided.business_name}: “{label}” is recorded and emailed.")
    return response
