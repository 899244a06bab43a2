"""Who may review what, as pure rules."""

from __future__ import annotations

from mercato.orders.schemas import OrderStatus

# The buyer has the goods (delivered) or confirmed the service was done (confirmed); completed
# follows both. Earlier, there is nothing to judge yet; a cancelled order was never received.
REVIEWABLE_STATUSES = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.CONFIRMED, OrderStatus.COMPLETED}
)


def may_review(status: OrderStatus) -> bool:
    """Whether the lines of an order in ``status`` may be reviewed by its buyer."""
    return status in REVIEWABLE_STATUSES
