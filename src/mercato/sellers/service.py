"""Seller accounts. Admission (documents, checks, review) builds on the ``applying`` state."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound
from mercato.sellers import repository
from mercato.sellers.models import Seller
from mercato.sellers.schemas import SellerOut, SellerStatus


async def open_application(
    session: AsyncSession, owner_user_id: uuid.UUID, business_name: str
) -> SellerOut:
    """Create the seller account of a newly signed-up seller, in the ``applying`` state."""
    if await repository.get_by_owner(session, owner_user_id) is not None:
        raise Conflict("This user already has a seller account.")
    seller = Seller(
        owner_user_id=owner_user_id,
        business_name=business_name,
        status=SellerStatus.APPLYING,
    )
    session.add(seller)
    await session.flush()
    return SellerOut.model_validate(seller)


async def get_my_seller(session: AsyncSession, principal: Principal) -> SellerOut:
    """The seller account owned by the signed-in seller."""
    user_id = principal.require_role(Role.SELLER)
    seller = await repository.get_by_owner(session, user_id)
    if seller is None:
        raise NotFound("You have no seller account.")
    return SellerOut.model_validate(seller)


async def find_seller_of(session: AsyncSession, owner_user_id: uuid.UUID) -> SellerOut | None:
    seller = await repository.get_by_owner(session, owner_user_id)
    return None if seller is None else SellerOut.model_validate(seller)


def can_publish(seller: SellerOut) -> bool:
    """Only admitted sellers who are not suspended may publish listings."""
    return seller.status is SellerStatus.ADMITTED


async def require_own_seller(session: AsyncSession, principal: Principal) -> SellerOut:
    """The signed-in seller's account, for use cases acting on the seller's own data."""
    return await get_my_seller(session, principal)


async def get_seller(session: AsyncSession, seller_id: uuid.UUID) -> SellerOut | None:
    seller = await session.get(Seller, seller_id)
    return None if seller is None else SellerOut.model_validate(seller)
