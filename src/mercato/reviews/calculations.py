"""Rating arithmetic, exact on integers: an average is kept in tenths of a star (45 = 4.5),
rounded half up from the integer sum, never through a float."""

from __future__ import annotations

LOW_RATING = 2  # a review of 1 or 2 stars counts as a defect in the seller's performance


def average_tenths(rating_sum: int, rating_count: int) -> int:
    """The average of ``rating_count`` ratings summing to ``rating_sum``, in tenths of a star
    rounded half up (0 when there is none)."""
    if rating_count <= 0:
        return 0
    return (rating_sum * 20 + rating_count) // (rating_count * 2)
