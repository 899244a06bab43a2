"""The reviews part of the demo marketplace."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.storage import FileStore


async def seed_reviews_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed the reviews demo rows (idempotent)."""
