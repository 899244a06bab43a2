"""Keeping the index current: every committed ``ListingChanged`` re-reads the listing from the
catalog in its own unit of work, right after the catalog's commit, then retires the cached
search results. A failure here is logged by the event dispatcher and repaired by the next change
or by ``mercato search reindex``. A published or hidden review refreshes the listing's rating
the same way."""

from __future__ import annotations

from mercato.catalog.events import ListingChanged, ListingsChanged, StockMoved
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.kit.runtime import current_runtime
from mercato.performance import listings_suppressed
from mercato.performance.events import SellerStandingChanged
from mercato.reviews.events import ReviewEdited, ReviewHidden, ReviewPublished
from mercato.search import service


@subscribe(ListingChanged)
async def reindex_changed_listing(event: ListingChanged) -> None:
    async with current_database().transaction() as session:
        await service.reindex_listing(session, event.listing_id)
    await service.invalidate_search_cache(current_runtime().cache)


@subscribe(StockMoved)
async def follow_availability(event: StockMoved) -> None:
    """Search indexes whether a listing is in stock, not how many: only a variant selling out
    or coming back re-reads it, so an ordinary sale costs the index nothing."""
    if event.availability_changed:
        await reindex_changed_listing(ListingChanged(event.listing_id))


REINDEX_BATCH = 500


@subscribe(ListingsChanged)
async def reindex_changed_listings(event: ListingsChanged) -> None:
    """A bulk change (an import): re-read the listings in batches, one unit of work each."""
    ids = list(event.listing_ids)
    for start in range(0, len(ids), REINDEX_BATCH):
        async with current_database().transaction() as session:
            await service.reindex_listings(session, ids[start : start + REINDEX_BATCH])
    await service.invalidate_search_cache(current_runtime().cache)


@subscribe(ReviewPublished)
@subscribe(ReviewEdited)
@subscribe(ReviewHidden)
async def refresh_reviewed_listing(event: ReviewPublished | ReviewEdited | ReviewHidden) -> None:
    """A review of the listing was published, edited or hidden: its rating in the index follows.
    The rating is re-read, not adjusted, so a repeated or late event changes nothing."""
    async with current_database().transaction() as session:
        await service.refresh_listing_rating(session, event.listing_id)
    await service.invalidate_search_cache(current_runtime().cache)


@subscribe(SellerStandingChanged)
async def follow_seller_standing(event: SellerStandingChanged) -> None:
    """The seller's performance standing changed: its listings leave (or come back to) the
    results. The standing is re-read, so a repeated or late event changes nothing."""
    async with current_database().transaction() as session:
        suppressed = await listings_suppressed(session, event.seller_id)
        await service.set_seller_suppressed(session, event.seller_id, suppressed)
    await service.invalidate_search_cache(current_runtime().cache)
