"""The demo cart: Bob Buyer has items from both demo sellers waiting in his cart. Idempotent:
a seller already in his cart gets nothing more."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.cart import service
from mercato.cart.schemas import AddLineIn
from mercato.catalog import service as catalog
from mercato.kit.storage import FileStore
from mercato.sellers.service import find_seller_of

log = structlog.get_logger(__name__)

BUYER = "bob@mercato.example"
SELLERS = ("atelier@mercato.example", "nordic@mercato.example")


async def _first_buyable_variant(session: AsyncSession, seller_id: uuid.UUID) -> uuid.UUID | None:
    """A goods variant in stock from the seller's shop, newest listing first."""
    shop = await catalog.list_seller_listings_public(session, seller_id, limit=24)
    for summary in shop.items:
        if summary.kind != "goods" or summary.stock_total < 2:
            continue
        listing = await catalog.get_public_listing(session, summary.id)
        for variant in listing.variants:
            if variant.stock >= 2:
                return variant.id
    return None


async def seed_cart_demo(session: AsyncSession, files: FileStore) -> None:
    """Give Bob a cart holding one item from each demo seller (skipped when missing)."""
    buyer_id = await find_user_id_by_email(session, BUYER)
    if buyer_id is None:
        log.warning("cart_demo_buyer_missing", email=BUYER)
        return
    owner = service.CartOwner(buyer_id=buyer_id)
    in_cart = {group.seller_id for group in (await service.get_cart(session, owner)).groups}
    for quantity, email in enumerate(SELLERS, start=1):
        user_id = await find_user_id_by_email(session, email)
        seller = await find_seller_of(session, user_id) if user_id else None
        if seller is None or seller.id in in_cart:
            continue
        variant_id = await _first_buyable_variant(session, seller.id)
        if variant_id is not None:
            await service.add_line(
                session, owner, AddLineIn(variant_id=variant_id, quantity=quantity)
            )
