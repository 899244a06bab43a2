"""The sandbox's webhook delivery runs claim the events they send: two runs at once send
disjoint events, a claimed event waits for its lease, a failed delivery is retried next run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mercato.kit.errors import NotFound
from mercato.kit.runtime import Runtime
from mercato.payments.models import SandboxEvent
from mercato.payments.providers.sandbox.provider import DELIVERY_LEASE, MAX_DELIVERY_ATTEMPTS
from mercato.payments.service import pending_sandbox_deliveries, record_sandbox_delivery


async def _events(runtime: Runtime, count: int) -> list[str]:
    ids = [f"evt_{index:04d}" for index in range(count)]
    async with runtime.database.transaction() as session:
        for event_id in ids:
            session.add(
                SandboxEvent(id=event_id, type="test", payload={"id": event_id}, attempts=0)
            )
    return ids


async def _claim(runtime: Runtime) -> list[str]:
    async with runtime.database.transaction() as session:
        return [delivery.event_id for delivery in await pending_sandbox_deliveries(session)]


async def test_two_runs_take_disjoint_events_and_a_lapsed_lease_frees_them(
    runtime: Runtime, frozen_clock
):
    ids = await _events(runtime, 3)
    assert await _claim(runtime) == ids
    assert await _claim(runtime) == []  # a second run at the same time finds nothing to send
    frozen_clock.advance(DELIVERY_LEASE + timedelta(seconds=1))
    assert await _claim(runtime) == ids  # the first run died: another one sends them


async def test_a_failed_delivery_is_retried_by_the_next_run_and_a_success_is_final(
    runtime: Runtime, frozen_clock
):
    first, second = await _events(runtime, 2)
    assert await _claim(runtime) == [first, second]
    async with runtime.database.transaction() as session:
        await record_sandbox_delivery(session, first, 200)
        await record_sandbox_delivery(session, second, 500)
    assert await _claim(runtime) == [second]
    async with runtime.database.reading() as session:
        rows = (await session.execute(select(SandboxEvent).order_by(SandboxEvent.id))).scalars()
        assert [(e.attempts, e.last_status, e.delivered_at is not None) for e in rows] == [
            (1, 200, True),
            (1, 500, False),
        ]


async def test_a_delivery_failing_at_every_attempt_is_abandoned_at_the_last(
    runtime: Runtime, frozen_clock
):
    (event_id,) = await _events(runtime, 1)
    for attempt in range(1, MAX_DELIVERY_ATTEMPTS + 1):
        assert await _claim(runtime) == [event_id], f"attempt {attempt}"
        async with runtime.database.transaction() as session:
            await record_sandbox_delivery(session, event_id, 503)
    assert await _claim(runtime) == []  # given up: no run sends it again
    async with runtime.database.reading() as session:
        event = await session.get(SandboxEvent, event_id)
        assert event is not None
        assert (event.attempts, event.last_status) == (MAX_DELIVERY_ATTEMPTS, 503)
        assert event.abandoned_at is not None and event.delivered_at is None
        assert event.claimed_until is None


async def test_recording_an_unknown_event_is_not_found(runtime: Runtime):
    with pytest.raises(NotFound):
        async with runtime.database.transaction() as session:
            await record_sandbox_delivery(session, "evt_missing", 200)
