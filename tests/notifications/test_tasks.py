"""The periodic sweep that re-enqueues delivery of mail still queued after a minute."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from mercato.kit import jobs
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.kit.scheduler import periodic_jobs
from mercato.notifications import tasks
from mercato.notifications.models import Mail


class RecordingBackend:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send(self, name: str, kwargs: dict[str, Any]) -> None:
        self.sent.append((name, kwargs))


async def add_mail(runtime: Runtime, status: str, age: timedelta, clock: FrozenClock) -> Mail:
    async with runtime.database.transaction() as session:
        mail = Mail(
            to_address="ann@example.com",
            subject="Your order",
            body_text="It shipped.",
            status=status,
            attempts=1 if status == "queued" else 0,
            created_at=clock.now() - age,
        )
        session.add(mail)
    return mail


def test_the_sweep_runs_every_minute() -> None:
    assert periodic_jobs()["notifications.retry_queued_mail"].every == timedelta(minutes=1)


async def test_only_mail_still_queued_after_a_minute_is_enqueued_again(
    runtime: Runtime, frozen_clock: FrozenClock
) -> None:
    stuck = await add_mail(runtime, "queued", timedelta(minutes=5), frozen_clock)
    just_at_a_minute = await add_mail(runtime, "queued", timedelta(minutes=1), frozen_clock)
    await add_mail(runtime, "queued", timedelta(seconds=30), frozen_clock)  # its job may be pending
    for status in ("sent", "failed", "outbox"):
        await add_mail(runtime, status, timedelta(minutes=5), frozen_clock)
    backend = RecordingBackend()
    jobs.install_backend(backend)  # the runtime fixture puts the previous one back

    await jobs.run_job("notifications.retry_queued_mail", {})

    assert backend.sent == [("notifications.deliver_mail", {"mail_id": str(stuck.id)})]
    frozen_clock.advance(timedelta(microseconds=1))
    backend.sent.clear()
    await jobs.run_job("notifications.retry_queued_mail", {})
    assert [kwargs["mail_id"] for _, kwargs in backend.sent] == [
        str(stuck.id),
        str(just_at_a_minute.id),
    ]


async def test_a_mail_whose_first_attempt_failed_is_delivered_by_the_sweep(
    runtime: Runtime, frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered: list[EmailMessage] = []
    monkeypatch.setattr(tasks, "_send_over_smtp", lambda _url, message: delivered.append(message))
    mail = await add_mail(runtime, "queued", timedelta(minutes=2), frozen_clock)

    # The runtime fixture's eager backend runs each delivery right after the sweep commits.
    await jobs.run_job("notifications.retry_queued_mail", {})

    async with runtime.database.reading() as session:
        stored = (await session.execute(select(Mail).where(Mail.id == mail.id))).scalar_one()
        assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 2, frozen_clock.now())
    assert [message["Subject"] for message in delivered] == ["Your order"]
