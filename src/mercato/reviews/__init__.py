"""Reviews and ratings: a verified buyer reviews each order line once (1-5 stars and text), the
seller replies once, anyone reports, staff moderate; aggregated ratings for products and
sellers.

Other domains use the events ``ReviewPublished`` / ``ReviewHidden``, the schemas, and the read
functions below (``low_rated_order_ids`` feeds the seller's order defect rate)."""

from mercato.reviews.events import ReviewHidden, ReviewPublished
from mercato.reviews.schemas import RatingSummary, ReviewList, ReviewOut
from mercato.reviews.service import (
    listing_rating,
    listing_ratings,
    low_rated_order_ids,
    seller_rating,
)

__all__ = [
    "RatingSummary",
    "ReviewHidden",
    "ReviewList",
    "ReviewOut",
    "ReviewPublished",
    "listing_rating",
    "listing_ratings",
    "low_rated_order_ids",
    "seller_rating",
]
