"""Audit request and response models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_role: str
    actor_email: str | None
    action: str
    subject_type: str
    subject_id: str | None
    detail: dict[str, Any]
    request_id: str | None
    ip_address: str | None
    prev_hash: str
    hash: str

    @property
    def hash_prefix(self) -> str:
        return self.hash[:12]


class AuditPage(BaseModel):
    """Entries newest first; ``next_cursor`` fetches the older ones."""

    items: list[AuditEntryOut]
    next_cursor: str | None = None


class EntryFilter(BaseModel):
    """What the console searches by; every field optional, all of them combined."""

    actor: str | None = Field(
        None, max_length=254, description="An actor's email, user id, or 'system' / 'anonymous'."
    )
    action: str | None = Field(None, max_length=200, description="An action prefix: accounts.")
    subject_type: str | None = Field(None, max_length=50)
    subject_id: str | None = Field(None, max_length=100)
    since: date | None = Field(None, description="From this day (UTC), inclusive.")
    until: date | None = Field(None, description="Up to this day (UTC), inclusive.")


class BrokenEntry(BaseModel):
    seq: int
    problem: str = Field(description="gap | prev_hash_mismatch | hash_mismatch | head_mismatch")
    message: str


class VerificationOut(BaseModel):
    """The result of walking the whole chain: ``ok`` with the count, or the first break."""

    ok: bool
    checked: int
    last_seq: int
    last_hash: str
    broken: BrokenEntry | None = None
