"""Settlement's ledger invariants, run by ``mercato payments ledger-check`` with the ledger's
own: what our escrow rows say must agree with the ledger and never spend more than captured."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.payments.service import Violation, cached_balance, ledger_check
from mercato.settlement import repository


@ledger_check("escrow-not-zero", "the escrow of a released or fully refunded order is zero")
async def settled_escrows_are_empty(session: AsyncSession) -> list[Violation]:
    violations = []
    for order_id, account, currency in await repository.settled_escrows(session):
        left = await cached_balance(session, account, currency)
        if left.amount_minor != 0:
            violations.append(
                Violation("escrow-not-zero", f"order {order_id}", f"{account} still holds {left}")
            )
    return violations


@ledger_check("refunds-above-captured", "an order's refunds never exceed what was captured")
async def refunds_within_captured(session: AsyncSession) -> list[Violation]:
    violations = [
        Violation(
            "refunds-above-captured",
            f"order {order_id}",
            f"refunds sum to {total}, captured {captured}",
        )
        for order_id, captured, total in await repository.refund_totals_above_captured(session)
    ]
    violations.extend(
        Violation(
            "refunds-above-captured",
            f"order {order_id}",
            f"escrow records {recorded} refunded, its refunds sum to {total}",
        )
        for order_id, recorded, total in await repository.refund_totals_out_of_step(session)
    )
    return violations


@ledger_check(
    "escrow-overspent", "what left an escrow (released + refunded from it) is at most captured"
)
async def escrow_not_overspent(session: AsyncSession) -> list[Violation]:
    return [
        Violation(
            "escrow-overspent",
            f"order {order_id}",
            f"released {released} + refunded {refunded} > captured {captured}",
        )
        for order_id, captured, released, refunded in await repository.overspent_escrows(session)
    ]
