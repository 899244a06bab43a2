"""Keeping the index current: every committed ``ListingChanged`` re-reads the listing from the
catalog in its own unit of work, right after the catalog's commit, then retires the cached
search results. A failure here is logged by the event dispatcher and repaired by the next change
or by ``mercato search reindex``."""

from __future__ import annotations

from mercato.catalog.events import ListingChanged
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.kit.runtime import current_runtime
from mercato.search import service


@subscribe(ListingChanged)
async def reindex_changed_listing(event: ListingChanged) -> None:
    async with current_database().transaction() as session:
        await service.reindex_listing(session, event.listing_id)
    await service.invalidate_search_cache(current_runtime().cache)
