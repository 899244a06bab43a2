"""Reads and one hook for the money domains: a listing's category chain (commission rules on a
parent category match its children), a seller's live listing count, and the checks another
domain registers to run before a listing is published (a plan's listing limit)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.service._tree import root_path


@dataclass(frozen=True)
class ListingFacts:
    listing_id: uuid.UUID
    seller_id: uuid.UUID
    currency: str
    title: str
    category_ids: list[uuid.UUID]  # from the root down to the listing's own category


async def listing_facts(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ListingFacts]:
    """Owner, currency and category chain of each listing that exists."""
    if not listing_ids:
        return {}
    rows = await repository.listing_rows_brief(session, listing_ids)
    parents = await repository.category_parents(session, [row[4] for row in rows])
    return {
        listing_id: ListingFacts(
            listing_id, seller_id, currency, title, root_path(parents, category_id)
        )
        for listing_id, seller_id, currency, title, category_id in rows
    }


async def count_live_listings(session: AsyncSession, seller_id: uuid.UUID) -> int:
    """Listings of the seller that are on sale (published), hidden ones included."""
    return await repository.count_published_of_seller(session, seller_id)


PublishCheck = Callable[[AsyncSession, uuid.UUID, int], Awaitable[None]]
_publish_checks: list[PublishCheck] = []


def register_publish_check(check: PublishCheck) -> PublishCheck:
    """Run ``check(session, seller_id, live_listings)`` before a listing is published; it
    refuses by raising. Registered at import time by the domain that owns the rule."""
    if check not in _publish_checks:
        _publish_checks.append(check)
    return check


async def run_publish_checks(session: AsyncSession, seller_id: uuid.UUID) -> None:
    if not _publish_checks:
        return
    live = await count_live_listings(session, seller_id)
    for check in _publish_checks:
        await check(session, seller_id, live)
