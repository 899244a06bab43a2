"""Money movements reach the audit log as system entries naming their ids and amounts, policy
changes in the name of their admin; an event delivered twice (the outbox redelivers at least
once) is recorded once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from mercato.audit import handlers
from mercato.audit.models import AuditEntry
from mercato.disputes.events import DisputeDecided
from mercato.governance import PolicyVersionActivated, PolicyVersionDrafted
from mercato.kit.events import handlers_for
from mercato.payments import PaymentFailed, PaymentSucceeded
from mercato.payouts import PayoutFailed, PayoutPaid
from mercato.settlement import EscrowReleased, RefundIssued

IDS = [uuid.UUID(int=n) for n in range(1, 10)]


async def recorded(runtime) -> list[tuple[str, str, str | None, dict]]:
    async with runtime.database.reading() as session:
        rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.seq))).scalars()
        return [(e.action, e.subject_type, e.subject_id, e.detail) for e in rows]


async def test_each_money_event_is_recorded_once(runtime):
    events = [
        PaymentSucceeded(IDS[0], IDS[1], 2500, "EUR", "group:x", IDS[2], (("escrow:a", 2500),)),
        PaymentFailed(IDS[3], IDS[1], "failed", "group:y", "card_declined"),
        EscrowReleased(IDS[4], IDS[5], "EUR", 2000, 200, IDS[6], datetime(2026, 1, 2, tzinfo=UTC)),
        RefundIssued(IDS[7], IDS[4], IDS[5], IDS[1], "EUR", 500, 50, "after_release"),
        PayoutPaid(IDS[8], IDS[5], 1800, "EUR"),
        PayoutFailed(IDS[2], IDS[5], 700, "EUR", "The account is closed."),
    ]
    reactions = [
        handlers.payment_succeeded,
        handlers.payment_failed,
        handlers.escrow_released,
        handlers.refund_issued,
        handlers.payout_paid,
        handlers.payout_failed,
    ]
    for handler, event in zip(reactions * 2, events * 2, strict=True):  # each delivered twice
        assert handler in handlers_for(type(event))
        await handler(event)
    s = str
    assert await recorded(runtime) == [
        (
            "payments.payment_succeeded",
            "payment",
            s(IDS[0]),
            {
                "journal_id": s(IDS[2]),
                "amount_minor": 2500,
                "currency": "EUR",
                "payer_id": s(IDS[1]),
                "purpose": "group:x",
            },
        ),
        (
            "payments.payment_failed",
            "payment",
            s(IDS[3]),
            {
                "status": "failed",
                "failure_code": "card_declined",
                "payer_id": s(IDS[1]),
                "purpose": "group:y",
            },
        ),
        (
            "settlement.escrow_released",
            "order",
            s(IDS[4]),
            {
                "journal_id": s(IDS[6]),
                "seller_id": s(IDS[5]),
                "gross_minor": 2000,
                "fee_minor": 200,
                "net_minor": 1800,
                "currency": "EUR",
                "released_at": "2026-01-02T00:00:00+00:00",
            },
        ),
        (
            "settlement.refund_issued",
            "refund",
            s(IDS[7]),
            {
                "order_id": s(IDS[4]),
                "seller_id": s(IDS[5]),
                "buyer_id": s(IDS[1]),
                "amount_minor": 500,
                "fee_share_minor": 50,
                "currency": "EUR",
                "phase": "after_release",
            },
        ),
        (
            "payouts.payout_paid",
            "payout",
            s(IDS[8]),
            {"seller_id": s(IDS[5]), "amount_minor": 1800, "currency": "EUR"},
        ),
        (
            "payouts.payout_failed",
            "payout",
            s(IDS[2]),
            {
                "seller_id": s(IDS[5]),
                "amount_minor": 700,
                "currency": "EUR",
                "failure_message": "The account is closed.",
            },
        ),
    ]


async def test_policy_changes_are_recorded_in_the_admins_name_and_decisions_as_the_system(
    runtime,
):
    at = datetime(2026, 3, 1, tzinfo=UTC)
    drafted = PolicyVersionDrafted(IDS[0], "sla", 2, IDS[1], "Stricter shipping", at)
    activated = PolicyVersionActivated(IDS[0], "sla", 2, IDS[1], at, "Stricter shipping", at)
    decided = DisputeDecided(IDS[2], IDS[3], IDS[4], "refund_partial", "EUR", 1250, at)
    for handler, event in (
        (handlers.policy_drafted, drafted),
        (handlers.policy_activated, activated),
        (handlers.dispute_decided, decided),
    ) * 2:  # each delivered twice
        assert handler in handlers_for(type(event))
        await handler(event)
    async with runtime.database.reading() as session:
        rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.seq))).scalars()
        entries = [(e.action, e.actor_role, e.actor_id, e.subject_id) for e in rows]
    assert entries == [
        ("governance.policy_drafted", "admin", IDS[1], str(IDS[0])),
        ("governance.policy_activated", "admin", IDS[1], str(IDS[0])),
        ("disputes.dispute_decided", "system", None, str(IDS[2])),
    ]
