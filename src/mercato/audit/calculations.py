"""Pure rules of the audit chain: what an entry may carry, its canonical serialization and
hash, and the check of one link of the chain. No I/O."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Detail keys naming secrets: their values are never stored, whatever a caller passes.
SECRET_MARKERS = (
    "password",
    "secret",
    "token",
    "totp",
    "recovery",
    "card_number",
    "cvv",
    "cvc",
    "iban",
    "authorization",
    "cookie",
    "api_key",
    "apikey",
)
# Short names that are secrets only as whole keys ("pan" is inside "company").
SECRET_KEYS = frozenset({"pan", "otp", "code", "card", "pin"})
REDACTED = "[redacted]"
MAX_DETAIL_CHARS = 4000
MAX_DEPTH = 4


@dataclass(frozen=True)
class EntryFields:
    """Everything an entry's hash covers, in the form it is stored."""

    seq: int
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_role: str
    actor_email: str | None
    action: str
    subject_type: str
    subject_id: str | None
    detail: Mapping[str, Any]
    request_id: str | None
    ip_address: str | None
    dedup_key: str | None
    prev_hash: str


def _is_secret(key: str) -> bool:
    lowered = key.lower()
    return lowered in SECRET_KEYS or any(marker in lowered for marker in SECRET_MARKERS)


def _clean(value: Any, depth: int) -> Any:
    if isinstance(value, Mapping):
        if depth >= MAX_DEPTH:
            return "[nested too deep]"
        return {
            str(key): REDACTED if _is_secret(str(key)) else _clean(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_clean(item, depth + 1) for item in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    # Floats do not survive every engine's JSON round trip exactly; nothing else is JSON.
    return str(value)


def clean_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """The detail as stored: secrets redacted, ids and times as text, bounded in size."""
    cleaned: dict[str, Any] = _clean(dict(detail or {}), 0)
    if len(canonical_json(cleaned)) > MAX_DETAIL_CHARS:
        raise ValueError(f"an audit detail is limited to {MAX_DETAIL_CHARS} characters")
    return cleaned


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_time(moment: datetime) -> str:
    """Microsecond UTC text: what every engine stores and gives back unchanged."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(fields: EntryFields) -> str:
    """SHA-256 over the canonical JSON of every field of the entry, ``prev_hash`` included."""
    document = {
        "seq": fields.seq,
        "occurred_at": canonical_time(fields.occurred_at),
        "actor_id": str(fields.actor_id) if fields.actor_id else None,
        "actor_role": fields.actor_role,
        "actor_email": fields.actor_email,
        "action": fields.action,
        "subject_type": fields.subject_type,
        "subject_id": fields.subject_id,
        "detail": fields.detail,
        "request_id": fields.request_id,
        "ip_address": fields.ip_address,
        "dedup_key": fields.dedup_key,
        "prev_hash": fields.prev_hash,
    }
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold."""

    seq: int
    problem: str  # gap | prev_hash_mismatch | hash_mismatch | head_mismatch
    message: str


def check_link(
    fields: EntryFields, stored_hash: str, previous_seq: int, previous_hash: str
) -> Break | None:
    """Whether the entry follows the previous one (``previous_seq`` 0 and the genesis hash for
    the first): no sequence gap, chained to its hash, and its own hash recomputes."""
    if fields.seq != previous_seq + 1:
        missing = previous_seq + 1
        return Break(
            missing,
            "gap",
            f"entry {missing} is missing: entry {previous_seq or 'genesis'} is followed by "
            f"entry {fields.seq}",
        )
    if fields.prev_hash != previous_hash:
        return Break(
            fields.seq,
            "prev_hash_mismatch",
            f"entry {fields.seq} does not chain to the hash of entry {previous_seq or 'genesis'}",
        )
    if entry_hash(fields) != stored_hash:
        return Break(
            fields.seq,
            "hash_mismatch",
            f"entry {fields.seq} was altered: its content no longer matches its hash",
        )
    return None


def check_head(last_seq: int, last_hash: str, head_seq: int, head_hash: str) -> Break | None:
    """The chain must end where its head says: entries cut off the end are detected here."""
    if head_seq > last_seq:
        missing = last_seq + 1
        return Break(
            missing,
            "gap",
            f"entries {missing} to {head_seq} are missing from the end of the chain",
        )
    if head_seq != last_seq or head_hash != last_hash:
        return Break(
            last_seq,
            "head_mismatch",
            f"the chain head names entry {head_seq}, but the chain ends at entry {last_seq}",
        )
    return None
