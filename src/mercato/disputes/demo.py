"""The disputes part of the demo marketplace."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.storage import FileStore


async def seed_disputes_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed the disputes demo rows (idempotent)."""
