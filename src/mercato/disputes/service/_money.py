"""Money for disputes and returns, all through settlement's public functions: the escrow is
frozen while any dispute of the order is open, and refunds go through ``refund_order`` with a
key derived from the dispute or return, so a retry never refunds twice.

Settlement refuses refunds of a frozen escrow. When one dispute (or return) of an order is
refunded while another dispute of it is still open, the freeze is lifted for that one refund
and put back, in the same transaction: nobody ever sees the escrow unfrozen."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.disputes import repository
from mercato.disputes.policy import FREEZE_PREFIX
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.settlement.calculations import line_refund_minor
from mercato.settlement.schemas import EscrowOut, RefundIn, RefundOut
from mercato.settlement.service import (
    escrow_of_order,
    freeze_escrow,
    refund_order,
    unfreeze_escrow,
)


def _ours(escrow: EscrowOut | None) -> bool:
    """Frozen by a dispute (an admin's own freeze is never lifted here)."""
    return bool(escrow and escrow.frozen and (escrow.frozen_reason or "").startswith(FREEZE_PREFIX))


async def freeze_for(session: AsyncSession, order_id: uuid.UUID, dispute_id: uuid.UUID) -> None:
    """Freeze the order's escrow for a new dispute (an escrow already frozen stays so)."""
    try:
        await freeze_escrow(session, order_id, f"{FREEZE_PREFIX}{dispute_id}")
    except NotFound:
        raise Conflict(
            "The payment of this order is still being settled. Try again in a minute."
        ) from None


async def unfreeze_if_last(session: AsyncSession, order_id: uuid.UUID) -> None:
    """Lift the dispute freeze once no dispute of the order is open any more."""
    if await repository.count_active_on_order(session, order_id):
        return
    if _ours(await escrow_of_order(session, order_id)):
        await unfreeze_escrow(session, order_id)


async def refund(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    data: RefundIn,
    key: str,
) -> RefundOut:
    """Refund through settlement, with the dispute freeze lifted for this refund only."""
    escrow = await escrow_of_order(session, order_id)
    lifted = _ours(escrow)
    if lifted:
        await unfreeze_escrow(session, order_id)
    result = await refund_order(session, principal, order_id, data, key)
    if lifted and await repository.count_active_on_order(session, order_id):
        assert escrow is not None
        await freeze_escrow(session, order_id, escrow.frozen_reason or FREEZE_PREFIX)
    return result.refund


async def line_refundable(
    session: AsyncSession, order_id: uuid.UUID, line_id: uuid.UUID, line_total_minor: int
) -> int:
    """What may still be refunded for one line: its total less what returns and disputes
    refunded for it, and never more than the order has left."""
    escrow = await escrow_of_order(session, order_id)
    if escrow is None:
        return 0
    # Units refunded by line, with what the seller kept of them as a restocking fee.
    by_lines = sum(
        line.refunded_minor + line.kept_minor for line in escrow.lines if line.line_id == line_id
    )
    by_disputes = await repository.refunded_on_line(session, line_id)
    kept_alone = await repository.fees_kept_outside_escrow(session, line_id)
    left_on_line = line_total_minor - by_lines - by_disputes - kept_alone
    return max(0, min(left_on_line, escrow.captured_minor - escrow.refunded_minor))


async def units_amount(
    session: AsyncSession, order_id: uuid.UUID, line_id: uuid.UUID, quantity: int
) -> int:
    """What ``quantity`` more units of a line amount to, exactly as settlement's line refund
    counts them (so a restocking fee is taken from the amount the refund would have been)."""
    escrow = await escrow_of_order(session, order_id)
    line = next((x for x in escrow.lines if x.line_id == line_id), None) if escrow else None
    if line is None:
        raise Conflict("The payment of this order is still being settled. Try again in a minute.")
    left = line.quantity - line.refunded_quantity
    if quantity > left:
        raise ValidationFailed.on("quantity", f"Only {left} unit(s) are left to refund.")
    return line_refund_minor(
        quantity,
        line.quantity,
        line.line_total_minor,
        line.refunded_quantity,
        line.refunded_minor + line.kept_minor,
    )


def dispute_key(dispute_id: uuid.UUID) -> str:
    return f"dispute:{dispute_id}"


def return_key(return_id: uuid.UUID) -> str:
    return f"return:{return_id}"
