"""An order's messages on each party's order page: the thread and its form as a panel the page
loads with htmx (the buyer's and the seller's post to it and get it back with the new
message; staff read it), and the seller's list of buyers waiting for an answer."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError
from mercato.kit.web import (
    PageUser,
    flash,
    form_errors,
    is_htmx,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)
from mercato.orders import service
from mercato.orders.schemas import MessageIn, MessageThread

router = page_router()
Csrf = Depends(verify_csrf)
PANEL = "orders/_messages.html"


# Each party's order page, the roles it admits, and whether it may write from there.
AREAS: dict[str, tuple[str, tuple[Role, ...], bool]] = {
    "buyer": ("/orders", (Role.BUYER,), True),
    "seller": ("/seller/orders", (Role.SELLER,), True),
    "admin": ("/admin/orders", (Role.ADMIN, Role.SUPPORT), False),
}


def waited(since: datetime | None) -> str:
    """How long a buyer has been waiting, in words: "3 h", "2 days"."""
    if since is None:
        return ""
    hours = int((clock.now() - since).total_seconds() // 3600)
    if hours < 1:
        return "less than an hour"
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def _context(thread: MessageThread, area: str, **extra: Any) -> dict[str, Any]:
    base, _, writes = AREAS[area]
    post_url = f"{base}/{thread.order_id}/messages"
    return {
        "thread": thread,
        "area": area,
        "post_url": post_url if writes and thread.can_write and thread.writable else None,
        "waited": waited,
        "form": {},
        "errors": {},
        **extra,
    }


def _panel(area: str) -> Callable[..., Awaitable[Response]]:
    async def show(
        order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
    ) -> Response:
        principal.require_role(*AREAS[area][1])
        thread = await service.list_messages(session, principal, order_id)
        return render(request, PANEL, _context(thread, area))

    return show


def _post(area: str) -> Callable[..., Awaitable[Response]]:
    async def send(
        order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
    ) -> Response:
        """htmx gets the panel back (the new message in the thread, or the error under the
        box with the text kept); without htmx the party returns to the order page."""
        principal.require_role(*AREAS[area][1])
        form = await read_form(request)
        try:
            await service.post_message(session, principal, order_id, parse_form(MessageIn, form))
        except MercatoError as error:
            if error.status in (401, 403, 404) and not error.errors:
                raise
            return await _refused(request, session, principal, order_id, area, error, form)
        if is_htmx(request):
            thread = await service.list_messages(session, principal, order_id)
            return render(request, PANEL, _context(thread, area, sent=True))
        response = redirect(f"{AREAS[area][0]}/{order_id}#messages")
        flash(response, request, "Message sent.")
        return response

    return send


async def _refused(
    request: Request,
    session: DbSession,
    principal: Principal,
    order_id: uuid.UUID,
    area: str,
    error: MercatoError,
    form: dict[str, str],
) -> Response:
    await rollback(session)
    if not is_htmx(request):
        response = redirect(f"{AREAS[area][0]}/{order_id}#messages")
        flash(response, request, error.detail, "error")
        return response
    thread = await service.list_messages(session, principal, order_id)
    errors = form_errors(error) or {"body": error.detail}
    context = _context(thread, area, form=form, errors=errors, error=error)
    return render(request, PANEL, context, status_code=error.status)


for _area, (_base, _roles, _writes) in AREAS.items():
    router.add_api_route(f"{_base}/{{order_id}}/messages", _panel(_area), methods=["GET"])
    if _writes:
        router.add_api_route(
            f"{_base}/{{order_id}}/messages",
            _post(_area),
            methods=["POST"],
            dependencies=[Csrf],
        )


@router.get("/seller/messages")
async def awaiting_replies(request: Request, session: DbSession, principal: PageUser) -> Response:
    """Buyers waiting for the seller's answer, the longest wait first."""
    threads = await service.awaiting_replies(session, principal)
    context = {
        "threads": threads,
        "unanswered": sum(thread.unanswered for thread in threads),
        "waited": waited,
    }
    return render(request, "orders/seller_messages.html", context)
