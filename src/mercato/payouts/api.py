"""Payouts JSON API: the seller's balance, schedule and payouts with their statements; staff
read every payout, admins create, retry and cancel them and edit any schedule."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Query, Response, status

from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter
from mercato.payouts import service
from mercato.payouts.schemas import (
    AdminPayoutIn,
    BalanceOverview,
    PayoutOut,
    PayoutRequestIn,
    PayoutStatus,
    ScheduleIn,
    ScheduleOut,
    StatementOut,
)

router = IndexedRouter(prefix="/payouts", tags=["payouts"])
REPLAYED_HEADER = "Idempotent-Replayed"
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


@router.get("/balance", response_model=BalanceOverview)
async def my_balance(
    session: DbSession,
    principal: CurrentPrincipal,
    currency: Annotated[str, Query(min_length=3, max_length=3)] = "EUR",
) -> BalanceOverview:
    """The signed-in seller's balances, recent movements and available balance over time."""
    return await service.get_my_balance(session, principal, currency)


@router.get("/schedule", response_model=ScheduleOut)
async def my_schedule(session: DbSession, principal: CurrentPrincipal) -> ScheduleOut:
    """The signed-in seller's payout schedule."""
    return await service.get_my_schedule(session, principal)


@router.put("/schedule", response_model=ScheduleOut)
async def save_my_schedule(
    data: ScheduleIn, session: DbSession, principal: CurrentPrincipal
) -> ScheduleOut:
    """Set the signed-in seller's payout schedule and minimums."""
    return await service.save_my_schedule(session, principal, data)


@router.get("/schedules/{seller_id}", response_model=ScheduleOut)
async def seller_schedule(
    seller_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ScheduleOut:
    """Any seller's payout schedule (staff)."""
    return await service.get_seller_schedule(session, principal, seller_id)


@router.put("/schedules/{seller_id}", response_model=ScheduleOut)
async def save_seller_schedule(
    seller_id: uuid.UUID, data: ScheduleIn, session: DbSession, principal: CurrentPrincipal
) -> ScheduleOut:
    """Set any seller's payout schedule (admins)."""
    return await service.save_seller_schedule(session, principal, seller_id, data)


@router.get("", response_model=Page[PayoutOut])
async def list_payouts(
    session: DbSession,
    principal: CurrentPrincipal,
    status_filter: Annotated[PayoutStatus | None, Query(alias="status")] = None,
    seller_id: uuid.UUID | None = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[PayoutOut]:
    """Payouts newest first: a seller's own; staff see everyone's, by status and seller."""
    return await service.list_payouts(
        session, principal, status=status_filter, seller_id=seller_id, cursor=cursor, limit=limit
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PayoutOut)
async def request_payout(
    data: PayoutRequestIn,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> PayoutOut:
    """The signed-in seller asks for a payout of its available balance. ``Idempotency-Key``
    is required: the same key returns the first payout (``Idempotent-Replayed: true``)."""
    result = await service.request_payout(session, principal, data, idempotency_key)
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return result.payout


@router.post("/admin", status_code=status.HTTP_201_CREATED, response_model=PayoutOut)
async def create_admin_payout(
    data: AdminPayoutIn,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> PayoutOut:
    """An admin pays a seller out now (``Idempotency-Key`` required)."""
    result = await service.create_admin_payout(session, principal, data, idempotency_key)
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return result.payout


@router.get("/{payout_id}", response_model=PayoutOut)
async def get_payout(
    payout_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> PayoutOut:
    """A payout: its seller's and staff's (another seller gets a 404)."""
    return await service.get_payout(session, principal, payout_id)


@router.get("/{payout_id}/statement", response_model=StatementOut)
async def get_statement(
    payout_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> StatementOut:
    """Every movement of the available balance since the previous payout."""
    return await service.get_statement(session, principal, payout_id)


@router.get("/{payout_id}/statement.csv")
async def get_statement_csv(
    payout_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """The statement as CSV."""
    statement = await service.get_statement(session, principal, payout_id)
    return csv_response(statement)


@router.post("/{payout_id}/retry", status_code=status.HTTP_201_CREATED, response_model=PayoutOut)
async def retry_payout(
    payout_id: uuid.UUID, response: Response, session: DbSession, principal: CurrentPrincipal
) -> PayoutOut:
    """Pay a failed payout again, as a new payout (admins)."""
    result = await service.retry_payout(session, principal, payout_id)
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return result.payout


@router.post("/{payout_id}/cancel", response_model=PayoutOut)
async def cancel_payout(
    payout_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> PayoutOut:
    """Cancel a pending payout; its money returns to the balance (admins)."""
    return await service.cancel_payout(session, principal, payout_id)


def csv_response(statement: StatementOut) -> Response:
    filename = service.csv_filename(statement)
    return Response(
        service.statement_csv(statement),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
