"""Which time windows apply to an order: the SLA policy that was in force when it was paid,
for the category of its first item (an order comes from one seller, usually one kind of goods)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.disputes.settings import DEFAULT_TERMS, DisputeTerms
from mercato.governance import sla_terms
from mercato.orders.schemas import OrderOut


async def dispute_terms(session: AsyncSession, order: OrderOut) -> DisputeTerms:
    """The windows that apply to ``order``."""
    category_id = None
    if order.lines:
        facts = await catalog_service.listing_facts(session, [order.lines[0].listing_id])
        found = facts.get(order.lines[0].listing_id)
        category_id = found.category_ids[-1] if found and found.category_ids else None
    sla = await sla_terms(session, category_id, order.paid_at)
    return replace(
        DEFAULT_TERMS,
        dispute_window=sla.dispute_window,
        seller_answer=sla.seller_dispute_answer,
        return_window=sla.return_window,
        return_shipping=sla.return_ship_back,
        restocking_fee_percent=sla.restocking_fee_percent,
    )
