"""Keeping the index current: every committed ``ListingChanged`` re-reads the listing from the
catalog in its own unit of work, right after the catalog's commit, then retires the cached
search results. A failure here is logged by the event dispatcher and repaired by the next change
or by ``mercato search reindex``."""

from __future__ import annotations

from mercato.catalog.events import ListingChanged, ListingsChanged
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.kit.runtime import current_runtime
from mercato.search import service


@subscribe(ListingChanged)
async def reindex_changed_listing(event: ListingChanged) -> None:
    async with current_database().transaction() as session:
        await service.reindex_listing(session, event.listing_id)
    await service.invalidate_search_cache(current_runtime().cache)


REINDEX_BATCH = 500


@subscribe(ListingsChanged)
async def reindex_changed_listings(event: ListingsChanged) -> None:
    """A bulk change (an import): re-read the listings in batches, one unit of work each."""
    ids = list(event.listing_ids)
    for start in range(0, len(ids), REINDEX_BATCH):
        async with current_database().transaction() as session:
            await service.reindex_listings(session, ids[start : start + REINDEX_BATCH])
    await service.invalidate_search_cache(current_runtime().cache)
