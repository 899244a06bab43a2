"""Settlement: each paid order's escrow, its release to the seller after completion (net to the
seller, commission to the platform, in one journal), refunds before and after release, and the
freeze a dispute puts on an order's money.

Other domains use the functions exported here: ``escrow_held_minor`` / ``frozen_minor``
(payouts), ``refunds_for_order`` / ``escrow_of_order`` (order pages), ``freeze_escrow`` /
``unfreeze_escrow`` (disputes), and the events ``EscrowReleased`` / ``RefundIssued`` /
``SellerHoldSet`` (the audit log).
"""

from mercato.settlement.events import EscrowReleased, RefundIssued, SellerHoldSet
from mercato.settlement.schemas import EscrowOut, EscrowStatus, RefundOut, RefundStatus
from mercato.settlement.service import (
    EscrowFrozen,
    escrow_held_minor,
    escrow_of_order,
    freeze_escrow,
    frozen_minor,
    refunds_for_order,
    unfreeze_escrow,
)

__all__ = [
    "EscrowFrozen",
    "EscrowOut",
    "EscrowReleased",
    "EscrowStatus",
    "RefundIssued",
    "RefundOut",
    "RefundStatus",
    "SellerHoldSet",
    "escrow_held_minor",
    "escrow_of_order",
    "freeze_escrow",
    "frozen_minor",
    "refunds_for_order",
    "unfreeze_escrow",
]
