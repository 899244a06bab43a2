"""Payouts pages: the seller's balance (with a chart of the available balance), its payouts
with the schedule form and the "request payout" button, each payout's statement (and CSV), and
the staff console's payouts with retry and cancel."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.kit.auth import Principal, Role
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError, ValidationFailed
from mercato.kit.ids import new_id
from mercato.kit.money import Money, UnknownCurrency, format_money
from mercato.kit.web import (
    PageUser,
    flash,
    form_errors,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)
from mercato.payouts import service
from mercato.payouts.schemas import (
    STATUS_LABELS,
    WEEKDAYS,
    BalanceOverview,
    Interval,
    PayoutRequestIn,
    PayoutStatus,
    ScheduleIn,
)

router = page_router()
Csrf = Depends(verify_csrf)
PAYOUTS = "/seller/payouts"
CHART_WIDTH, CHART_HEIGHT = 640, 160


def formatting() -> dict[str, Any]:
    return {
        "money": format_money,
        "status_labels": STATUS_LABELS,
        "statuses": list(PayoutStatus),
        "weekdays": WEEKDAYS,
        "intervals": list(Interval),
    }


def _seller(principal: Principal) -> Principal:
    principal.require_role(Role.SELLER)
    return principal


def chart_points(overview: BalanceOverview) -> str:
    """The available balance over time as SVG polyline points (a step per movement)."""
    values = [0, *(point.available_minor for point in overview.history)]
    top = max(max(values), 1)
    step = CHART_WIDTH / max(len(values) - 1, 1)
    points = []
    for index, value in enumerate(values):
        y = CHART_HEIGHT - (value / top) * (CHART_HEIGHT - 10)
        points.append(f"{index * step:.1f},{y:.1f}")
    return " ".join(points)


@router.get("/seller/balance")
async def seller_balance(
    request: Request,
    session: DbSession,
    principal: PageUser,
    currency: Annotated[str, Query(min_length=3, max_length=3)] = "EUR",
) -> Response:
    overview = await service.get_my_balance(session, _seller(principal), currency)
    context = {**formatting(), "overview": overview, "chart": chart_points(overview)}
    context |= {"chart_width": CHART_WIDTH, "chart_height": CHART_HEIGHT}
    return render(request, "payouts/seller_balance.html", context)


async def _payouts_context(
    session: DbSession, principal: Principal, cursor: str | None = None
) -> dict[str, Any]:
    page = await service.list_payouts(session, principal, cursor=cursor, limit=25)
    schedule = await service.get_my_schedule(session, principal)
    overview = await service.get_my_balance(session, principal, "EUR")
    return {
        **formatting(),
        "page": page,
        "schedule": schedule,
        "overview": overview,
        "request_key": new_id().hex,
        "form": {},
        "errors": {},
    }


@router.get(PAYOUTS)
async def seller_payouts(
    request: Request,
    session: DbSession,
    principal: PageUser,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    context = await _payouts_context(session, _seller(principal), cursor)
    return render(request, "payouts/seller_payouts.html", context)


def _amount_minor(raw: str, currency: str) -> int:
    try:
        return Money.from_decimal(raw or "", currency).amount_minor
    except UnknownCurrency as error:
        raise ValidationFailed.on("currency", str(error)) from None
    except (ValueError, TypeError):
        raise ValidationFailed.on("amount", "Enter an amount like 25.00.") from None


@router.post(f"{PAYOUTS}/request", dependencies=[Csrf])
async def seller_request_payout(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    currency = (form.get("currency") or "EUR").upper()
    try:
        data = PayoutRequestIn(
            amount_minor=_amount_minor(form.get("amount", ""), currency), currency=currency
        )
        result = await service.request_payout(
            session, _seller(principal), data, form.get("request_key")
        )
    except MercatoError as error:
        return await _payouts_failed(request, session, principal, error, form)
    response = redirect(f"{PAYOUTS}/{result.payout.id}", request)
    amount = format_money(result.payout.amount_minor, result.payout.currency)
    flash(response, request, f"Payout of {amount} requested.")
    return response


@router.post(f"{PAYOUTS}/schedule", dependencies=[Csrf])
async def seller_save_schedule(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        data = parse_form(ScheduleIn, _schedule_fields(form))
        await service.save_my_schedule(session, _seller(principal), data)
    except MercatoError as error:
        return await _payouts_failed(request, session, principal, error, form)
    response = redirect(PAYOUTS, request)
    flash(response, request, "Payout schedule saved.")
    return response


def _schedule_fields(form: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {"interval": form.get("interval", "")}
    if form.get("interval") == Interval.WEEKLY:
        fields["weekly_anchor"] = form.get("weekly_anchor") or None
    if form.get("interval") == Interval.MONTHLY:
        fields["monthly_anchor"] = form.get("monthly_anchor") or None
    minimum = (form.get("minimum") or "").strip()
    if minimum:
        fields["minimums"] = {"EUR": _amount_minor(minimum, "EUR")}
    return fields


async def _payouts_failed(
    request: Request,
    session: DbSession,
    principal: Principal,
    error: MercatoError,
    form: dict[str, str],
) -> Response:
    await rollback(session)
    if error.status in (401, 403, 404):
        raise error
    context = await _payouts_context(session, principal)
    context |= {"form": form, "errors": form_errors(error), "error": error}
    return render(request, "payouts/seller_payouts.html", context, status_code=error.status)


@router.get(f"{PAYOUTS}/{{payout_id}}")
async def seller_statement(
    payout_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    statement = await service.get_statement(session, _seller(principal), payout_id)
    context = {**formatting(), "statement": statement, "payout": statement.payout}
    return render(request, "payouts/statement.html", context)


@router.get(f"{PAYOUTS}/{{payout_id}}/statement.csv")
async def seller_statement_csv(
    payout_id: uuid.UUID, session: DbSession, principal: PageUser
) -> Response:
    statement = await service.get_statement(session, _seller(principal), payout_id)
    return Response(
        service.statement_csv(statement),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{service.csv_filename(statement)}"'
        },
    )


# --- the staff console --------------------------------------------------------------------------


@router.get("/admin/payouts")
async def admin_payouts(
    request: Request,
    session: DbSession,
    principal: PageUser,
    status: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)  # sellers have their own page
    chosen = PayoutStatus(status) if status in {s.value for s in PayoutStatus} else None
    page = await service.list_payouts(session, principal, status=chosen, cursor=cursor, limit=50)
    context = {
        **formatting(),
        "page": page,
        "status": chosen,
        "cursor": cursor,
        "can_act": principal.role == Role.ADMIN,
    }
    return render(request, "payouts/admin_payouts.html", context)


@router.get("/admin/payouts/{payout_id}")
async def admin_statement(
    payout_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    statement = await service.get_statement(session, principal, payout_id)
    context = {**formatting(), "statement": statement, "payout": statement.payout, "admin": True}
    return render(request, "payouts/admin_statement.html", context)


@router.post("/admin/payouts/{payout_id}/retry", dependencies=[Csrf])
async def admin_retry(
    payout_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    try:
        result = await service.retry_payout(session, principal, payout_id)
    except MercatoError as error:
        return await _admin_refused(request, session, error)
    response = redirect("/admin/payouts", request)
    flash(response, request, f"Retried as a new payout ({result.payout.status.value}).")
    return response


@router.post("/admin/payouts/{payout_id}/cancel", dependencies=[Csrf])
async def admin_cancel(
    payout_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    try:
        await service.cancel_payout(session, principal, payout_id)
    except MercatoError as error:
        return await _admin_refused(request, session, error)
    response = redirect("/admin/payouts", request)
    flash(response, request, "Payout canceled; the money is back in the seller's balance.")
    return response


async def _admin_refused(request: Request, session: DbSession, error: MercatoError) -> Response:
    await rollback(session)
    if error.status in (401, 403, 404):
        raise error
    response = redirect("/admin/payouts", request)
    flash(response, request, error.detail, "error")
    return response
