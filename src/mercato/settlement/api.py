"""Settlement JSON API under ``/api/v1/settlement``: refunds (admins any order, a seller its
own, with an Idempotency-Key), an order's refunds for its buyer, seller and staff, the escrow
list with "release now", the freeze a dispute puts on an order, and the hold periods (a
category's period is part of governance's escrow hold policy)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Query, Response, status

from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter
from mercato.settlement import service
from mercato.settlement.schemas import (
    EscrowOut,
    EscrowStatus,
    FreezeIn,
    HoldsOut,
    RefundIn,
    RefundOut,
    SellerHoldIn,
    SellerHoldOut,
)

router = IndexedRouter(prefix="/settlement", tags=["settlement"])
REPLAYED_HEADER = "Idempotent-Replayed"
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


@router.post(
    "/orders/{order_id}/refunds", status_code=status.HTTP_201_CREATED, response_model=RefundOut
)
async def refund_order(
    order_id: uuid.UUID,
    data: RefundIn,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> RefundOut:
    """Refund some lines (by quantity), an amount, or everything left of a paid order, before
    or after its release. Admins: any order; a seller: its own orders. ``Idempotency-Key`` is
    required: a retry returns the first refund (``Idempotent-Replayed: true``)."""
    result = await service.refund_order(session, principal, order_id, data, idempotency_key)
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
        response.status_code = status.HTTP_200_OK
    return result.refund


@router.get("/orders/{order_id}/refunds", response_model=list[RefundOut])
async def list_order_refunds(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> list[RefundOut]:
    """An order's refunds and their status: its buyer, its seller, staff."""
    return await service.list_order_refunds(session, principal, order_id)


@router.get("/refunds", response_model=Page[RefundOut])
async def list_refunds(
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[RefundOut]:
    """Refunds newest first: staff all of them, a seller those of its orders."""
    return await service.list_refunds(session, principal, cursor=cursor, limit=limit)


@router.get("/escrows", response_model=Page[EscrowOut])
async def list_escrows(
    session: DbSession,
    principal: CurrentPrincipal,
    escrow_status: Annotated[EscrowStatus | None, Query(alias="status")] = None,
    frozen: bool | None = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[EscrowOut]:
    """Escrows newest first, by status or frozen: staff."""
    return await service.list_escrows(
        session, principal, status=escrow_status, frozen=frozen, cursor=cursor, limit=limit
    )


@router.get("/escrows/{order_id}", response_model=EscrowOut)
async def get_escrow(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> EscrowOut:
    """One order's escrow with its lines and what was refunded of them: staff."""
    return await service.get_escrow(session, principal, order_id)


@router.post("/escrows/{order_id}/release", response_model=EscrowOut)
async def release_now(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> EscrowOut:
    """Release a completed order's escrow now, skipping its hold period: admins. 409 while a
    dispute froze it, before completion, or once released."""
    return await service.release_now(session, principal, order_id)


@router.post("/escrows/{order_id}/freeze", response_model=EscrowOut)
async def freeze(
    order_id: uuid.UUID, data: FreezeIn, session: DbSession, principal: CurrentPrincipal
) -> EscrowOut:
    """Freeze an order's escrow (a dispute is open): admins."""
    return await service.freeze_by_admin(session, principal, order_id, data.reason)


@router.post("/escrows/{order_id}/unfreeze", response_model=EscrowOut)
async def unfreeze(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> EscrowOut:
    """Lift a freeze: admins."""
    return await service.unfreeze_by_admin(session, principal, order_id)


@router.put("/sellers/{seller_id}/hold", response_model=SellerHoldOut)
async def set_seller_hold(
    seller_id: uuid.UUID, data: SellerHoldIn, session: DbSession, principal: CurrentPrincipal
) -> SellerHoldOut:
    """Set a seller's own hold period in days, with the reason (orders completed from now
    on): admins. Who set it and when are recorded."""
    return await service.set_seller_hold(session, principal, seller_id, data)


@router.get("/holds", response_model=HoldsOut)
async def list_holds(session: DbSession, principal: CurrentPrincipal) -> HoldsOut:
    """Every hold period: the default, the escrow hold policy in force with its category
    periods (drafted in governance) and the sellers' own (staff)."""
    return await service.list_holds(session, principal)
