"""Orders JSON API: checkout (with an Idempotency-Key), the buyer's checkouts, orders for
buyers, sellers and staff, the moves of the order lifecycle, and each order's messages between
its buyer and its seller."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Body, Header, Query, Response, status

from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter
from mercato.orders import service
from mercato.orders.policy import OrderStatus
from mercato.orders.schemas import (
    AwaitingReply,
    BulkIn,
    BulkOutcome,
    CancelIn,
    CheckoutIn,
    CheckoutOut,
    MessageIn,
    MessageOut,
    MessageThread,
    OrderGroupOut,
    OrderLedger,
    OrderOut,
    OrderSummary,
    PaymentRetryIn,
    ScheduleIn,
    ShipIn,
)

router = IndexedRouter(tags=["orders"])
REPLAYED_HEADER = "Idempotent-Replayed"
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]
S = OrderStatus


@router.post("/checkout", status_code=status.HTTP_201_CREATED, response_model=CheckoutOut)
async def checkout(
    data: CheckoutIn,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> CheckoutOut:
    """Pay for the whole cart: one order per seller, the stock reserved, one payment.
    ``Idempotency-Key`` is required: a retry returns the first result (``Idempotent-Replayed:
    true``), the same key with another body is a 409. A cart that changed since the buyer saw
    it (price, stock, total) is a 409 explaining the change. When the payment's status is
    ``requires_action``, send the buyer to its ``redirect_url``."""
    result = await service.checkout(session, principal, data, idempotency_key)
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return result.checkout


@router.get("/order-groups", response_model=Page[OrderGroupOut])
async def list_my_groups(
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[OrderGroupOut]:
    """The buyer's checkouts, newest first."""
    return await service.list_my_groups(session, principal, cursor=cursor, limit=limit)


@router.get("/order-groups/{group_id}", response_model=OrderGroupOut)
async def get_group(
    group_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> OrderGroupOut:
    """One checkout and its orders: its buyer and staff."""
    return await service.get_group(session, principal, group_id)


@router.post(
    "/order-groups/{group_id}/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckoutOut,
)
async def retry_payment(
    group_id: uuid.UUID,
    data: PaymentRetryIn,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> CheckoutOut:
    """Pay an unpaid checkout again after a declined or failed payment, while its stock is
    still reserved."""
    result = await service.retry_payment(session, principal, group_id, data, idempotency_key)
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return result.checkout


@router.get("/orders", response_model=Page[OrderSummary])
async def list_orders(
    session: DbSession,
    principal: CurrentPrincipal,
    status_filter: Annotated[list[OrderStatus] | None, Query(alias="status")] = None,
    kind: Annotated[Literal["goods", "service"] | None, Query()] = None,
    number: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[OrderSummary]:
    """Orders newest first: a buyer's own, a seller's shop's, everyone's for staff."""
    return await service.list_orders(
        session,
        principal,
        statuses=status_filter or (),
        kind=kind,
        number=number,
        cursor=cursor,
        limit=limit,
    )


# Declared before the per-order routes: /orders/bulk/accept must not read as an order id.
@router.post("/orders/bulk/{action}", response_model=list[BulkOutcome])
async def bulk(
    action: Literal["accept", "perform"],
    data: BulkIn,
    session: DbSession,
    principal: CurrentPrincipal,
) -> list[BulkOutcome]:
    """The seller accepts many goods orders, or marks many services performed, at once; the
    outcome lists each order's result."""
    target = S.ACCEPTED if action == "accept" else S.PERFORMED
    return await service.transition_orders(session, principal, data.order_ids, target)


@router.get("/orders/messages/awaiting", response_model=list[AwaitingReply])
async def awaiting_replies(session: DbSession, principal: CurrentPrincipal) -> list[AwaitingReply]:
    """The seller's orders whose buyer waits for an answer, the longest wait first."""
    return await service.awaiting_replies(session, principal)


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> OrderOut:
    """One order with its lines and timeline; ``next_actions`` are the caller's possible moves."""
    return await service.get_order(session, principal, order_id)


@router.get("/orders/{order_id}/ledger", response_model=OrderLedger)
async def get_order_ledger(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> OrderLedger:
    """The journals on the order's escrow account and what it holds now. Staff only."""
    return await service.get_order_ledger(session, principal, order_id)


@router.post("/orders/{order_id}/accept", response_model=OrderOut)
async def accept(order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal) -> OrderOut:
    """The seller accepts a paid goods order."""
    return await service.transition_order(session, principal, order_id, S.ACCEPTED)


@router.post("/orders/{order_id}/ship", response_model=OrderOut)
async def ship(
    order_id: uuid.UUID, data: ShipIn, session: DbSession, principal: CurrentPrincipal
) -> OrderOut:
    """The seller ships an accepted order, with carrier and tracking number."""
    return await service.transition_order(session, principal, order_id, S.SHIPPED, ship=data)


@router.post("/orders/{order_id}/deliver", response_model=OrderOut)
async def confirm_delivery(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> OrderOut:
    """The buyer confirms a shipped order arrived."""
    return await service.transition_order(session, principal, order_id, S.DELIVERED)


@router.post("/orders/{order_id}/schedule", response_model=OrderOut)
async def schedule(
    order_id: uuid.UUID, data: ScheduleIn, session: DbSession, principal: CurrentPrincipal
) -> OrderOut:
    """The seller sets (or moves) the appointment of a paid service order."""
    return await service.transition_order(session, principal, order_id, S.SCHEDULED, schedule=data)


@router.post("/orders/{order_id}/perform", response_model=OrderOut)
async def perform(order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal) -> OrderOut:
    """The seller marks a scheduled service performed."""
    return await service.transition_order(session, principal, order_id, S.PERFORMED)


@router.post("/orders/{order_id}/confirm", response_model=OrderOut)
async def confirm_service(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> OrderOut:
    """The buyer confirms a performed service."""
    return await service.transition_order(session, principal, order_id, S.CONFIRMED)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
async def cancel(
    order_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    data: Annotated[CancelIn | None, Body()] = None,
) -> OrderOut:
    """Cancel: the buyer before acceptance, the seller (with a reason) before shipment."""
    return await service.transition_order(session, principal, order_id, S.CANCELED, cancel=data)


@router.get("/orders/{order_id}/messages", response_model=MessageThread)
async def list_messages(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> MessageThread:
    """The order's messages between its buyer and its seller, oldest first (staff read too)."""
    return await service.list_messages(session, principal, order_id)


@router.post(
    "/orders/{order_id}/messages", status_code=status.HTTP_201_CREATED, response_model=MessageOut
)
async def post_message(
    order_id: uuid.UUID, data: MessageIn, session: DbSession, principal: CurrentPrincipal
) -> MessageOut:
    """Write to the other party of a paid order: its buyer or its seller only. The other party
    is emailed; a buyer's message starts the seller's respond-by clock, the seller's reply
    stops it."""
    return await service.post_message(session, principal, order_id, data)
