"""The audit tables, each prefixed ``audit_``: the append-only entries, hash-chained in sequence
order, and the one-row head of the chain that serializes appends (its row lock) and records the
last entry, so that cutting entries off the end of the chain is detected too."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.db import Base

# The hash the first entry chains to.
GENESIS_HASH = "0" * 64
CHAIN_HEAD_ID = 1


class AuditEntry(Base):
    """One audited fact. Never updated or deleted: ``hash`` is the SHA-256 of the canonical
    serialization of every other column (``prev_hash`` included), and ``prev_hash`` is the hash
    of the entry of sequence ``seq - 1``."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        CheckConstraint("seq >= 1", name="seq"),
        Index("ix_audit_entry_action", "action", "seq"),
        Index("ix_audit_entry_actor", "actor_id", "seq"),
        Index("ix_audit_entry_actor_email", "actor_email", "seq"),
        Index("ix_audit_entry_subject", "subject_type", "subject_id", "seq"),
        Index("ix_audit_entry_occurred", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    # Who: a user (id, role and email at the time), or "system" / "anonymous" with no id.
    actor_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    # A natural key for facts that may be reported more than once (events delivered at least
    # once): the second report finds the first entry instead of appending another.
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """The single row (``id`` 1) naming the chain's last entry; appends lock it first."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
