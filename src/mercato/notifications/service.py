"""Sending email. Without SMTP configured, mail lands in the local outbox (status ``outbox``),
readable by admins in the console; with SMTP, a job delivers it after the commit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock, jobs
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound
from mercato.kit.pagination import Page
from mercato.kit.runtime import current_runtime
from mercato.notifications import repository
from mercato.notifications.models import Mail
from mercato.notifications.rendering import render_email
from mercato.notifications.schemas import MailOut


async def queue_email(
    session: AsyncSession,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
) -> Mail:
    """Record an email in this unit of work; it is delivered only if the unit commits. With
    ``body_html`` it goes out as multipart/alternative: the text first, then the HTML."""
    smtp = bool(current_runtime().settings.smtp_url)
    mail = Mail(
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        status="queued" if smtp else "outbox",
        created_at=clock.now(),
    )
    session.add(mail)
    await session.flush()
    if smtp:
        jobs.enqueue(session, "notifications.deliver_mail", mail_id=str(mail.id))
    return mail


async def queue_templated_email(
    session: AsyncSession, to_address: str, template: str, context: dict[str, Any]
) -> Mail:
    """Render ``template`` (``<template>.subject.txt``, ``.txt`` and ``.html`` in any domain's
    ``templates/`` directory) with ``context`` and queue it like :func:`queue_email`. Links
    built with the ``absolute`` filter point at ``settings.base_url``."""
    base_url = current_runtime().settings.base_url
    email = render_email(template, context, base_url=base_url)
    return await queue_email(session, to_address, email.subject, email.body_text, email.body_html)


async def list_outbox(
    session: AsyncSession, principal: Principal, *, cursor: str | None = None, limit: int = 50
) -> Page[MailOut]:
    """The mail outbox, newest first: for admins only (it contains one-time links)."""
    principal.require_role(Role.ADMIN)
    found = await repository.list_mail(session, cursor=cursor, limit=limit)
    return Page[MailOut](
        items=[MailOut.model_validate(m) for m in found.rows], next_cursor=found.next_cursor
    )


async def get_mail(session: AsyncSession, principal: Principal, mail_id: uuid.UUID) -> MailOut:
    principal.require_role(Role.ADMIN)
    mail = await repository.get_mail(session, mail_id)
    if mail is None:
        raise NotFound("No such email.")
    return MailOut.model_validate(mail)
