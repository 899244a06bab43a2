"""What sellers (and admins) see of fees: an order's breakdown and the "what will I net?"
calculator, which prices through the very function that freezes fees at payment."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.commission.schemas import FeeRequestLine, OrderFees, QuoteOut
from mercato.commission.service.fees import order_fees, price_lines
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import FieldError, NotFound, ValidationFailed
from mercato.kit.ids import new_id
from mercato.sellers import service as sellers_service

MAX_QUOTE_MINOR = 10**12


async def get_order_fees(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> OrderFees:
    """The itemised fees of one order: admins see any, a seller only its own (another seller's
    order is "not found", so its existence does not leak)."""
    principal.require_role(Role.SELLER, Role.ADMIN)
    fees = await order_fees(session, order_id)
    if principal.role is Role.SELLER:
        seller = await sellers_service.require_own_seller(session, principal)
        if fees is not None and fees.seller_id != seller.id:
            fees = None
    if fees is None:
        raise NotFound("No fees for this order.")
    return fees


def _check_quote(price_minor: int, quantity: int) -> None:
    errors: list[FieldError] = []
    if not 0 <= price_minor <= MAX_QUOTE_MINOR:
        errors.append(FieldError("price_minor", "A price from 0 up to 10^12 minor units."))
    if not 1 <= quantity <= 10_000:
        errors.append(FieldError("quantity", "A quantity from 1 to 10000."))
    if errors:
        raise ValidationFailed("The quote request is not valid.", errors=errors)


async def quote_fee(
    session: AsyncSession,
    principal: Principal,
    listing_id: uuid.UUID,
    price_minor: int,
    quantity: int,
) -> QuoteOut:
    """What the signed-in seller would net selling ``quantity`` of one of its listings at
    ``price_minor`` now: the rules, plan, incentives and 30-day volume in force now."""
    principal.require_role(Role.SELLER)
    seller = await sellers_service.require_own_seller(session, principal)
    _check_quote(price_minor, quantity)
    facts = (await catalog_service.listing_facts(session, [listing_id])).get(listing_id)
    if facts is None or facts.seller_id != seller.id:
        raise NotFound("No such listing of yours.")
    line = FeeRequestLine(
        line_id=new_id(),
        listing_id=listing_id,
        quantity=quantity,
        unit_price_minor=price_minor,
        line_total_minor=price_minor * quantity,
    )
    pricing = await price_lines(session, seller.id, facts.currency, clock.now(), [line])
    priced = pricing.lines[0]
    return QuoteOut(
        listing_id=listing_id,
        currency=facts.currency,
        quantity=quantity,
        price_minor=price_minor,
        gross_minor=priced.fee.gross_minor,
        fee_minor=priced.fee.fee_minor,
        net_minor=priced.fee.net_minor,
        rule_name=priced.resolved.name,
        explanation=priced.explanation,
        plan_name=pricing.plan.name if pricing.plan else "",
        trailing_gmv_minor=pricing.trailing_gmv_minor,
    )
