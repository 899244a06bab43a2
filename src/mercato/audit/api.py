"""Audit JSON API under ``/api/v1/audit`` (admins only: the entries, searchable, and the
verification of the chain), and the middleware that audits every staff request that changed
something."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import structlog
from fastapi import Query
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.audit import service
from mercato.audit.schemas import AuditPage, EntryFilter, VerificationOut
from mercato.kit.auth import Principal
from mercato.kit.deps import SAFE_METHODS, CurrentPrincipal, DbSession
from mercato.kit.routing import IndexedRouter

router = IndexedRouter(prefix="/audit", tags=["audit"])
log = structlog.get_logger(__name__)


@router.get("/entries", response_model=AuditPage)
async def list_entries(
    session: DbSession,
    principal: CurrentPrincipal,
    actor: Annotated[str | None, Query(max_length=254)] = None,
    action: Annotated[str | None, Query(max_length=200)] = None,
    subject_type: Annotated[str | None, Query(max_length=50)] = None,
    subject_id: Annotated[str | None, Query(max_length=100)] = None,
    since: date | None = None,
    until: date | None = None,
    cursor: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> AuditPage:
    """Audit entries newest first, filtered by actor (email, user id, ``system`` or
    ``anonymous``), action prefix, subject and a date range (UTC days, inclusive). Admins."""
    filters = EntryFilter(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        since=since,
        until=until,
    )
    return await service.list_entries(session, principal, filters, cursor=cursor, limit=limit)


@router.get("/verification", response_model=VerificationOut)
async def verify_chain(session: DbSession, principal: CurrentPrincipal) -> VerificationOut:
    """Walk the whole chain now: ``ok`` with the number of entries, or the first broken entry
    (a gap, a broken link, an altered entry). Admins."""
    return await service.verify_chain_as(session, principal)


class StaffActionAudit:
    """ASGI middleware: every request of an admin or support member that may change something
    (POST, PUT, PATCH, DELETE; API and pages) and succeeded (status below 400) is recorded with
    its method, route template, path ids, status, actor, request id and IP. The endpoint's own
    unit of work has committed by then; the entry is written before the response starts, so a
    staff member never sees the outcome of an action the log has not recorded. Bodies and query
    strings are never recorded: they may hold secrets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        # Shared with the request: the principal the endpoint resolved is read back from it.
        state: dict[str, Any] = scope.setdefault("state", {})

        async def send_once_audited(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                principal = state.get("principal")
                if isinstance(principal, Principal) and principal.is_staff:
                    await _record_staff_request(scope, principal, message["status"])
            await send(message)

        await self.app(scope, receive, send_once_audited)


def _subject(params: dict[str, Any]) -> tuple[str, str | None]:
    """The thing acted on: the last ``…_id`` path parameter (``seller_id`` → seller)."""
    for name in reversed(list(params)):
        if name.endswith("_id"):
            return name.removesuffix("_id"), str(params[name])
    if params:
        name = next(iter(params))
        return name, str(params[name])
    return "request", None


def _route_template(scope: Scope) -> str:
    """The full path template (``/api/v1/admin/users/{user_id}``). An included router's route
    knows only its own part of it, so the prefix comes from the matching leading segments of
    the request's path."""
    path: str = scope["path"]
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str) or not template.strip("/") or ":path}" in template:
        return path
    full, tail = path.strip("/").split("/"), template.strip("/").split("/")
    if len(tail) > len(full):
        return template
    return "/" + "/".join(full[: len(full) - len(tail)] + tail)


async def _record_staff_request(scope: Scope, principal: Principal, status: int) -> None:
    template = _route_template(scope)
    params = {name: str(value) for name, value in (scope.get("path_params") or {}).items()}
    subject_type, subject_id = _subject(params)
    client = scope.get("client")
    detail = {"path": scope["path"][:300], "status": status, "params": params}
    try:
        database = scope["app"].state.runtime.database
        async with database.transaction() as session:
            await service.record(
                session,
                actor=principal,
                action=f"http.{scope['method']} {template}"[:200],
                subject_type=subject_type[:50],
                subject_id=subject_id,
                detail=detail,
                ip_address=client[0] if client else None,
            )
    except Exception:
        # The action itself committed: refusing its response now would only mislead.
        log.exception("audit.staff_request_not_recorded", path=scope["path"])
