"""The pure respond-by rule: which buyer messages of a thread open a deadline, when each is due
and reminded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from mercato.governance.calculations import (
    DEFAULT_SLA,
    ThreadEntry,
    respond_deadlines,
    terms_from_parameters,
)

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TERMS = terms_from_parameters(DEFAULT_SLA)  # reply within 24 h, reminded 12 h before


def thread(*steps: tuple[str, float]) -> list[ThreadEntry]:
    """Messages (author, hours after the start), in order."""
    return [
        ThreadEntry(uuid.UUID(int=index), author, START + timedelta(hours=hours))
        for index, (author, hours) in enumerate(steps)
    ]


def opened(entries: list[ThreadEntry]) -> list[int]:
    return [found.message_id.int for found in respond_deadlines(entries, TERMS)]


def test_a_buyer_message_opens_a_deadline_due_a_day_later():
    [deadline] = respond_deadlines(thread(("buyer", 0)), TERMS)
    assert deadline.message_id == uuid.UUID(int=0)
    assert (deadline.opened_at, deadline.due_at, deadline.remind_at) == (
        START,
        START + timedelta(hours=24),
        START + timedelta(hours=12),
    )


def test_follow_ups_join_the_running_deadline_until_the_seller_replies():
    assert opened(thread(("buyer", 0), ("buyer", 2), ("buyer", 23.9))) == [0]
    assert opened(thread(("buyer", 0), ("seller", 1), ("buyer", 2), ("buyer", 3))) == [0, 2]


def test_the_seller_writing_first_opens_nothing():
    assert opened(thread(("seller", 0), ("seller", 1))) == []
    assert opened(thread(("seller", 0), ("buyer", 1))) == [1]


def test_a_buyer_still_writing_after_an_unanswered_deadline_opens_the_next():
    assert opened(thread(("buyer", 0), ("buyer", 24), ("buyer", 30), ("buyer", 48))) == [0, 1, 3]


def test_no_reminder_when_it_would_come_before_the_message():
    short = terms_from_parameters(DEFAULT_SLA | {"respond_within_hours": 6})
    [deadline] = respond_deadlines(thread(("buyer", 0)), short)
    assert deadline.due_at == START + timedelta(hours=6) and deadline.remind_at is None


@given(
    st.lists(
        st.tuples(st.sampled_from(["buyer", "seller"]), st.integers(0, 200)),
        max_size=30,
    )
)
def test_every_buyer_message_is_covered_by_exactly_the_latest_deadline(
    steps: list[tuple[str, int]],
):
    """Each buyer message falls under one deadline opened at or before it, since the seller's
    last message and due after it; deadlines never overlap."""
    entries = thread(*sorted(steps, key=lambda step: step[1]))
    found = respond_deadlines(entries, TERMS)
    by_id = {deadline.message_id: deadline for deadline in found}
    assert all(entry.author == "buyer" for entry in entries if entry.message_id in by_id)
    for earlier, later in pairwise(found):
        assert later.opened_at >= earlier.opened_at
    last_seller: datetime | None = None
    current = None
    for entry in entries:
        if entry.author == "seller":
            last_seller, current = entry.created_at, None
            continue
        if entry.message_id in by_id:
            current = by_id[entry.message_id]
        assert current is not None
        assert current.opened_at <= entry.created_at < current.due_at
        assert last_seller is None or current.opened_at >= last_seller
