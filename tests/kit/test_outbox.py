"""Transactional outbox: committed messages are delivered exactly once to their handler, rolled
back ones never; failures back off and retry; concurrent relays never deliver a message twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from mercato.kit.clock import FrozenClock
from mercato.kit.db import Database
from mercato.kit.jobs import run_job
from mercato.kit.outbox import (
    OutboxDelivery,
    OutboxMessage,
    RelayReport,
    add_message,
    outbox_handler,
    relay_outbox,
    retry_delay,
)
from mercato.kit.runtime import Runtime
from mercato.kit.scheduler import periodic_jobs

delivered: list[OutboxDelivery] = []
failures_left: dict[str, int] = {}


@outbox_handler("tests.order_placed")
async def on_order_placed(delivery: OutboxDelivery) -> None:
    reference = delivery.payload["reference"]
    if failures_left.get(reference, 0) > 0:
        failures_left[reference] -= 1
        raise ConnectionError(f"partner unreachable for {reference}")
    # Yield to the loop, as a real handler making a network call would: lets relays interleave.
    await asyncio.sleep(0.001)
    delivered.append(delivery)


@pytest.fixture(autouse=True)
def _reset_handler() -> None:
    delivered.clear()
    failures_left.clear()


async def load(database: Database, message_id: uuid.UUID) -> OutboxMessage:
    async with database.reading() as session:
        message = await session.get(OutboxMessage, message_id)
        assert message is not None
        session.expunge(message)  # keep its loaded values past the reading session's rollback
        return message


async def write(database: Database, *references: str) -> list[uuid.UUID]:
    async with database.transaction() as session:
        messages = [
            add_message(session, "tests.order_placed", {"reference": reference})
            for reference in references
        ]
    return [message.id for message in messages]


async def test_a_message_written_in_a_rolled_back_transaction_is_never_published(
    database: Database,
) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            add_message(session, "tests.order_placed", {"reference": "A-1"})
            await session.flush()
            raise RuntimeError("the order could not be placed")

    assert await relay_outbox(database) == RelayReport(published=0, failed=0)
    assert delivered == []


async def test_a_committed_message_is_published_exactly_once(
    database: Database, frozen_clock: FrozenClock
) -> None:
    [message_id] = await write(database, "A-1")

    assert await relay_outbox(database) == RelayReport(published=1, failed=0)
    frozen_clock.advance(timedelta(hours=1))
    assert await relay_outbox(database) == RelayReport(published=0, failed=0)

    assert [(d.id, d.topic, d.payload, d.attempt) for d in delivered] == [
        (message_id, "tests.order_placed", {"reference": "A-1"}, 1)
    ]
    message = await load(database, message_id)
    assert message.published_at == frozen_clock.now() - timedelta(hours=1)
    assert (message.attempts, message.last_error) == (1, None)


async def test_messages_are_delivered_oldest_first_in_batches(database: Database) -> None:
    await write(database, "A-1", "A-2", "A-3")

    assert await relay_outbox(database, batch=2) == RelayReport(published=2, failed=0)
    assert await relay_outbox(database, batch=2) == RelayReport(published=1, failed=0)
    assert [d.payload["reference"] for d in delivered] == ["A-1", "A-2", "A-3"]


async def test_a_failure_backs_off_and_is_retried_later(
    database: Database, frozen_clock: FrozenClock
) -> None:
    [message_id] = await write(database, "A-1")
    failures_left["A-1"] = 2
    failed_at = frozen_clock.now()

    assert await relay_outbox(database) == RelayReport(published=0, failed=1)
    message = await load(database, message_id)
    assert message.attempts == 1
    assert message.last_error == "ConnectionError: partner unreachable for A-1"
    assert message.available_at == failed_at + timedelta(seconds=2)
    assert message.published_at is None

    frozen_clock.advance(timedelta(seconds=1))
    assert await relay_outbox(database) == RelayReport(published=0, failed=0)  # not due yet
    frozen_clock.advance(timedelta(seconds=1))
    assert await relay_outbox(database) == RelayReport(published=0, failed=1)
    message = await load(database, message_id)
    assert message.attempts == 2
    assert message.available_at == frozen_clock.now() + timedelta(seconds=4)  # doubled

    frozen_clock.advance(timedelta(seconds=4))
    assert await relay_outbox(database) == RelayReport(published=1, failed=0)
    message = await load(database, message_id)
    assert (message.attempts, message.published_at) == (3, frozen_clock.now())
    assert [d.attempt for d in delivered] == [3]


async def test_a_message_nobody_handles_is_kept_and_retried(
    database: Database, frozen_clock: FrozenClock
) -> None:
    async with database.transaction() as session:
        message_id = add_message(session, "tests.nobody_listens", {"n": 1}).id

    assert await relay_outbox(database) == RelayReport(published=0, failed=1)
    message = await load(database, message_id)
    assert message.last_error == "no handler registered for topic 'tests.nobody_listens'"
    assert message.published_at is None
    assert message.available_at == frozen_clock.now() + timedelta(seconds=2)


def test_backoff_doubles_up_to_an_hour() -> None:
    delays = [retry_delay(attempts) for attempts in (1, 2, 3, 11, 12, 500)]
    assert delays == [
        timedelta(seconds=2),
        timedelta(seconds=4),
        timedelta(seconds=8),
        timedelta(seconds=2048),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


async def test_a_payload_that_is_not_json_is_refused_in_the_callers_transaction(
    database: Database,
) -> None:
    async with database.transaction() as session:
        with pytest.raises(TypeError):
            add_message(session, "tests.order_placed", {"at": object()})
        assert list(session.new) == []


def test_a_topic_has_one_handler() -> None:
    async def another(delivery: OutboxDelivery) -> None:
        del delivery

    with pytest.raises(ValueError, match="already has a handler"):
        outbox_handler("tests.order_placed")(another)


async def test_the_relay_is_a_periodic_job_every_two_seconds(
    runtime: Runtime, database: Database
) -> None:
    assert periodic_jobs()["kit.relay_outbox"].every == timedelta(seconds=2)
    await write(database, "A-1", "A-2")

    await run_job("kit.relay_outbox", {})

    assert [d.payload["reference"] for d in delivered] == ["A-1", "A-2"]


@pytest.fixture
async def committed_postgres(engine: AsyncEngine) -> AsyncIterator[Database]:
    """A real PostgreSQL pool: concurrent relays need their own connections and commits."""
    # The run's engine: it connects to this run's schema (the search path is set on it).
    database = Database(engine.url.render_as_string(hide_password=False), engine=engine)
    yield database
    async with database.transaction() as session:
        await session.execute(delete(OutboxMessage).where(OutboxMessage.topic.like("tests.%")))
    await database.dispose()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_concurrent_relays_on_postgresql_never_publish_a_message_twice(
    committed_postgres: Database,
) -> None:
    references = [f"C-{n:03}" for n in range(60)]
    message_ids = await write(committed_postgres, *references)

    async def relay_until_empty() -> int:
        published = 0
        while (report := await relay_outbox(committed_postgres, batch=7)).claimed:
            published += report.published
        return published

    totals = await asyncio.gather(*(relay_until_empty() for _ in range(4)))

    assert sum(totals) == len(references)
    assert sorted(d.id for d in delivered) == sorted(message_ids)  # each exactly once
    async with committed_postgres.reading() as session:
        unpublished = await session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.id.in_(message_ids), OutboxMessage.published_at.is_(None)
            )
        )
        assert list(unpublished) == []
