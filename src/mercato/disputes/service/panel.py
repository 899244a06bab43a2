"""The buyer's "problem with this order?" card on the order page."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.disputes import policy, repository
from mercato.disputes.schemas import OrderPanel, PanelLine, Reason
from mercato.disputes.service._views import dispute_out, return_out
from mercato.disputes.service.returns import conditions_for
from mercato.disputes.service.terms import dispute_terms
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import MercatoError
from mercato.orders.service import get_order


async def order_panel(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> OrderPanel | None:
    """The order's disputes and returns and what the buyer may start; None for anyone but
    the order's buyer, and when there is nothing to show or start."""
    if principal.is_anonymous or principal.role is not Role.BUYER:
        return None
    try:
        order = await get_order(session, principal, order_id)
    except MercatoError:
        return None
    if order.buyer_id != principal.user_id:
        return None
    now, terms = clock.now(), await dispute_terms(session, order)
    disputes = await repository.disputes_of_order(session, order.id)
    returns = await repository.returns_of_order(session, order.id)
    why_not_dispute = policy.why_no_dispute(order, terms, now)
    return_possible = policy.why_no_return(order, terms, now) is None
    busy = {d.order_line_id for d in disputes if d.open_line_id is not None}
    handed = policy.handed_over_at(order) is not None
    lines = []
    for line in order.lines:
        reasons = [
            reason
            for reason in policy.REASONS_BY_KIND.get(order.kind, ())
            if handed or reason is not Reason.NOT_AS_DESCRIBED
        ]
        returnable = line.quantity - await repository.returned_quantity(session, line.id)
        lines.append(
            PanelLine(
                line_id=line.id,
                title=line.title,
                quantity=line.quantity,
                returnable_quantity=returnable if return_possible else 0,
                reasons=reasons,
                can_dispute=why_not_dispute is None and line.id not in busy and bool(reasons),
                can_return=return_possible and returnable > 0,
            )
        )
    if not disputes and not returns and not any(x.can_dispute or x.can_return for x in lines):
        return None
    return OrderPanel(
        order_id=order.id,
        lines=lines,
        disputes=[dispute_out(d) for d in disputes],
        returns=[return_out(r) for r in returns],
        dispute_until=policy.dispute_until(order, terms),
        return_until=policy.return_until(order, terms) if order.kind == "goods" else None,
        dispute_note=why_not_dispute,
        conditions=conditions_for(order, terms, now) if order.kind == "goods" else None,
    )
