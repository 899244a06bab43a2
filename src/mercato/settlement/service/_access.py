"""Who may act on settlement: admins on any order, a seller on its own orders' refunds, support
reads. Anyone else is refused; another seller's order is "not found"."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Forbidden
from mercato.sellers.service import find_seller_of


async def own_seller_id(session: AsyncSession, principal: Principal) -> uuid.UUID:
    """The signed-in seller's shop id (403 for anyone else)."""
    user_id = principal.require_role(Role.SELLER)
    seller = await find_seller_of(session, user_id)
    if seller is None:
        raise Forbidden("Your seller account is not set up yet.")
    return seller.id


async def refund_scope(session: AsyncSession, principal: Principal) -> uuid.UUID | None:
    """Whose orders the caller may refund: ``None`` for an admin (every order), the seller's
    own id for a seller; 403 for anyone else."""
    principal.require_role(Role.ADMIN, Role.SELLER)
    if principal.role is Role.ADMIN:
        return None
    return await own_seller_id(session, principal)


async def read_scope(session: AsyncSession, principal: Principal) -> uuid.UUID | None:
    """Whose refunds the caller may read: staff all (``None``), a seller its own."""
    principal.require_role(Role.ADMIN, Role.SUPPORT, Role.SELLER)
    if principal.is_staff:
        return None
    return await own_seller_id(session, principal)
