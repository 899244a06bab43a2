"""Appending to the audit chain and verifying it, on a real database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mercato.audit import record, service
from mercato.audit.calculations import EntryFields, entry_hash
from mercato.audit.models import GENESIS_HASH, AuditEntry
from mercato.audit.schemas import EntryFilter
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Forbidden, ValidationFailed
from tests.audit.conftest import ADMIN, SUPPORT, append, execute, verification


async def test_entries_chain_from_the_genesis_hash(runtime, frozen_clock):
    first = await append(
        runtime, "accounts.login", actor=ADMIN, subject_id="u1", ip_address="1.2.3.4"
    )
    frozen_clock.advance(timedelta(seconds=5))
    second = await append(runtime, "sellers.decision", detail={"decision": "approve"})
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert (first.actor_role, first.actor_email, first.ip_address) == (
        "admin",
        "admin@example.com",
        "1.2.3.4",
    )
    assert (second.actor_role, second.actor_id) == ("system", None)
    recomputed = entry_hash(
        EntryFields(
            seq=2,
            occurred_at=second.occurred_at,
            actor_id=None,
            actor_role="system",
            actor_email=None,
            action="sellers.decision",
            subject_type="thing",
            subject_id=None,
            detail={"decision": "approve"},
            request_id=None,
            ip_address=None,
            dedup_key=None,
            prev_hash=first.hash,
        )
    )
    assert second.hash == recomputed
    result = await verification(runtime)
    assert (result.ok, result.checked, result.last_seq, result.last_hash) == (
        True,
        2,
        2,
        second.hash,
    )


async def test_an_entry_rolls_back_with_the_action(runtime):
    with pytest.raises(RuntimeError):
        async with runtime.database.transaction() as session:
            await record(session, action="test.undone", subject_type="thing")
            raise RuntimeError("the action failed")
    async with runtime.database.reading() as session:
        count = (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one()
    assert count == 0
    assert (await append(runtime)).seq == 1  # the sequence did not advance either
    assert (await verification(runtime)).ok


async def test_secrets_in_the_detail_are_never_stored(runtime):
    entry = await append(
        runtime,
        detail={
            "email": "a@example.com",
            "password": "hunter22",
            "new_password": "x",
            "refresh_token": "t",
            "card": {"number": "4242"},
            "code": "123456",
            "company": "ACME",
            "nested": {"api_key": "k", "amount_minor": 100},
            "id": uuid.UUID(int=7),
        },
    )
    assert entry.detail == {
        "email": "a@example.com",
        "password": "[redacted]",
        "new_password": "[redacted]",
        "refresh_token": "[redacted]",
        "card": "[redacted]",
        "code": "[redacted]",
        "company": "ACME",
        "nested": {"api_key": "[redacted]", "amount_minor": 100},
        "id": "00000000-0000-0000-0000-000000000007",
    }


async def test_a_fact_reported_twice_is_recorded_once(runtime):
    first = await append(runtime, "payouts.payout_paid", dedup_key="payout:1")
    again = await append(runtime, "payouts.payout_paid", dedup_key="payout:1")
    other = await append(runtime, "payouts.payout_paid", dedup_key="payout:2")
    assert again.seq == first.seq == 1
    assert other.seq == 2


async def test_verify_names_an_edited_entry(runtime):
    for n in range(4):
        await append(runtime, detail={"n": n})
    await execute(runtime, "UPDATE audit_entry SET detail = :d WHERE seq = 3", d='{"n": 99}')
    result = await verification(runtime)
    assert result.ok is False
    assert result.checked == 2
    assert result.broken is not None
    assert (result.broken.seq, result.broken.problem) == (3, "hash_mismatch")


async def test_verify_names_a_rehashed_entry_by_its_successor(runtime):
    entries = [await append(runtime, detail={"n": n}) for n in range(3)]
    forged = entries[1].model_copy(update={"action": "test.forged"})
    fields = EntryFields(
        **{
            name: getattr(forged, name)
            for name in EntryFields.__dataclass_fields__
            if name != "dedup_key"
        },
        dedup_key=None,
    )
    await execute(
        runtime,
        "UPDATE audit_entry SET action = 'test.forged', hash = :h WHERE seq = 2",
        h=entry_hash(fields),
    )
    result = await verification(runtime)
    assert result.broken is not None
    assert (result.broken.seq, result.broken.problem) == (3, "prev_hash_mismatch")


async def test_verify_names_a_deleted_entry_as_a_gap(runtime):
    for n in range(4):
        await append(runtime, detail={"n": n})
    await execute(runtime, "DELETE FROM audit_entry WHERE seq = 2")
    result = await verification(runtime)
    assert result.broken is not None
    assert (result.broken.seq, result.broken.problem, result.checked) == (2, "gap", 1)


async def test_verify_notices_entries_cut_off_the_end(runtime):
    for n in range(3):
        await append(runtime, detail={"n": n})
    await execute(runtime, "DELETE FROM audit_entry WHERE seq = 3")
    result = await verification(runtime)
    assert result.broken is not None
    assert (result.broken.seq, result.broken.problem, result.checked) == (3, "gap", 2)


async def test_an_empty_chain_verifies(runtime):
    result = await verification(runtime)
    assert (result.ok, result.checked, result.last_hash) == (True, 0, GENESIS_HASH)


async def test_search_filters_and_pages_newest_first(runtime, frozen_clock):
    await append(runtime, "accounts.login", actor=ADMIN, subject_type="user", subject_id="a")
    await append(runtime, "accounts.logout", actor=SUPPORT, subject_type="user", subject_id="b")
    frozen_clock.advance(timedelta(days=2))
    await append(runtime, "accountsx.other", actor=ADMIN)
    await append(runtime, "sellers.decision", subject_type="seller", subject_id="s1")

    async def seqs(cursor=None, limit=50, **filters):
        async with runtime.database.reading() as session:
            page = await service.list_entries(
                session, ADMIN, EntryFilter(**filters), cursor=cursor, limit=limit
            )
        return [e.seq for e in page.items], page.next_cursor

    assert await seqs() == ([4, 3, 2, 1], None)
    assert await seqs(action="accounts.") == ([2, 1], None)
    assert await seqs(action="accounts") == ([3, 2, 1], None)
    assert await seqs(actor="ADMIN@example.com") == ([3, 1], None)
    assert await seqs(actor=str(SUPPORT.user_id)) == ([2], None)
    assert await seqs(actor="system") == ([4], None)
    assert await seqs(subject_type="user", subject_id="b") == ([2], None)
    today = frozen_clock.now().date()
    assert await seqs(since=today) == ([4, 3], None)
    assert await seqs(until=today - timedelta(days=1)) == ([2, 1], None)
    assert await seqs(limit=3) == ([4, 3, 2], "2")
    assert await seqs(cursor="2", limit=3) == ([1], None)
    with pytest.raises(ValidationFailed):
        await seqs(since=today, until=today - timedelta(days=1))
    with pytest.raises(ValidationFailed):
        await seqs(cursor="abc")


async def test_only_admins_search_and_verify(runtime):
    buyer = Principal(user_id=uuid.uuid4(), role=Role.BUYER)
    for principal in (SUPPORT, buyer):
        async with runtime.database.reading() as session:
            with pytest.raises(Forbidden):
                await service.list_entries(session, principal, EntryFilter())
            with pytest.raises(Forbidden):
                await service.verify_chain_as(session, principal)
