"""Settlement use cases: escrow per paid order, its release to the seller, refunds, and the
ledger invariants they keep. Adapters call exactly one of these per request."""

from mercato.settlement.service import invariants as _invariants  # noqa: F401  (registers checks)
from mercato.settlement.service.escrow import (
    EscrowNotOpened,
    escrow_held_minor,
    escrow_of_order,
    freeze_by_admin,
    freeze_escrow,
    frozen_minor,
    get_escrow,
    list_escrows,
    mark_completed,
    open_escrow,
    unfreeze_by_admin,
    unfreeze_escrow,
)
from mercato.settlement.service.holds import (
    CompletedHold,
    hold_seller_choices,
    list_holds,
    order_hold_period,
    replay_holds,
    set_seller_hold,
)
from mercato.settlement.service.refunds import (
    NothingToRefund,
    list_order_refunds,
    list_refunds,
    refund_canceled_order,
    refund_key,
    refund_order,
    refunds_for_order,
)
from mercato.settlement.service.release import (
    EscrowFrozen,
    alert_near_horizon,
    due_escrows,
    escrows_near_horizon,
    release_due_escrow,
    release_key,
    release_now,
)

__all__ = [
    "CompletedHold",
    "EscrowFrozen",
    "EscrowNotOpened",
    "NothingToRefund",
    "alert_near_horizon",
    "due_escrows",
    "escrow_held_minor",
    "escrow_of_order",
    "escrows_near_horizon",
    "freeze_by_admin",
    "freeze_escrow",
    "frozen_minor",
    "get_escrow",
    "hold_seller_choices",
    "list_escrows",
    "list_holds",
    "list_order_refunds",
    "list_refunds",
    "mark_completed",
    "open_escrow",
    "order_hold_period",
    "refund_canceled_order",
    "refund_key",
    "refund_order",
    "refunds_for_order",
    "release_due_escrow",
    "release_key",
    "release_now",
    "replay_holds",
    "set_seller_hold",
    "unfreeze_by_admin",
    "unfreeze_escrow",
]
