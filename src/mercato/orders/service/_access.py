"""Who may see an order, and as whom they act on it.

A buyer sees their own orders, a seller the orders of its shop, support and admins all of
them. Anyone else gets "not found": an order's existence is not disclosed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Forbidden, NotFound
from mercato.orders import repository
from mercato.orders.models import Order, OrderGroup
from mercato.orders.policy import Actor
from mercato.sellers.service import find_seller_of


@dataclass(frozen=True)
class Viewer:
    """The caller's standing towards orders: whose orders they see and how they act."""

    principal: Principal
    buyer_id: uuid.UUID | None = None
    seller_id: uuid.UUID | None = None

    @property
    def is_staff(self) -> bool:
        return self.principal.is_staff

    def actor_for(self, order: Order) -> Actor | None:
        """The role this caller plays on ``order``; None when they may only look."""
        if self.buyer_id is not None and order.buyer_id == self.buyer_id:
            return Actor.BUYER
        if self.seller_id is not None and order.seller_id == self.seller_id:
            return Actor.SELLER
        if self.principal.role is Role.ADMIN:
            return Actor.ADMIN
        return None

    def may_see(self, order: Order) -> bool:
        return self.is_staff or self.actor_for(order) is not None


async def viewer_of(session: AsyncSession, principal: Principal) -> Viewer:
    user_id = principal.require_user()
    if principal.role is Role.BUYER:
        return Viewer(principal, buyer_id=user_id)
    if principal.role is Role.SELLER:
        seller = await find_seller_of(session, user_id)
        if seller is None:
            raise Forbidden("Your seller account is not set up yet.")
        return Viewer(principal, seller_id=seller.id)
    if principal.is_staff:
        return Viewer(principal)
    raise Forbidden()


async def visible_order(
    session: AsyncSession, viewer: Viewer, order_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Order, OrderGroup]:
    order = await repository.get_order(session, order_id, for_update=for_update)
    if order is None or not viewer.may_see(order):
        raise NotFound("No such order.")
    group = await repository.get_group(session, order.group_id)
    assert group is not None
    return order, group
