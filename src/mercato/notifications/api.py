from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter
from mercato.notifications import service
from mercato.notifications.schemas import MailOut

router = IndexedRouter(prefix="/admin/mail", tags=["admin"])


@router.get("", response_model=Page[MailOut])
async def list_mail(
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[MailOut]:
    """The outgoing mail log (the local outbox when no SMTP server is configured)."""
    return await service.list_outbox(session, principal, cursor=cursor, limit=limit)


@router.get("/{mail_id}", response_model=MailOut)
async def get_mail(mail_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal) -> MailOut:
    return await service.get_mail(session, principal, mail_id)
