"""The money movement references: each payment, escrow release, refund and payout outcome
becomes an audit entry naming its id, journal and amount, written by the system; so do policy
changes and the sellers' own hold periods (in the name of the admin who made them) and the
admin's decisions on disputes.

Payments announce their events durably (the outbox delivers them again after a crash or when a
subscriber failed); settlement and payouts publish theirs after their commit. Every handler
keys its entry on the event's natural id, so a redelivered event appends nothing."""

from __future__ import annotations

import uuid
from typing import Any

from mercato.audit import service
from mercato.disputes.events import DisputeDecided
from mercato.governance import PolicyVersionActivated, PolicyVersionDrafted
from mercato.kit.auth import Principal, Role
from mercato.kit.db import current_database
from mercato.kit.events import subscribe
from mercato.payments import PaymentFailed, PaymentSucceeded
from mercato.payouts import PayoutFailed, PayoutPaid
from mercato.settlement import EscrowReleased, RefundIssued, SellerHoldSet


async def _record_system(
    action: str, subject_type: str, subject_id: object, detail: dict[str, Any], key: str
) -> None:
    async with current_database().transaction(writes=True) as session:
        await service.record(
            session,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
            dedup_key=f"{action}:{key}",
        )


@subscribe(PaymentSucceeded)
async def payment_succeeded(event: PaymentSucceeded) -> None:
    detail = {
        "journal_id": event.journal_id,
        "amount_minor": event.amount_minor,
        "currency": event.currency,
        "payer_id": event.payer_id,
        "purpose": event.purpose_reference,
    }
    await _record_system(
        "payments.payment_succeeded", "payment", event.payment_id, detail, str(event.payment_id)
    )


@subscribe(PaymentFailed)
async def payment_failed(event: PaymentFailed) -> None:
    detail = {
        "status": event.status,
        "failure_code": event.failure_code,
        "payer_id": event.payer_id,
        "purpose": event.purpose_reference,
    }
    await _record_system(
        "payments.payment_failed", "payment", event.payment_id, detail, str(event.payment_id)
    )


@subscribe(EscrowReleased)
async def escrow_released(event: EscrowReleased) -> None:
    detail = {
        "journal_id": event.journal_id,
        "seller_id": event.seller_id,
        "gross_minor": event.gross_minor,
        "fee_minor": event.fee_minor,
        "net_minor": event.gross_minor - event.fee_minor,
        "currency": event.currency,
        "released_at": event.released_at,
    }
    await _record_system(
        "settlement.escrow_released", "order", event.order_id, detail, str(event.journal_id)
    )


@subscribe(RefundIssued)
async def refund_issued(event: RefundIssued) -> None:
    detail = {
        "order_id": event.order_id,
        "seller_id": event.seller_id,
        "buyer_id": event.buyer_id,
        "amount_minor": event.amount_minor,
        "fee_share_minor": event.fee_share_minor,
        "currency": event.currency,
        "phase": event.phase,
    }
    await _record_system(
        "settlement.refund_issued", "refund", event.refund_id, detail, str(event.refund_id)
    )


@subscribe(PayoutPaid)
async def payout_paid(event: PayoutPaid) -> None:
    detail = {
        "seller_id": event.seller_id,
        "amount_minor": event.amount_minor,
        "currency": event.currency,
    }
    await _record_system(
        "payouts.payout_paid", "payout", event.payout_id, detail, str(event.payout_id)
    )


@subscribe(PayoutFailed)
async def payout_failed(event: PayoutFailed) -> None:
    detail = {
        "seller_id": event.seller_id,
        "amount_minor": event.amount_minor,
        "currency": event.currency,
        "failure_message": event.failure_message[:300],
    }
    await _record_system(
        "payouts.payout_failed", "payout", event.payout_id, detail, str(event.payout_id)
    )


# --- policy changes and decisions that move money -------------------------------------------


async def _record_by(
    actor_user_id: uuid.UUID,
    action: str,
    subject: tuple[str, object],
    detail: dict[str, Any],
    key: str,
) -> None:
    """An entry in the name of the admin who acted (the event names them)."""
    admin = Principal(user_id=actor_user_id, role=Role.ADMIN)
    async with current_database().transaction(writes=True) as session:
        await service.record(
            session,
            action=action,
            subject_type=subject[0],
            subject_id=subject[1],
            actor=admin,
            detail=detail,
            dedup_key=f"{action}:{key}",
        )


@subscribe(PolicyVersionDrafted)
async def policy_drafted(event: PolicyVersionDrafted) -> None:
    detail = {"kind": event.kind, "version": event.version, "reason": event.reason}
    subject = ("policy_version", event.version_id)
    await _record_by(
        event.actor_user_id, "governance.policy_drafted", subject, detail, str(event.version_id)
    )


@subscribe(PolicyVersionActivated)
async def policy_activated(event: PolicyVersionActivated) -> None:
    detail = {
        "kind": event.kind,
        "version": event.version,
        "effective_from": event.effective_from,
        "reason": event.reason,
    }
    subject = ("policy_version", event.version_id)
    await _record_by(
        event.actor_user_id, "governance.policy_activated", subject, detail, str(event.version_id)
    )


@subscribe(SellerHoldSet)
async def seller_hold_set(event: SellerHoldSet) -> None:
    detail = {
        "hold_days": event.hold_days,
        "previous_days": event.previous_days,
        "reason": event.reason,
    }
    subject = ("seller", event.seller_id)
    key = f"{event.seller_id}:{event.at.isoformat()}"
    await _record_by(event.actor_user_id, "settlement.seller_hold_set", subject, detail, key)


@subscribe(DisputeDecided)
async def dispute_decided(event: DisputeDecided) -> None:
    detail = {
        "order_id": event.order_id,
        "seller_id": event.seller_id,
        "outcome": event.outcome,
        "refunded_minor": event.refunded_minor,
        "currency": event.currency,
    }
    await _record_system(
        "disputes.dispute_decided", "dispute", event.dispute_id, detail, str(event.dispute_id)
    )
