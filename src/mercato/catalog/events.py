"""Events the catalog publishes; other domains (search, caches) react to them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class ListingChanged:
    """A listing was created, edited, published, archived, hidden, restocked or re-priced, or
    its seller's ability to sell changed. Subscribers re-read it through the catalog service."""

    listing_id: uuid.UUID


@dataclass(frozen=True)
class StockMoved:
    """Checkouts took units of a listing's variant, or a cancellation gave them back. Every
    sale moves stock, so this is lighter than :class:`ListingChanged`: a cached page showing
    the count is dropped, and only ``availability_changed`` (a variant sold out or came back)
    concerns what search indexes."""

    listing_id: uuid.UUID
    availability_changed: bool


@dataclass(frozen=True)
class ListingsChanged:
    """Many listings changed in one unit of work (a bulk import): one event, so subscribers
    can re-read them in batches instead of one by one."""

    listing_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class CategoryChanged:
    """A category or one of its attributes was created, renamed, moved or removed: the category
    paths and attribute labels of the listings under it may read differently now."""

    category_id: uuid.UUID
