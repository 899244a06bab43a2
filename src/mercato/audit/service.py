"""Audit use cases: appending to the chain inside the caller's transaction, searching it, and
verifying it end to end."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.audit import repository
from mercato.audit.calculations import (
    Break,
    EntryFields,
    check_head,
    check_link,
    clean_detail,
    entry_hash,
)
from mercato.audit.models import GENESIS_HASH, AuditEntry
from mercato.audit.schemas import (
    AuditEntryOut,
    AuditPage,
    BrokenEntry,
    EntryFilter,
    VerificationOut,
)
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import ValidationFailed
from mercato.kit.pagination import clamp_limit

SYSTEM = "system"
ANONYMOUS = "anonymous"
VERIFY_BATCH = 1000


def _text(value: object, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def _request_id() -> str | None:
    # Bound by the request-id middleware for every log line of a request; absent in jobs.
    value = structlog.contextvars.get_contextvars().get("request_id")
    return _text(value, 64)


async def record(
    session: AsyncSession,
    *,
    action: str,
    subject_type: str,
    subject_id: object = None,
    actor: Principal | None = None,
    detail: Mapping[str, Any] | None = None,
    ip_address: str | None = None,
    request_id: str | None = None,
    dedup_key: str | None = None,
) -> AuditEntryOut:
    """Append one entry to the audit chain in the caller's transaction, so it commits or rolls
    back with the action it describes.

    ``actor`` is the principal who acted (None: the system; an anonymous principal with an
    email: someone who failed to sign in as that email). ``action`` is dotted
    (``sellers.decision``). ``detail`` is a small JSON object: keys naming secrets (password,
    token, card…) are redacted whatever their value. The request id is taken from the current
    request when not given. With ``dedup_key`` a fact reported twice (an event delivered again)
    returns the first entry instead of appending a second.

    The chain head stays locked until the caller's transaction ends: call this last in a unit
    of work, after the action's own writes."""
    if not action or len(action) > 200 or not subject_type or len(subject_type) > 50:
        raise ValueError("an audit entry needs an action (≤200) and a subject type (≤50)")
    cleaned = clean_detail(detail)
    head = await repository.lock_chain_head(session)
    if dedup_key is not None:
        existing = await repository.get_by_dedup_key(session, dedup_key[:200])
        if existing is not None:
            return AuditEntryOut.model_validate(existing)
    fields = EntryFields(
        seq=head.last_seq + 1,
        occurred_at=clock.now().astimezone(UTC),
        actor_id=actor.user_id if actor else None,
        actor_role=_role_of(actor),
        actor_email=_text(actor.email.lower(), 254) if actor and actor.email else None,
        action=action,
        subject_type=subject_type,
        subject_id=_text(subject_id, 100),
        detail=cleaned,
        request_id=_text(request_id, 64) or _request_id(),
        ip_address=_text(ip_address, 64),
        dedup_key=_text(dedup_key, 200),
        prev_hash=head.last_hash,
    )
    entry = AuditEntry(**vars(fields), hash=entry_hash(fields))
    repository.add(session, entry)
    head.last_seq, head.last_hash, head.updated_at = entry.seq, entry.hash, fields.occurred_at
    await session.flush()
    return AuditEntryOut.model_validate(entry)


def _role_of(actor: Principal | None) -> str:
    if actor is None:
        return SYSTEM
    if actor.role is None:
        return ANONYMOUS
    return actor.role.value


async def list_entries(
    session: AsyncSession,
    principal: Principal,
    filters: EntryFilter,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> AuditPage:
    """Entries matching every given filter, newest first: admins only."""
    principal.require_role(Role.ADMIN)
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationFailed.on("until", "The end date must not be before the start date.")
    limit = clamp_limit(limit)
    actor_id, actor_role, actor_email = _actor_filter(filters.actor)
    rows = await repository.list_entries(
        session,
        actor_id=actor_id,
        actor_role=actor_role,
        actor_email=actor_email,
        action_prefix=(filters.action or "").strip() or None,
        subject_type=(filters.subject_type or "").strip() or None,
        subject_id=(filters.subject_id or "").strip() or None,
        since=_midnight(filters.since),
        before=_midnight(filters.until, days_after=1),
        older_than=_decode_cursor(cursor),
        limit=limit + 1,
    )
    items = [AuditEntryOut.model_validate(row) for row in rows[:limit]]
    more = len(rows) > limit
    return AuditPage(items=items, next_cursor=str(items[-1].seq) if more and items else None)


def _actor_filter(actor: str | None) -> tuple[uuid.UUID | None, str | None, str | None]:
    """(user id, role, email): a user id, "system" / "anonymous", or an email."""
    value = (actor or "").strip()
    if not value:
        return None, None, None
    if value.lower() in (SYSTEM, ANONYMOUS):
        return None, value.lower(), None
    try:
        return uuid.UUID(value), None, None
    except ValueError:
        return None, None, value.lower()


def _midnight(day: Any, *, days_after: int = 0) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(days=days_after)


def _decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        raise ValidationFailed.on("cursor", "The cursor is not valid.")
    return int(cursor)


async def verify_chain(session: AsyncSession) -> VerificationOut:
    """Walk the whole chain in sequence order and report the first broken entry: a missing
    sequence number (gap), an entry not chained to its predecessor's hash, an entry whose
    content no longer matches its hash, or a chain that does not end where its head says."""
    previous_seq, previous_hash, checked = 0, GENESIS_HASH, 0
    while True:
        rows = await repository.entries_after(session, previous_seq, VERIFY_BATCH)
        for row in rows:
            fields = EntryFields(**{name: getattr(row, name) for name in _FIELD_NAMES})
            broken = check_link(fields, row.hash, previous_seq, previous_hash)
            if broken is not None:
                return _broken(checked, previous_seq, previous_hash, broken)
            previous_seq, previous_hash, checked = row.seq, row.hash, checked + 1
        if len(rows) < VERIFY_BATCH:
            break
    head = await repository.get_chain_head(session)
    if head is not None:
        broken = check_head(previous_seq, previous_hash, head.last_seq, head.last_hash)
        if broken is not None:
            return _broken(checked, previous_seq, previous_hash, broken)
    return VerificationOut(ok=True, checked=checked, last_seq=previous_seq, last_hash=previous_hash)


_FIELD_NAMES = tuple(EntryFields.__dataclass_fields__)


def _broken(checked: int, last_seq: int, last_hash: str, broken: Break) -> VerificationOut:
    return VerificationOut(
        ok=False,
        checked=checked,
        last_seq=last_seq,
        last_hash=last_hash,
        broken=BrokenEntry(seq=broken.seq, problem=broken.problem, message=broken.message),
    )


async def verify_chain_as(session: AsyncSession, principal: Principal) -> VerificationOut:
    """:func:`verify_chain` for the admin console and API: admins only."""
    principal.require_role(Role.ADMIN)
    return await verify_chain(session)
