"""Mail delivery over SMTP (``MERCATO_SMTP_URL=smtp://user:pass@host:port``, or smtps://).

Each queued mail gets a ``notifications.deliver_mail`` job after its commit. The periodic
``notifications.retry_queued_mail`` sweep re-enqueues mail still queued a minute later: the first
attempt failed (SMTP down) or its job was lost (a worker killed mid-job, an in-process queue that
died with its process).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import uuid
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from mercato.kit import clock
from mercato.kit.db import current_database
from mercato.kit.jobs import enqueue, job
from mercato.kit.runtime import current_runtime
from mercato.kit.scheduler import periodic
from mercato.notifications import repository
from mercato.notifications.models import Mail

MAX_ATTEMPTS = 5
RETRY_QUEUED_AFTER = timedelta(minutes=1)
# Bounds one sweep; a larger backlog is picked up by the next sweep a minute later.
RETRY_BATCH = 500


def _send_over_smtp(smtp_url: str, message: EmailMessage) -> None:
    url = urlparse(smtp_url)
    host, port = url.hostname or "localhost", url.port
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port or 465, context=ssl.create_default_context(), timeout=30
        )
    else:
        client = smtplib.SMTP(host, port or 25, timeout=30)
    with client:
        if url.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)


def _message(sender: str, mail: Mail) -> EmailMessage:
    """The MIME message: plain text alone, or multipart/alternative with the text part first
    (clients show the last alternative they can render, so HTML wins where it is supported)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    return message


@job("notifications.deliver_mail")
async def deliver_mail(mail_id: str) -> None:
    settings = current_runtime().settings
    async with current_database().transaction() as session:
        mail = await repository.get_mail(session, uuid.UUID(mail_id))
        if mail is None or mail.status == "sent":
            return
        message = _message(settings.mail_from, mail)
        mail.attempts += 1
        try:
            await asyncio.to_thread(_send_over_smtp, settings.smtp_url, message)
        except (OSError, smtplib.SMTPException) as error:
            mail.last_error = f"{type(error).__name__}: {error}"[:500]
            mail.status = "failed" if mail.attempts >= MAX_ATTEMPTS else "queued"
            return
        mail.status, mail.sent_at, mail.last_error = "sent", clock.now(), None


@periodic("notifications.retry_queued_mail", every=timedelta(minutes=1))
async def retry_queued_mail() -> None:
    created_before = clock.now() - RETRY_QUEUED_AFTER
    async with current_database().transaction() as session:
        mail_ids = await repository.list_queued_mail_ids(
            session, created_before=created_before, limit=RETRY_BATCH
        )
        for mail_id in mail_ids:
            enqueue(session, "notifications.deliver_mail", mail_id=str(mail_id))
