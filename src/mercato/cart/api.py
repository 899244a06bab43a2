"""Cart JSON API, for signed-in buyers (guests use the web pages and their cart cookie)."""

from __future__ import annotations

import uuid

from fastapi import status

from mercato.cart import service
from mercato.cart.schemas import AddLineIn, CartOut, QuantityIn, ShippingChoiceIn
from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.routing import IndexedRouter

router = IndexedRouter(prefix="/cart", tags=["cart"])


@router.get("", response_model=CartOut)
async def get_cart(session: DbSession, principal: CurrentPrincipal) -> CartOut:
    """Your cart, grouped by seller, priced live. A line's ``problem`` says what changed since
    you added it; accept the changes with ``POST /cart/acknowledge``."""
    return await service.get_cart(session, service.buyer_of(principal))


@router.post("/lines", status_code=status.HTTP_201_CREATED, response_model=CartOut)
async def add_line(data: AddLineIn, session: DbSession, principal: CurrentPrincipal) -> CartOut:
    """Add a quantity of a variant (added to the line already holding it)."""
    return await service.add_line(session, service.buyer_of(principal), data)


@router.patch("/lines/{line_id}", response_model=CartOut)
async def change_quantity(
    line_id: uuid.UUID, data: QuantityIn, session: DbSession, principal: CurrentPrincipal
) -> CartOut:
    """Set a line's quantity; 0 removes the line."""
    owner = service.buyer_of(principal)
    return await service.change_quantity(session, owner, line_id, data.quantity)


@router.delete("/lines/{line_id}", response_model=CartOut)
async def remove_line(
    line_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> CartOut:
    return await service.remove_line(session, service.buyer_of(principal), line_id)


@router.put("/shipping/{seller_id}", response_model=CartOut)
async def choose_shipping(
    seller_id: uuid.UUID, data: ShippingChoiceIn, session: DbSession, principal: CurrentPrincipal
) -> CartOut:
    """Choose how one seller's parcel is shipped (one of the seller's ``shipping_options``)."""
    owner = service.buyer_of(principal)
    return await service.choose_shipping(session, owner, seller_id, data.shipping_profile_id)


@router.post("/acknowledge", response_model=CartOut)
async def acknowledge_changes(session: DbSession, principal: CurrentPrincipal) -> CartOut:
    """Accept what changed: new prices become the ones you saw, quantities shrink to the stock
    left, items no longer for sale leave the cart."""
    return await service.acknowledge_changes(session, service.buyer_of(principal))
