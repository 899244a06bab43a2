"""Reviews use cases. Adapters call exactly one of these per request."""

from mercato.reviews.service.moderation import (
    decide_review,
    get_review_for_staff,
    moderation_queue,
)
from mercato.reviews.service.reading import (
    list_listing_reviews,
    list_my_reviews,
    list_my_shop_reviews,
    list_seller_reviews,
    listing_rating,
    listing_ratings,
    low_rated_order_ids,
    order_reviews,
    seller_rating,
)
from mercato.reviews.service.writing import (
    create_review,
    edit_review,
    reply_to_review,
    report_review,
)

__all__ = [
    "create_review",
    "decide_review",
    "edit_review",
    "get_review_for_staff",
    "list_listing_reviews",
    "list_my_reviews",
    "list_my_shop_reviews",
    "list_seller_reviews",
    "listing_rating",
    "listing_ratings",
    "low_rated_order_ids",
    "moderation_queue",
    "order_reviews",
    "reply_to_review",
    "report_review",
    "seller_rating",
]
