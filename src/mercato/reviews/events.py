"""What the reviews domain announces after its commits. Search keeps each listing's rating
current from them; subscribers re-read the aggregate, so duplicates and any order converge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewPublished:
    """A review became visible: written by its buyer, or restored by staff."""

    review_id: uuid.UUID
    listing_id: uuid.UUID
    seller_id: uuid.UUID
    order_id: uuid.UUID
    rating: int


@dataclass(frozen=True)
class ReviewEdited:
    """The buyer changed a published review's stars or text: ratings re-read it."""

    review_id: uuid.UUID
    listing_id: uuid.UUID
    seller_id: uuid.UUID
    order_id: uuid.UUID
    rating: int
    previous_rating: int


@dataclass(frozen=True)
class ReviewHidden:
    """Staff hid a review: it no longer counts in any rating."""

    review_id: uuid.UUID
    listing_id: uuid.UUID
    seller_id: uuid.UUID
    order_id: uuid.UUID
    rating: int


@dataclass(frozen=True)
class ReviewReplied:
    """The seller answered a review: pages showing the review show the reply."""

    review_id: uuid.UUID
    listing_id: uuid.UUID
    seller_id: uuid.UUID
