"""Audit test helpers: principals and entries written in their own committed unit of work."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from mercato.audit import service
from mercato.audit.schemas import AuditEntryOut
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import Runtime

ADMIN = Principal(user_id=uuid.UUID(int=1), role=Role.ADMIN, email="admin@example.com")
SUPPORT = Principal(user_id=uuid.UUID(int=2), role=Role.SUPPORT, email="support@example.com")


async def append(runtime: Runtime, action: str = "test.thing", **options: Any) -> AuditEntryOut:
    options.setdefault("subject_type", "thing")
    async with runtime.database.transaction() as session:
        return await service.record(session, action=action, **options)


async def verification(runtime: Runtime):
    async with runtime.database.reading() as session:
        return await service.verify_chain(session)


async def execute(runtime: Runtime, sql: str, **params: Any) -> None:
    """Raw SQL, as someone tampering with the database directly would write it."""
    async with runtime.database.transaction() as session:
        await session.execute(text(sql), params)
