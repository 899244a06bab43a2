"""Events the governance domain publishes after its commits (the audit log records policy
changes from them; seller performance counts breaches). Subscribers must be idempotent (key
on ``version_id`` / ``breach_id`` / ``warning_id``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PolicyVersionDrafted:
    version_id: uuid.UUID
    kind: str
    version: int
    actor_user_id: uuid.UUID
    reason: str
    at: datetime


@dataclass(frozen=True)
class PolicyVersionActivated:
    version_id: uuid.UUID
    kind: str
    version: int
    actor_user_id: uuid.UUID
    effective_from: datetime
    reason: str
    at: datetime


@dataclass(frozen=True)
class TermsAccepted:
    user_id: uuid.UUID
    version_id: uuid.UUID
    version: int
    ip_address: str
    at: datetime


@dataclass(frozen=True)
class SlaBreached:
    breach_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    kind: str
    deadline: datetime
    detected_at: datetime


@dataclass(frozen=True)
class SellerWarned:
    warning_id: uuid.UUID
    seller_id: uuid.UUID
    breach_id: uuid.UUID | None
    message: str
    at: datetime
