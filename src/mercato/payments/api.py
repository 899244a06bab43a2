"""Payments JSON API: start a payment (buyers, with an Idempotency-Key), read payments, the
providers' webhook endpoints, and the ledger for staff."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Query, Request, Response, status

from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.errors import ValidationFailed
from mercato.kit.money import Money, UnknownCurrency
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter
from mercato.payments import service
from mercato.payments.schemas import (
    BalanceOut,
    JournalOut,
    PaymentCreate,
    PaymentOut,
    PaymentStatus,
    WebhookReceipt,
)

router = IndexedRouter(tags=["payments"])
REPLAYED_HEADER = "Idempotent-Replayed"


@router.post("/payments", status_code=status.HTTP_201_CREATED, response_model=PaymentOut)
async def create_payment(
    data: PaymentCreate,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> PaymentOut:
    """Start a payment. ``Idempotency-Key`` is required: a retry with the same key and body
    returns the first payment (with ``Idempotent-Replayed: true``); another body is a 409.
    When ``status`` is ``requires_action``, send the buyer to ``redirect_url``."""
    try:
        amount = Money(data.amount_minor, data.currency)
    except UnknownCurrency as error:
        raise ValidationFailed.on("currency", str(error)) from None
    started = await service.start_payment(
        session,
        principal,
        amount,
        data.method,
        idempotency_key,
        data.purpose_reference,
        data.return_url,
    )
    if started.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return started.payment


@router.get("/payments", response_model=Page[PaymentOut])
async def list_payments(
    session: DbSession,
    principal: CurrentPrincipal,
    status_filter: Annotated[PaymentStatus | None, Query(alias="status")] = None,
    reference: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[PaymentOut]:
    """Your payments, newest first (staff: everyone's)."""
    return await service.list_payments(
        session, principal, status=status_filter, reference=reference, cursor=cursor, limit=limit
    )


@router.get("/payments/{payment_id}", response_model=PaymentOut)
async def get_payment(
    payment_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> PaymentOut:
    """A payment: its payer and staff only."""
    return await service.get_payment(session, principal, payment_id)


@router.post("/payments/webhooks/{provider}", response_model=WebhookReceipt)
async def receive_webhook(provider: str, request: Request, session: DbSession) -> WebhookReceipt:
    """A provider's webhook. Public, but the signature is verified on the raw body with a
    timestamp tolerance: forged, tampered, replayed or expired deliveries get a 400 and nothing
    is stored. A redelivered event is acknowledged without effect."""
    raw_body = await request.body()
    return await service.receive_webhook(session, provider, raw_body, dict(request.headers))


@router.get("/payments/ledger/journals", response_model=Page[JournalOut])
async def list_journals(
    session: DbSession,
    principal: CurrentPrincipal,
    reference: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[JournalOut]:
    """Ledger journals with their postings, newest first; filter by reference
    (``payment:<id>``). Staff only."""
    return await service.list_journals(
        session, principal, reference=reference, cursor=cursor, limit=limit
    )


@router.get("/payments/ledger/balances", response_model=list[BalanceOut])
async def list_balances(
    session: DbSession,
    principal: CurrentPrincipal,
    prefix: Annotated[str, Query(max_length=200)] = "",
    currency: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
) -> list[BalanceOut]:
    """Account balances whose code starts with ``prefix`` (``escrow:``, ``provider:``).
    Staff only."""
    return await service.list_balances(session, principal, prefix=prefix, currency=currency)


# --- finance and reconciliation (staff) ----------------------------------------------------------


@router.get("/payments/ledger/finance", response_model=service.FinanceOverview)
async def finance_overview(
    session: DbSession, principal: CurrentPrincipal
) -> service.FinanceOverview:
    """GMV, commission, take rate, escrow, seller balances, debt and plan revenue per currency,
    with daily GMV and commission over the last 30 days; all from the ledger. Staff only."""
    return await service.finance_overview(session, principal)


@router.get("/payments/ledger/reconciliations", response_model=list[service.ReconciliationOut])
async def list_reconciliations(
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[service.ReconciliationOut]:
    """Reconciliation runs, newest first, with their mismatch counts. Staff only."""
    return await service.list_reconciliations(session, principal, limit=limit)


@router.get("/payments/ledger/reconciliations/{run_id}", response_model=service.ReconciliationOut)
async def get_reconciliation(
    run_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> service.ReconciliationOut:
    """One reconciliation run with every mismatch. Staff only."""
    return await service.get_reconciliation(session, principal, run_id)


@router.post(
    "/payments/ledger/reconciliations",
    status_code=status.HTTP_201_CREATED,
    response_model=service.ReconciliationOut,
)
async def run_reconciliation(
    data: service.ReconcileRequest, session: DbSession, principal: CurrentPrincipal
) -> service.ReconciliationOut:
    """Compare a day's journals on the provider's clearing account with the provider's balance
    transactions now, and keep the run. Admins only."""
    return await service.run_reconciliation(session, principal, data.day, data.provider)
