"""The staff console: the dashboard and the user directory (admins change roles and disable
accounts; support staff read)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.accounts import service
from mercato.accounts.schemas import UserAdminUpdate
from mercato.kit.auth import Role
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.web import (
    PageUser,
    flash,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)

router = page_router()
USERS = "/admin/users"
RESULTS_TARGET = "user-results"
PAGE_SIZE = 25


def _role(value: str | None) -> Role | None:
    return Role(value) if value in {r.value for r in Role} else None


def users_url(query: str = "", role: str | None = None, cursor: str | None = None) -> str:
    params = {k: v for k, v in (("q", query), ("role", role), ("cursor", cursor)) if v}
    return f"{USERS}?{urlencode(params)}" if params else USERS


@router.get("/admin")
async def dashboard(request: Request, session: DbSession, principal: PageUser) -> Response:
    counts = await service.count_users_by_role(session, principal)
    roles = [(role.value, counts.get(role.value, 0)) for role in Role]
    return render(
        request,
        "accounts/admin_dashboard.html",
        {"roles": roles, "total": sum(counts.values())},
    )


@router.get(USERS)
async def users(
    request: Request,
    session: DbSession,
    principal: PageUser,
    q: Annotated[str, Query(max_length=254)] = "",
    role: Annotated[str, Query(max_length=16)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    page = await service.list_users(
        session, principal, query=q, role=_role(role), cursor=cursor, limit=PAGE_SIZE
    )
    context = {
        "page": page,
        "q": q,
        "role": _role(role),
        "cursor": cursor,
        "roles": list(Role),
        "can_edit": principal.role == Role.ADMIN,
        "next_url": page.next_cursor and users_url(q, role, page.next_cursor),
        "first_url": cursor and users_url(q, role),
        "here": users_url(q, role, cursor),
    }
    # The live search swaps only the results; everything else gets the whole page.
    live = request.headers.get("hx-target") == RESULTS_TARGET
    template = "accounts/_admin_user_results.html" if live else "accounts/admin_users.html"
    return render(request, template, context)


@router.post(f"{USERS}/{{user_id}}", dependencies=[Depends(verify_csrf)])
async def update_user(
    user_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    """Change a role or disable/enable an account, then show the same list again (a plain 303:
    htmx follows it and swaps the one row)."""
    form = await read_form(request)
    back = users_url(form.get("q", ""), form.get("role_filter"), form.get("cursor"))
    response = redirect(back)
    try:
        user = await service.update_user(
            session, principal, user_id, parse_form(UserAdminUpdate, form)
        )
    except (Conflict, ValidationFailed) as error:
        await rollback(session)
        flash(response, request, error.detail, "error")
        return response
    state = "active" if user.is_active else "disabled"
    flash(response, request, f"Saved {user.email}: role {user.role}, account {state}.")
    return response
