"""A changed listing's cached product page (it shows the stock count) is dropped right after
the catalog's commit, and its cached reviews right after a review of it changes."""

from __future__ import annotations

from mercato.catalog.events import ListingChanged, ListingsChanged, StockMoved
from mercato.kit.events import subscribe
from mercato.kit.runtime import current_runtime
from mercato.reviews.events import ReviewEdited, ReviewHidden, ReviewPublished, ReviewReplied
from mercato.storefront import service


@subscribe(ListingChanged)
@subscribe(StockMoved)
async def forget_changed_product(event: ListingChanged | StockMoved) -> None:
    await service.forget_product(current_runtime().cache, event.listing_id)


@subscribe(ListingsChanged)
async def forget_changed_products(event: ListingsChanged) -> None:
    cache = current_runtime().cache
    for listing_id in event.listing_ids:
        await service.forget_product(cache, listing_id)


@subscribe(ReviewPublished)
@subscribe(ReviewEdited)
@subscribe(ReviewHidden)
@subscribe(ReviewReplied)
async def forget_changed_reviews(
    event: ReviewPublished | ReviewEdited | ReviewHidden | ReviewReplied,
) -> None:
    await service.forget_reviews(current_runtime().cache, event.listing_id)
