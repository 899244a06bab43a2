"""Rows to response models."""

from __future__ import annotations

from datetime import datetime

from mercato.settlement.models import Escrow, Refund
from mercato.settlement.schemas import (
    EscrowLineOut,
    EscrowOut,
    EscrowStatus,
    RefundLineOut,
    RefundOut,
    RefundPhase,
    RefundStatus,
)


def is_due(escrow: Escrow, now: datetime) -> bool:
    return (
        escrow.status == EscrowStatus.RELEASABLE.value
        and escrow.frozen_at is None
        and escrow.release_after is not None
        and escrow.release_after <= now
    )


def escrow_out(escrow: Escrow, now: datetime, *, with_lines: bool = False) -> EscrowOut:
    open_ = escrow.status in (EscrowStatus.HELD.value, EscrowStatus.RELEASABLE.value)
    return EscrowOut(
        order_id=escrow.order_id,
        number=escrow.number,
        seller_id=escrow.seller_id,
        buyer_id=escrow.buyer_id,
        status=EscrowStatus(escrow.status),
        currency=escrow.currency,
        captured_minor=escrow.captured_minor,
        fee_minor=escrow.fee_minor,
        refunded_minor=escrow.refunded_minor,
        refunded_fee_minor=escrow.refunded_fee_minor,
        held_minor=escrow.captured_minor - escrow.refunded_minor if open_ else 0,
        released_minor=escrow.released_minor,
        released_fee_minor=escrow.released_fee_minor,
        paid_at=escrow.paid_at,
        completed_at=escrow.completed_at,
        release_after=escrow.release_after,
        released_at=escrow.released_at,
        frozen=escrow.frozen_at is not None,
        frozen_reason=escrow.frozen_reason,
        due=is_due(escrow, now),
        lines=[
            EscrowLineOut(
                line_id=line.line_id,
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                line_total_minor=line.line_total_minor,
                refunded_quantity=line.refunded_quantity,
                refunded_minor=line.refunded_minor,
                kept_minor=line.kept_minor,
            )
            for line in escrow.lines
        ]
        if with_lines
        else [],
    )


def refund_out(refund: Refund) -> RefundOut:
    return RefundOut(
        id=refund.id,
        order_id=refund.order_id,
        number=refund.number,
        seller_id=refund.seller_id,
        status=RefundStatus(refund.status),
        phase=RefundPhase(refund.phase),
        amount_minor=refund.amount_minor,
        fee_share_minor=refund.fee_share_minor,
        currency=refund.currency,
        reason=refund.reason,
        lines=[RefundLineOut.model_validate(line) for line in refund.lines],
        requested_role=refund.requested_role,
        created_at=refund.created_at,
        completed_at=refund.completed_at,
    )
