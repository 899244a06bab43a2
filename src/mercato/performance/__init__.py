"""Seller performance: rolling 30- and 90-day metrics per seller (order defect, late shipment,
pre-fulfilment cancellation, valid tracking, median response time) against versioned
thresholds, and the escalating, reversible actions they drive (warning → listings suppressed
in search → payouts held → suspension) with the seller's appeal.

Other domains use :func:`listings_suppressed` (search), :func:`payouts_held` (payouts) and the
``SellerStandingChanged`` event."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.performance.events import SellerStandingChanged


async def listings_suppressed(session: AsyncSession, seller_id: uuid.UUID) -> bool:
    """Whether the seller's listings stay out of search results and facets."""
    from mercato.performance.service import listings_suppressed as read

    return await read(session, seller_id)


async def payouts_held(session: AsyncSession, seller_id: uuid.UUID) -> bool:
    """Whether the seller's payouts are held for poor performance."""
    from mercato.performance.service import payouts_held as read

    return await read(session, seller_id)


__all__ = ["SellerStandingChanged", "listings_suppressed", "payouts_held"]
