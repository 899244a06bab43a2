"""Domain events and jobs are released only after the unit of work commits."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mercato.kit import events, jobs
from mercato.kit.errors import Conflict


@dataclass(frozen=True)
class ThingHappened:
    name: str


received: list[str] = []


@events.subscribe(ThingHappened)
async def _remember(event: ThingHappened) -> None:
    received.append(event.name)


ran: list[str] = []


@jobs.job("tests.remember_job")
async def _remember_job(label: str) -> None:
    ran.append(label)


@pytest.fixture(autouse=True)
def _clear():
    received.clear()
    ran.clear()


async def test_events_and_jobs_dispatch_after_commit(runtime):
    async with runtime.database.transaction() as session:
        events.record(session, ThingHappened("committed"))
        jobs.enqueue(session, "tests.remember_job", label="committed")
        assert received == [] and ran == []
    assert received == ["committed"]
    assert ran == ["committed"]


async def test_events_and_jobs_are_dropped_on_rollback(runtime):
    with pytest.raises(RuntimeError):
        async with runtime.database.transaction() as session:
            events.record(session, ThingHappened("rolled back"))
            jobs.enqueue(session, "tests.remember_job", label="rolled back")
            raise RuntimeError("boom")
    assert received == [] and ran == []


async def test_a_refusal_that_keeps_changes_still_releases_events(runtime):
    with pytest.raises(Conflict):
        async with runtime.database.transaction() as session:
            events.record(session, ThingHappened("kept"))
            raise Conflict("refused", keep_changes=True)
    assert received == ["kept"]


async def test_a_failing_subscriber_does_not_stop_the_others(runtime):
    @events.subscribe(ThingHappened)
    async def _explode(event: ThingHappened) -> None:
        raise ValueError("subscriber bug")

    try:
        async with runtime.database.transaction() as session:
            events.record(session, ThingHappened("survives"))
        assert received == ["survives"]
    finally:
        events._handlers[ThingHappened].remove(_explode)


async def test_unknown_jobs_are_refused_at_enqueue(runtime):
    async with runtime.database.transaction() as session:
        with pytest.raises(LookupError):
            jobs.enqueue(session, "tests.no_such_job")
