"""Email delivery: the local outbox without SMTP, a real SMTP conversation with it."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select

from mercato.kit import jobs
from mercato.notifications import tasks as _registers_delivery_jobs  # noqa: F401
from mercato.notifications.models import Mail
from mercato.notifications.service import queue_email


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


async def stored(runtime) -> Mail:
    async with runtime.database.reading() as session:
        mail = (await session.execute(select(Mail))).scalar_one()
        session.expunge(mail)
        return mail


async def test_without_smtp_mail_goes_to_the_local_outbox(runtime):
    async with runtime.database.transaction() as session:
        await queue_email(session, "ann@example.com", "Hello", "Body text")
    mail = await stored(runtime)
    assert (mail.status, mail.to_address, mail.body_text) == (
        "outbox",
        "ann@example.com",
        "Body text",
    )


async def test_with_smtp_the_job_delivers_after_commit(runtime, smtp_server):
    controller, inbox = smtp_server
    runtime.settings.smtp_url = f"smtp://127.0.0.1:{controller.port}"
    async with runtime.database.transaction() as session:
        await queue_email(session, "ann@example.com", "Your order", "It shipped.")
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert (message["To"], message["Subject"]) == ("ann@example.com", "Your order")
    assert message.get_payload().strip() == "It shipped."
    mail = await stored(runtime)
    assert (mail.status, mail.attempts) == ("sent", 1)


async def test_rolled_back_mail_is_never_sent(runtime, smtp_server):
    controller, inbox = smtp_server
    runtime.settings.smtp_url = f"smtp://127.0.0.1:{controller.port}"
    with pytest.raises(RuntimeError):
        async with runtime.database.transaction() as session:
            await queue_email(session, "ann@example.com", "Never", "Rolled back.")
            raise RuntimeError("the change failed")
    assert inbox.messages == []


async def test_an_unreachable_smtp_server_keeps_the_mail_queued_with_the_error(runtime):
    runtime.settings.smtp_url = f"smtp://127.0.0.1:{free_port()}"
    async with runtime.database.transaction() as session:
        await queue_email(session, "ann@example.com", "Later", "Retry me.")
    mail = await stored(runtime)
    assert (mail.status, mail.attempts) == ("queued", 1)
    assert mail.last_error.startswith("ConnectionRefusedError")
    assert jobs.current_backend() is not None
