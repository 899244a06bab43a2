"""Stock held for checkouts: taken atomically when an order group is placed, given back when
its payment never arrives or an order is cancelled before it leaves the seller.

The variant's ``stock`` is what can still be sold; taking is one conditional UPDATE per
variant (``stock >= quantity``), in a fixed order so two checkouts never deadlock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.events import StockMoved
from mercato.kit import events
from mercato.kit.errors import Conflict


class OutOfStock(Conflict):
    slug, title = "out-of-stock", "Not enough stock"


def _merged(items: Iterable[tuple[uuid.UUID, int]]) -> list[tuple[uuid.UUID, int]]:
    totals: dict[uuid.UUID, int] = {}
    for variant_id, quantity in items:
        if quantity <= 0:
            raise ValueError("stock quantities are positive")
        totals[variant_id] = totals.get(variant_id, 0) + quantity
    return sorted(totals.items(), key=lambda item: item[0].bytes)


async def reserve_stock(session: AsyncSession, items: Iterable[tuple[uuid.UUID, int]]) -> None:
    """Take every ``(variant_id, quantity)`` or none: raises :class:`OutOfStock` naming the
    variant that ran short (the caller's unit of work then rolls the others back)."""
    for variant_id, quantity in _merged(items):
        taken = await repository.take_stock(session, variant_id, quantity)
        if taken is None:
            left = await repository.available_stock(session, variant_id)
            raise OutOfStock(
                f"Only {left} left of an item in your cart; you asked for {quantity}.",
                extensions={"variant_id": str(variant_id), "available": left},
            )
        listing_id, left = taken
        events.record(session, StockMoved(listing_id, availability_changed=left == 0))


async def release_stock(session: AsyncSession, items: Iterable[tuple[uuid.UUID, int]]) -> None:
    """Give reserved units back (a variant deleted since is skipped)."""
    for variant_id, quantity in _merged(items):
        given = await repository.give_back_stock(session, variant_id, quantity)
        if given is not None:
            listing_id, stock = given
            events.record(session, StockMoved(listing_id, availability_changed=stock == quantity))
