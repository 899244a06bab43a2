"""The audit part of the demo marketplace."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.storage import FileStore


async def seed_audit_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed the audit demo rows (idempotent)."""
