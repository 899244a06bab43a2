"""Payments pages: the sandbox provider's hosted pages (card form, 3-D Secure style challenge,
e-wallet), the buyer's payment status page, and the staff console's payments and ledger.

The sandbox pages stand for a provider's own site: they have their own layout, no scripts, and a
Content-Security-Policy whose ``form-action 'self'`` keeps the card form from posting anywhere
but the sandbox's own endpoint.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.kit import clock
from mercato.kit.auth import Role
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession, WritingDbSession
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.money import Money, format_money
from mercato.kit.web import (
    PageUser,
    flash,
    form_errors,
    page_router,
    read_form,
    redirect,
    render,
    verify_csrf,
)
from mercato.payments import service
from mercato.payments.providers.sandbox import TEST_CARDS, HostedPayment, with_query
from mercato.payments.schemas import PaymentStatus

router = page_router()
Csrf = Depends(verify_csrf)
SANDBOX = "/sandbox/pay/{sandbox_id}"


def _sandbox_page(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    nonce = secrets.token_urlsafe(16)
    response = render(request, template, {**context, "csp_nonce": nonce}, status_code=status_code)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; "
        f"style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _hosted_context(payment: HostedPayment) -> dict[str, Any]:
    money = Money(payment.amount_minor, payment.currency)
    return_link = with_query(
        payment.return_url, sandbox_payment=payment.id, redirect_status=payment.status.value
    )
    return {
        "payment": payment,
        "amount": money.format(),
        "test_cards": _test_cards(),
        "return_link": return_link,
    }


def _test_cards() -> list[tuple[str, str]]:
    labels = {
        "succeed": "Succeeds",
        "decline": "Declined",
        "challenge": "Asks for a challenge (approve or deny)",
        "fail_later": "Processing, then fails a few seconds later",
    }
    return [
        (" ".join(number[i : i + 4] for i in range(0, 16, 4)), labels[behaviour.value])
        for number, behaviour in TEST_CARDS.items()
    ]


@router.get(SANDBOX)
async def hosted_page(sandbox_id: str, request: Request, session: DbSession) -> Response:
    payment = await service.hosted_payment(session, sandbox_id)
    context = _hosted_context(payment)
    if payment.status is not PaymentStatus.REQUIRES_ACTION:
        return _sandbox_page(request, "payments/sandbox_done.html", context)
    if payment.needs_challenge:
        return redirect(SANDBOX.format(sandbox_id=sandbox_id) + "/challenge")
    template = (
        "payments/sandbox_wallet.html"
        if payment.method == "ewallet"
        else "payments/sandbox_card.html"
    )
    return _sandbox_page(request, template, context)


@router.post(SANDBOX + "/card", dependencies=[Csrf])
async def submit_card(sandbox_id: str, request: Request, session: DbSession) -> Response:
    form = await read_form(request)
    try:
        next_url = await service.pay_by_card(
            session,
            sandbox_id,
            form.get("number", ""),
            form.get("expiry", ""),
            form.get("cvc", ""),
        )
    except service.CardRefused as error:
        await rollback(session)
        payment = await service.hosted_payment(session, sandbox_id)
        # The number and the code are never sent back, not even into the form.
        context = {
            **_hosted_context(payment),
            "errors": form_errors(error),
            "error": error,
            "form": {"expiry": form.get("expiry", ""), "name": form.get("name", "")},
        }
        return _sandbox_page(request, "payments/sandbox_card.html", context, status_code=422)
    except Conflict:
        return redirect(SANDBOX.format(sandbox_id=sandbox_id))
    return redirect(next_url)


@router.get(SANDBOX + "/challenge")
async def challenge_page(sandbox_id: str, request: Request, session: DbSession) -> Response:
    payment = await service.hosted_payment(session, sandbox_id)
    if payment.status is not PaymentStatus.REQUIRES_ACTION or not payment.needs_challenge:
        return redirect(SANDBOX.format(sandbox_id=sandbox_id))
    return _sandbox_page(request, "payments/sandbox_challenge.html", _hosted_context(payment))


@router.post(SANDBOX + "/challenge", dependencies=[Csrf])
async def answer_challenge(sandbox_id: str, request: Request, session: DbSession) -> Response:
    form = await read_form(request)
    try:
        next_url = await service.decide_challenge(
            session, sandbox_id, approve=form.get("decision") == "approve"
        )
    except Conflict:
        return redirect(SANDBOX.format(sandbox_id=sandbox_id))
    return redirect(next_url)


@router.post(SANDBOX + "/wallet", dependencies=[Csrf])
async def approve_wallet(sandbox_id: str, session: DbSession) -> Response:
    try:
        next_url = await service.approve_wallet(session, sandbox_id)
    except Conflict:
        return redirect(SANDBOX.format(sandbox_id=sandbox_id))
    return redirect(next_url)


@router.post(SANDBOX + "/cancel", dependencies=[Csrf])
async def cancel(sandbox_id: str, session: DbSession) -> Response:
    try:
        next_url = await service.cancel_hosted(session, sandbox_id)
    except Conflict:
        return redirect(SANDBOX.format(sandbox_id=sandbox_id))
    return redirect(next_url)


# --- the buyer's side ---------------------------------------------------------------------------


@router.get("/payments/return")
async def payment_return(
    request: Request,
    session: DbSession,
    principal: PageUser,
    sandbox_payment: Annotated[str | None, Query(max_length=64)] = None,
    payment_intent: Annotated[str | None, Query(max_length=255)] = None,
) -> Response:
    """Where providers send the buyer back by default; on to the payment's own page."""
    if sandbox_payment:
        provider, provider_id = "sandbox", sandbox_payment
    elif payment_intent:
        provider, provider_id = "stripe", payment_intent
    else:
        raise NotFound("No payment to return to.")
    payment_id = await service.find_returning_payment(session, principal, provider, provider_id)
    return redirect(f"/payments/{payment_id}", request)


@router.get("/payments/{payment_id}")
async def payment_page(
    payment_id: uuid.UUID, request: Request, session: WritingDbSession, principal: PageUser
) -> Response:
    payment = await service.refresh_payment(session, principal, payment_id)
    context = {"payment": payment, "amount": Money(payment.amount_minor, payment.currency)}
    template = (
        "payments/_payment_status.html"
        if request.headers.get("hx-request")
        else "payments/payment.html"
    )
    return render(request, template, context)


# --- the staff console ---------------------------------------------------------------------------


@router.get("/admin/payments")
async def admin_payments(
    request: Request,
    session: DbSession,
    principal: PageUser,
    status: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    chosen = PaymentStatus(status) if status in {s.value for s in PaymentStatus} else None
    page = await service.list_all_payments(
        session, principal, status=chosen, cursor=cursor, limit=50
    )
    context = {
        "page": page,
        "status": chosen,
        "statuses": list(PaymentStatus),
        "cursor": cursor,
        "can_settle": principal.role == Role.ADMIN,
    }
    return render(request, "payments/admin_payments.html", context)


@router.post("/admin/payments/{payment_id}/settle", dependencies=[Csrf])
async def admin_settle(
    payment_id: uuid.UUID, request: Request, session: WritingDbSession, principal: PageUser
) -> Response:
    try:
        settled = await service.settle_sandbox_payment_for(session, principal, payment_id)
    except Conflict as error:
        response = redirect("/admin/payments", request)
        flash(response, request, error.detail, "error")
        return response
    response = redirect("/admin/payments", request)
    message = "The sandbox settled the payment." if settled else "Nothing to settle."
    flash(response, request, message, "success" if settled else "info")
    return response


@router.get("/admin/payments/journals")
async def admin_journals(
    request: Request,
    session: DbSession,
    principal: PageUser,
    reference: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    page = await service.list_journals(
        session, principal, reference=reference, cursor=cursor, limit=25
    )
    context = {"page": page, "reference": reference, "cursor": cursor, "money": Money}
    return render(request, "payments/admin_journals.html", context)


# --- finance overview and reconciliation (staff) -------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 220, 28


def _finance_chart(daily: list[Any], currency: str) -> dict[str, Any]:
    """Geometry of the daily GMV bars and the commission line of one currency, for an inline
    SVG (no script needed; the figures are also in the table under it)."""
    points = [figure for figure in daily if figure.currency == currency]
    top: int = max([1, *(p.gmv_minor for p in points), *(p.commission_minor for p in points)])
    width = (CHART_WIDTH - 2 * CHART_PAD) / max(len(points), 1)
    base = CHART_HEIGHT - CHART_PAD

    def y(amount: int) -> float:
        return round(base - max(amount, 0) / float(top) * (CHART_HEIGHT - 2 * CHART_PAD), 1)

    bars = [
        {
            "x": round(CHART_PAD + i * width + width * 0.15, 1),
            "y": y(p.gmv_minor),
            "width": round(width * 0.7, 1),
            "height": round(base - y(p.gmv_minor), 1),
            "label": f"{p.day.isoformat()}: GMV {format_money(p.gmv_minor, currency)}",
        }
        for i, p in enumerate(points)
    ]
    line = " ".join(
        f"{round(CHART_PAD + (i + 0.5) * width, 1)},{y(p.commission_minor)}"
        for i, p in enumerate(points)
    )
    return {
        "bars": bars,
        "line": line,
        "top": format_money(top, currency),
        "first": points[0].day if points else None,
        "last": points[-1].day if points else None,
        "points": points,
    }


@router.get("/admin/finance")
async def admin_finance(request: Request, session: DbSession, principal: PageUser) -> Response:
    overview = await service.finance_overview(session, principal)
    charts = {c.currency: _finance_chart(overview.daily, c.currency) for c in overview.currencies}
    context = {
        "overview": overview,
        "charts": charts,
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "pad": CHART_PAD},
        "fmt": format_money,
    }
    return render(request, "payments/admin_finance.html", context)


@router.get("/admin/finance/reconciliation")
async def admin_reconciliations(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    runs = await service.list_reconciliations(session, principal, limit=50)
    latest = await service.get_reconciliation(session, principal, runs[0].id) if runs else None
    context = {
        "runs": runs,
        "run": latest,
        "can_run": principal.role == Role.ADMIN,
        "providers": service.reconciled_providers(),
        "yesterday": (clock.now().date() - timedelta(days=1)).isoformat(),
        "fmt": format_money,
    }
    return render(request, "payments/admin_reconciliation.html", context)


@router.get("/admin/finance/reconciliation/{run_id}")
async def admin_reconciliation(
    run_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    run = await service.get_reconciliation(session, principal, run_id)
    context = {"run": run, "fmt": format_money}
    return render(request, "payments/admin_reconciliation_run.html", context)


@router.post("/admin/finance/reconciliation", dependencies=[Csrf])
async def admin_run_reconciliation(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    principal.require_role(Role.ADMIN)
    form = await read_form(request)
    try:
        day = date.fromisoformat(form.get("day", ""))
    except ValueError:
        response = redirect("/admin/finance/reconciliation", request)
        flash(response, request, "Choose the day to reconcile (YYYY-MM-DD).", "error")
        return response
    try:
        run = await service.run_reconciliation(
            session, principal, day, form.get("provider", "sandbox")
        )
    except ValidationFailed as error:
        await rollback(session)
        response = redirect("/admin/finance/reconciliation", request)
        flash(response, request, "; ".join(form_errors(error).values()), "error")
        return response
    response = redirect(f"/admin/finance/reconciliation/{run.id}", request)
    if run.status == "ok":
        flash(response, request, f"{run.provider} {run.day}: everything matches.", "success")
    else:
        flash(response, request, f"{run.provider} {run.day}: {run.status}.", "error")
    return response
