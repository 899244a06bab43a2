"""Returns of goods lines: requested by the buyer inside the return window, approved (with
instructions) or rejected by the seller, refunded automatically when the seller marks the
parcel received (through settlement, for that line and quantity, once), less the restocking
fee of the SLA policy when the buyer changed their mind. An approved return not received within
the policy's ship-back time expires (the sweep), and the buyer may then open a dispute."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.disputes import policy, repository
from mercato.disputes.calculations import FEE_REASONS, fee_percent_for, split_return
from mercato.disputes.events import ReturnExpired, ReturnRefunded, ReturnRequested
from mercato.disputes.models import Return
from mercato.disputes.schemas import (
    ReturnApproveIn,
    ReturnConditions,
    ReturnOut,
    ReturnRejectIn,
    ReturnRequestIn,
    ReturnStatus,
)
from mercato.disputes.service import _money
from mercato.disputes.service._access import Caller, caller_of, require_visible
from mercato.disputes.service._notices import notify_return
from mercato.disputes.service._views import return_out
from mercato.disputes.service.terms import dispute_terms
from mercato.disputes.settings import DisputeTerms
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.events import record
from mercato.kit.pagination import Page
from mercato.orders.schemas import OrderOut
from mercato.orders.service import get_order
from mercato.settlement.schemas import RefundIn, RefundLineIn

SWEEP_BATCH = 500

R = ReturnStatus


class ReturnNotAllowed(Conflict):
    slug, title = "return-state", "This return cannot take that step now"


async def request_return(
    session: AsyncSession, principal: Principal, data: ReturnRequestIn
) -> ReturnOut:
    """Ask to return units of a delivered goods line inside the return window (422 naming
    why not); at most the line's quantity less the units already asked back."""
    buyer_id = principal.require_role(Role.BUYER)
    order = await get_order(session, principal, data.order_id)
    if order.buyer_id != buyer_id:
        raise NotFound("No such order.")
    line = next((line for line in order.lines if line.id == data.order_line_id), None)
    if line is None:
        raise ValidationFailed.on("order_line_id", "Not a line of this order.")
    now = clock.now()
    terms = await dispute_terms(session, order)
    why = policy.why_no_return(order, terms, now)
    if why is not None:
        raise ValidationFailed.on("order_id", why)
    left = line.quantity - await repository.returned_quantity(session, line.id)
    if data.quantity > left:
        raise ValidationFailed.on("quantity", f"At most {left} unit(s) can still be returned.")
    fee_percent = fee_percent_for(data.reason_code, terms.restocking_fee_percent)
    row = Return(
        order_id=order.id,
        order_line_id=line.id,
        buyer_id=buyer_id,
        seller_id=order.seller_id,
        order_number=order.number,
        line_title=line.title,
        quantity=data.quantity,
        reason_code=data.reason_code.value,
        reason=data.reason,
        status=R.REQUESTED.value,
        currency=order.currency,
        restocking_fee_percent=fee_percent,
        restocking_fee_minor=0,
        refunded_minor=0,
        created_at=now,
    )
    repository.add(session, row)
    await session.flush()
    record(session, ReturnRequested(row.id, order.id, order.seller_id, row.quantity, now))
    await notify_return(session, row)
    return return_out(row)


async def list_returns(
    session: AsyncSession,
    principal: Principal,
    *,
    statuses: Sequence[ReturnStatus] = (),
    cursor: str | None = None,
    limit: int = 50,
) -> Page[ReturnOut]:
    """Newest first: a buyer's own returns, a seller's shop's, all of them for staff."""
    caller = await caller_of(session, principal)
    found = await repository.list_returns(
        session,
        buyer_id=caller.user_id if caller.role == "buyer" else None,
        seller_id=caller.seller_id,
        statuses=[status.value for status in statuses],
        cursor=cursor,
        limit=limit,
    )
    return Page[ReturnOut](
        items=[return_out(row) for row in found.rows], next_cursor=found.next_cursor
    )


async def _visible(
    session: AsyncSession, principal: Principal, return_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Caller, Return]:
    caller = await caller_of(session, principal)
    row = await repository.get_return(session, return_id, for_update=for_update)
    if row is None:
        raise NotFound("No such return.")
    require_visible(caller, row.buyer_id, row.seller_id, "return")
    return caller, row


async def get_return(
    session: AsyncSession, principal: Principal, return_id: uuid.UUID
) -> ReturnOut:
    """One return: its buyer, the order's seller and staff; anyone else gets 404."""
    _, row = await _visible(session, principal, return_id)
    return return_out(row)


async def _sellers_own(
    session: AsyncSession, principal: Principal, return_id: uuid.UUID, *allowed: ReturnStatus
) -> Return:
    caller, row = await _visible(session, principal, return_id, for_update=True)
    caller.require("seller")
    if ReturnStatus(row.status) not in allowed:
        raise ReturnNotAllowed(f"A return that is {row.status} cannot take this step.")
    return row


async def approve_return(
    session: AsyncSession, principal: Principal, return_id: uuid.UUID, data: ReturnApproveIn
) -> ReturnOut:
    """The seller approves a requested return and says how to send it back."""
    row = await _sellers_own(session, principal, return_id, R.REQUESTED)
    order = await get_order(session, principal, row.order_id)
    now = clock.now()
    row.status, row.instructions, row.approved_at = R.APPROVED.value, data.instructions, now
    row.ship_back_by = now + (await dispute_terms(session, order)).return_shipping
    await session.flush()
    await notify_return(session, row)
    return return_out(row)


async def reject_return(
    session: AsyncSession, principal: Principal, return_id: uuid.UUID, data: ReturnRejectIn
) -> ReturnOut:
    """The seller rejects a requested return with a reason; the buyer may then dispute."""
    row = await _sellers_own(session, principal, return_id, R.REQUESTED)
    row.status, row.rejection_reason, row.rejected_at = R.REJECTED.value, data.reason, clock.now()
    await session.flush()
    await notify_return(session, row)
    return return_out(row)


async def mark_return_received(
    session: AsyncSession, principal: Principal, return_id: uuid.UUID
) -> ReturnOut:
    """The seller received the parcel: the units are refunded at once through settlement
    (key ``return:<id>``, so a retry never refunds twice), less the restocking fee the buyer
    was shown when asking (a change of mind only), which stays with the seller."""
    row = await _sellers_own(session, principal, return_id, R.APPROVED)
    now = clock.now()
    row.status, row.received_at = R.RECEIVED.value, now
    await session.flush()
    amount = await _money.units_amount(session, row.order_id, row.order_line_id, row.quantity)
    split = split_return(amount, row.restocking_fee_percent)
    row.restocking_fee_minor = split.fee_minor
    if split.refund_minor > 0:
        line = RefundLineIn(
            line_id=row.order_line_id, quantity=row.quantity, keep_minor=split.fee_minor
        )
        data = RefundIn(lines=[line], reason=f"Return of {row.quantity} x {row.line_title}"[:500])
        key = _money.return_key(row.id)
        refund = await _money.refund(session, principal, row.order_id, data, key)
        row.refunded_minor, row.refund_id = refund.amount_minor, refund.id
    # A fee of 100 % keeps everything: nothing moves, the return is settled all the same.
    row.status, row.refunded_at = R.REFUNDED.value, clock.now()
    await session.flush()
    record(
        session,
        ReturnRefunded(row.id, row.order_id, row.seller_id, row.currency, row.refunded_minor, now),
    )
    await notify_return(session, row)
    return return_out(row)


# --- the ship-back deadline ------------------------------------------------------------------


async def overdue_returns(session: AsyncSession) -> list[uuid.UUID]:
    """Approved returns not received by their ship-back deadline (for the sweep)."""
    return await repository.overdue_returns(session, clock.now(), SWEEP_BATCH)


async def expire_return(session: AsyncSession, return_id: uuid.UUID) -> int:
    """Expire one approved return whose ship-back time ran out, and tell both parties (the
    buyer until when a dispute may still be opened); 0 when it was received meanwhile or
    already expired: the claim is a conditional update, so two sweeps never act twice."""
    now = clock.now()
    if not await repository.claim_expiry(session, return_id, now):
        return 0
    row = await repository.get_return(session, return_id)
    assert row is not None
    await session.refresh(row)
    # The order as its buyer sees it: the windows the email names are the buyer's.
    order = await get_order(session, Principal(user_id=row.buyer_id, role=Role.BUYER), row.order_id)
    terms = await dispute_terms(session, order)
    dispute_until = policy.dispute_until(order, terms)
    still_open = policy.why_no_dispute(order, terms, now) is None
    record(session, ReturnExpired(row.id, row.order_id, row.seller_id, now))
    await notify_return(session, row, dispute_until=dispute_until if still_open else None)
    return 1


# --- what the buyer is told before asking ------------------------------------------------------


async def return_conditions(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> ReturnConditions:
    """The return window, the ship-back time and the restocking fee of an order, from the SLA
    policy in force when it was paid: its buyer, its seller and staff (anyone else: 404)."""
    caller = await caller_of(session, principal)
    order = await get_order(session, principal, order_id)
    require_visible(caller, order.buyer_id, order.seller_id, "order")
    return conditions_for(order, await dispute_terms(session, order), clock.now())


def conditions_for(order: OrderOut, terms: DisputeTerms, now: datetime) -> ReturnConditions:
    """The return conditions of ``order`` under ``terms``, as of ``now``."""
    why_not = policy.why_no_return(order, terms, now)
    return ReturnConditions(
        order_id=order.id,
        returnable=why_not is None,
        why_not=why_not,
        return_until=policy.return_until(order, terms),
        return_window_days=terms.return_window.days,
        ship_back_days=terms.return_shipping.days,
        restocking_fee_percent=terms.restocking_fee_percent,
        fee_reasons=sorted(FEE_REASONS),
        dispute_until=policy.dispute_until(order, terms),
    )
