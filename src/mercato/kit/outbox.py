"""Transactional outbox: messages that must survive a crash or leave the process.

A service writes a message with :func:`add_message` in its own unit of work, so the message exists
if and only if the change it announces was committed. The relay (:func:`relay_outbox`, run every
two seconds as the periodic job ``kit.relay_outbox``) hands each committed message to the handler
registered for its topic with :func:`outbox_handler`, at least once:

- Claiming is one ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`` that
  moves ``available_at`` a lease ahead, so concurrent relays take disjoint batches (on SQLite the
  single statement holds the one write lock) and nobody takes a claimed message while its lease
  runs. Handlers run outside any transaction: no row lock or open transaction is held across a
  call to a partner, and a handler may open its own unit of work (on SQLite it could not while
  the relay held the write lock).
- A handler is cancelled after ``HANDLER_TIMEOUT``, well inside the lease, so a slow handler cannot
  outlive its claim and see the message delivered a second time by another relay.
- Success sets ``published_at``; failure (or a topic nobody handles) records ``last_error`` and
  makes the message available again after an exponential backoff. A message is never dropped.
  The outcome is written only if the claim is still ours (``available_at`` still equals the lease).

A crash between a handler's success and the write of ``published_at`` delivers the message again
after the lease, so handlers must be idempotent; :attr:`OutboxDelivery.id` is a natural key.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import JSON, CursorResult, Index, String, Text, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit import clock
from mercato.kit.db import Base, Database, IdMixin, after_commit, current_database
from mercato.kit.events import publish
from mercato.kit.ids import new_id
from mercato.kit.scheduler import periodic

log = structlog.get_logger(__name__)

RELAY_BATCH = 100
# One relay run drains a backlog up to this many batches before yielding to other jobs.
MAX_BATCHES_PER_RUN = 20
CLAIM_LEASE = timedelta(minutes=5)
HANDLER_TIMEOUT = timedelta(minutes=1)
FIRST_RETRY_DELAY = timedelta(seconds=2)
LONGEST_RETRY_DELAY = timedelta(hours=1)
ERROR_TEXT_LIMIT = 2000


class OutboxMessage(IdMixin, Base):
    __tablename__ = "kit_outbox_message"
    # The relay's query reads only pending messages in available_at order; a partial index keeps
    # it small however many published messages accumulate.
    __table_args__ = (
        Index(
            "ix_kit_outbox_message_pending",
            "available_at",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )

    topic: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    available_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]


@dataclass(frozen=True)
class OutboxDelivery:
    """What a handler receives. ``attempt`` is 1 on the first delivery."""

    id: uuid.UUID
    topic: str
    payload: dict[str, Any]
    created_at: datetime
    attempt: int


@dataclass(frozen=True)
class RelayReport:
    published: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.published + self.failed


OutboxHandler = Callable[[OutboxDelivery], Awaitable[None]]
_handlers: dict[str, OutboxHandler] = {}


def outbox_handler(topic: str) -> Callable[[OutboxHandler], OutboxHandler]:
    """Register the decorated coroutine function as the one handler of ``topic``.

    One handler per topic keeps "delivered" meaning one thing; a handler that must reach
    several consumers fans out itself (for instance by enqueuing a job per consumer).
    """

    def register(handler: OutboxHandler) -> OutboxHandler:
        existing = _handlers.get(topic)
        if existing is not None and existing is not handler:
            raise ValueError(f"outbox topic {topic!r} already has a handler")
        _handlers[topic] = handler
        return handler

    return register


def add_message(
    session: AsyncSession,
    topic: str,
    payload: dict[str, Any],
    *,
    delay: timedelta = timedelta(0),
) -> OutboxMessage:
    """Write a message in the caller's unit of work: it exists only if that unit commits.
    ``delay`` keeps the relay away for a while, for messages that are first delivered in
    process and kept here only as the durable backstop (see :func:`mark_published`)."""
    # Round-tripping through JSON rejects what the column could not store now, inside the
    # caller's transaction, and snapshots the payload against later mutation by the caller.
    snapshot: dict[str, Any] = json.loads(json.dumps(payload))
    now = clock.now()
    message = OutboxMessage(
        id=new_id(),
        topic=topic,
        payload=snapshot,
        created_at=now,
        available_at=now + delay,
        attempts=0,
    )
    session.add(message)
    return message


# How long a durably announced event waits before the relay delivers it again: enough for the
# in-process dispatch right after the commit to finish and mark it published.
ANNOUNCE_GRACE = timedelta(minutes=1)


def announce(session: AsyncSession, event: Any, topic: str, payload: dict[str, Any]) -> None:
    """Publish a domain event that must never be lost (money follows it): in process right after
    the commit, with an outbox message written in the same transaction as the durable backstop.

    The message becomes due only after :data:`ANNOUNCE_GRACE`. Once every subscriber handled the
    in-process dispatch it is marked published and the relay skips it; if the process dies first
    or a subscriber fails, the relay hands it to the topic's handler (which republishes the event,
    see :func:`republish`). Subscribers therefore see each event at least once.
    """
    message_id = add_message(session, topic, payload, delay=ANNOUNCE_GRACE).id

    async def dispatch() -> None:
        if not await publish(event):
            return  # the relay delivers it again after the grace period
        try:
            await mark_published(current_database(), message_id)
        except Exception:
            # Harmless: the relay dispatches the event once more after the grace period.
            log.warning("outbox.announce_not_marked", message_id=str(message_id), exc_info=True)

    after_commit(session, dispatch)


async def republish(event: Any) -> None:
    """The outbox handler of an announced event: publish it again; raise (so the relay retries
    later) when a subscriber failed."""
    if not await publish(event):
        raise RuntimeError(f"a subscriber of {type(event).__name__} failed; retrying later")


async def mark_published(database: Database, message_id: uuid.UUID) -> None:
    """Record that a message was delivered some other way, so the relay skips it."""
    async with database.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.published_at.is_(None))
            .values(published_at=clock.now(), attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )


def retry_delay(attempts: int) -> timedelta:
    """Backoff after ``attempts`` failed deliveries: 2 s, 4 s, 8 s ... at most an hour."""
    doublings = min(max(attempts - 1, 0), 20)  # bounded: timedelta overflows past ~2**40 s
    return min(FIRST_RETRY_DELAY * (1 << doublings), LONGEST_RETRY_DELAY)


async def relay_outbox(database: Database, batch: int = RELAY_BATCH) -> RelayReport:
    """Claim up to ``batch`` due messages, hand each to its handler and record the outcome."""
    deliveries, lease_until = await _claim(database, batch)
    published = failed = 0
    for delivery in deliveries:
        error = await _deliver(delivery)
        await _settle(database, delivery, lease_until, error)
        if error is None:
            published += 1
        else:
            failed += 1
    return RelayReport(published=published, failed=failed)


@periodic("kit.relay_outbox", every=timedelta(seconds=2))
async def relay_outbox_job() -> None:
    database = current_database()
    for _ in range(MAX_BATCHES_PER_RUN):
        report = await relay_outbox(database)
        if report.claimed < RELAY_BATCH:
            return


async def _claim(database: Database, batch: int) -> tuple[list[OutboxDelivery], datetime]:
    now = clock.now()
    lease_until = now + CLAIM_LEASE
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.published_at.is_(None), OutboxMessage.available_at <= now)
        .order_by(OutboxMessage.available_at, OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer and no such clause
    )
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(available_at=lease_until)
        .returning(
            OutboxMessage.id,
            OutboxMessage.topic,
            OutboxMessage.payload,
            OutboxMessage.created_at,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    async with database.transaction() as session:
        rows = (await session.execute(statement)).all()
    deliveries = [
        OutboxDelivery(
            id=row.id,
            topic=row.topic,
            payload=row.payload,
            created_at=row.created_at,
            attempt=row.attempts + 1,
        )
        for row in rows
    ]
    # RETURNING gives no order; deliver oldest first.
    return sorted(deliveries, key=lambda delivery: delivery.id), lease_until


async def _deliver(delivery: OutboxDelivery) -> str | None:
    """Run the topic's handler; the error text on failure, None on success."""
    handler = _handlers.get(delivery.topic)
    if handler is None:
        return f"no handler registered for topic {delivery.topic!r}"
    deadline = asyncio.timeout(HANDLER_TIMEOUT.total_seconds())
    try:
        async with deadline:
            await handler(delivery)
    except Exception as error:
        log.warning(
            "outbox.delivery_failed",
            message_id=str(delivery.id),
            topic=delivery.topic,
            attempt=delivery.attempt,
            exc_info=True,
        )
        if deadline.expired():
            return f"handler did not finish within {HANDLER_TIMEOUT}"
        return f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT]
    return None


async def _settle(
    database: Database, delivery: OutboxDelivery, lease_until: datetime, error: str | None
) -> None:
    now = clock.now()
    values: dict[str, Any] = {"attempts": delivery.attempt}
    if error is None:
        values["published_at"] = now
    else:
        values["last_error"] = error
        values["available_at"] = now + retry_delay(delivery.attempt)
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.id == delivery.id,
            OutboxMessage.available_at == lease_until,
            OutboxMessage.published_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    async with database.transaction() as session:
        result = cast(CursorResult[Any], await session.execute(statement))
    if result.rowcount == 0:
        # Only possible if the lease ran out mid-delivery (a stalled process): another relay owns
        # the message now and will record its own outcome.
        log.warning("outbox.claim_lost", message_id=str(delivery.id), topic=delivery.topic)


__all__ = [
    "OutboxDelivery",
    "OutboxHandler",
    "OutboxMessage",
    "RelayReport",
    "add_message",
    "mark_published",
    "outbox_handler",
    "relay_outbox",
    "retry_delay",
]
