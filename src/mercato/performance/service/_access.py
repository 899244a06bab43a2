"""Who may see and act on performance: a seller its own, staff everyone's, admins decide."""

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
