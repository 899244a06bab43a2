from __future__ import annotations

from fastapi import APIRouter

from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.sellers import service
from mercato.sellers.schemas import SellerOut

router = APIRouter(prefix="/sellers", tags=["sellers"])


@router.get("/me", response_model=SellerOut)
async def my_seller_account(session: DbSession, principal: CurrentPrincipal) -> SellerOut:
    """The signed-in seller's account and its admission status."""
    return await service.get_my_seller(session, principal)
