"""Who may see and act on a dispute or a return: its buyer, the order's seller, and staff
(support reads and writes nothing but messages' reading; admins decide). Anyone else is told
it does not exist."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Forbidden, NotFound
from mercato.sellers.service import find_seller_of


@dataclass(frozen=True)
class Caller:
    principal: Principal
    role: str  # buyer | seller | support | admin
    user_id: uuid.UUID
    seller_id: uuid.UUID | None = None

    def owns(self, buyer_id: uuid.UUID, seller_id: uuid.UUID) -> bool:
        if self.role == "buyer":
            return buyer_id == self.user_id
        if self.role == "seller":
            return seller_id == self.seller_id
        return True

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden()


async def caller_of(session: AsyncSession, principal: Principal) -> Caller:
    user_id = principal.require_user()
    if principal.role is Role.BUYER:
        return Caller(principal, "buyer", user_id)
    if principal.role is Role.SELLER:
        seller = await find_seller_of(session, user_id)
        if seller is None:
            raise Forbidden("Your seller account is not set up yet.")
        return Caller(principal, "seller", user_id, seller.id)
    if principal.role in (Role.ADMIN, Role.SUPPORT):
        return Caller(principal, principal.role.value, user_id)
    raise Forbidden()


def require_visible(caller: Caller, buyer_id: uuid.UUID, seller_id: uuid.UUID, what: str) -> None:
    if not caller.owns(buyer_id, seller_id):
        raise NotFound(f"No such {what}.")


def seller_principal(user_id: uuid.UUID) -> Principal:
    """The seller who made an offer, acting again when the buyer (or the sweep) accepts it."""
    return Principal(user_id=user_id, role=Role.SELLER)
