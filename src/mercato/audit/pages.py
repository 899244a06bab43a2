"""Audit pages: the admin console's audit log search (actor, action prefix, subject, dates;
newest first, paginated, each entry with its hash prefix) and its "Verify chain" button."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.audit import service
from mercato.audit.schemas import AuditPage, EntryFilter, VerificationOut
from mercato.kit.auth import Principal, Role
from mercato.kit.deps import DbSession
from mercato.kit.errors import ValidationFailed
from mercato.kit.web import (
    PageUser,
    form_errors,
    is_htmx,
    page_router,
    parse_form,
    render,
    verify_csrf,
)

router = page_router()
AUDIT = "/admin/audit"
PAGE_SIZE = 30
FILTER_FIELDS = ("actor", "action", "subject_type", "subject_id", "since", "until")


@router.get(AUDIT)
async def audit_log(
    request: Request,
    session: DbSession,
    principal: PageUser,
    cursor: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    principal.require_role(Role.ADMIN)
    typed = {name: request.query_params.get(name, "")[:254] for name in FILTER_FIELDS}
    try:
        filters = parse_form(EntryFilter, typed)
        page = await service.list_entries(
            session, principal, filters, cursor=cursor, limit=PAGE_SIZE
        )
    except ValidationFailed as error:
        context = _context(principal, typed, AuditPage(items=[]), None)
        context |= {"errors": form_errors(error), "error": error}
        return render(request, "audit/log.html", context, status_code=error.status)
    return render(request, "audit/log.html", _context(principal, typed, page, None, cursor))


@router.post(AUDIT + "/verify", dependencies=[Depends(verify_csrf)])
async def verify_chain(request: Request, session: DbSession, principal: PageUser) -> Response:
    result = await service.verify_chain_as(session, principal)
    if is_htmx(request):
        return render(request, "audit/_verification.html", {"verification": result})
    page = await service.list_entries(session, principal, EntryFilter(), limit=PAGE_SIZE)
    blank = dict.fromkeys(FILTER_FIELDS, "")
    return render(request, "audit/log.html", _context(principal, blank, page, result))


def _context(
    principal: Principal,
    typed: dict[str, str],
    page: AuditPage,
    verification: VerificationOut | None,
    cursor: str | None = None,
) -> dict[str, Any]:
    query = urlencode({name: value for name, value in typed.items() if value})
    return {
        "form": typed,
        "page": page,
        "cursor": cursor,
        "query": query,
        "filtered": any(typed.values()),
        "verification": verification,
        "errors": {},
        "error": None,
        "is_admin": principal.role is Role.ADMIN,
    }
