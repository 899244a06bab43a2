"""The admin console's mail outbox: every email the platform sent or would have sent."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import Response

from mercato.kit.deps import DbSession
from mercato.kit.web import PageUser, page_router, render
from mercato.notifications import service

router = page_router()
_URL = re.compile(r"https?://[^\s<>\"']+")


def body_segments(body: str) -> list[tuple[str, bool]]:
    """The body split into (text, is_link) parts, so links become clickable without ever
    marking user-supplied text as safe HTML."""
    segments: list[tuple[str, bool]] = []
    position = 0
    for match in _URL.finditer(body):
        segments.append((body[position : match.start()], False))
        segments.append((match.group(0), True))
        position = match.end()
    segments.append((body[position:], False))
    return [segment for segment in segments if segment[0]]


@router.get("/admin/mail")
async def outbox(
    request: Request,
    session: DbSession,
    principal: PageUser,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    page = await service.list_outbox(session, principal, cursor=cursor, limit=50)
    return render(request, "notifications/outbox.html", {"page": page, "cursor": cursor})


@router.get("/admin/mail/{mail_id}")
async def mail(
    mail_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: PageUser,
    view: Literal["html", "text"] = "html",
) -> Response:
    message = await service.get_mail(session, principal, mail_id)
    context = {"mail": message, "segments": body_segments(message.body_text), "view": view}
    response = render(request, "notifications/mail.html", context)
    # Mail carries one-time links: keep it out of the browser cache.
    response.headers["Cache-Control"] = "no-store"
    return response
