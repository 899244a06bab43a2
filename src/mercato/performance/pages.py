"""Performance pages: the seller's metrics against the thresholds with the weekly trend, its
standing, history and appeal form; the admin's table of every seller (sortable, filtered by
level), one seller's detail, the appeals queue, the thresholds form and "evaluate now"."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError, ValidationFailed
from mercato.kit.web import (
    PageUser,
    flash,
    form_failed,
    page_router,
    read_form,
    redirect,
    render,
    verify_csrf,
)
from mercato.performance import service
from mercato.performance.calculations import LEVEL_LABELS, METRIC_LABELS, format_bp
from mercato.performance.schemas import (
    AppealDecisionIn,
    AppealIn,
    ThresholdsIn,
    TrendPoint,
)

router = page_router()
Csrf = Depends(verify_csrf)
SELLER_PAGE, ADMIN_PAGE = "/seller/performance", "/admin/performance"
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 520, 160, 28
TREND_SERIES = (
    ("defect_bp", "defect"),
    ("late_shipment_bp", "late"),
    ("cancellation_bp", "cancel"),
)


def formatting() -> dict[str, Any]:
    return {
        "pct": format_bp,
        "level_labels": LEVEL_LABELS,
        "metric_labels": METRIC_LABELS,
        "hours": lambda s: "no data" if s is None else f"{s / 3600:.1f} h",
    }


def trend_chart(points: list[TrendPoint]) -> dict[str, Any]:
    """Polylines of the 30-day rates at each week's end, scaled to the highest value (at
    least 5%), for the SVG chart; weeks without data leave a gap."""
    values = [getattr(p, name) or 0 for p in points for name, _ in TREND_SERIES]
    top = max([500, *values])
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(1, len(points) - 1)
    lines = []
    for name, css in TREND_SERIES:
        coords = []
        for index, point in enumerate(points):
            value = getattr(point, name)
            if value is not None:
                x = CHART_PAD + index * step
                y = CHART_HEIGHT - CHART_PAD - value / top * (CHART_HEIGHT - 2 * CHART_PAD)
                coords.append(f"{x:.1f},{y:.1f}")
        lines.append({"css": css, "points": " ".join(coords), "label": name})
    labels = [
        {"x": CHART_PAD + i * step, "text": p.at.strftime("%d %b")}
        for i, p in enumerate(points)
        if i % 3 == 0 or i == len(points) - 1
    ]
    return {
        "lines": lines,
        "labels": labels,
        "top": format_bp(top),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pad": CHART_PAD,
    }


# --- seller ------------------------------------------------------------------------------------


async def _seller_context(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    performance = await service.my_performance(session, principal)
    return {
        **formatting(),
        "performance": performance,
        "chart": trend_chart(performance.trend),
        "thresholds": await service.current_thresholds(session, principal),
        "form": {},
        "errors": {},
    }


@router.get(SELLER_PAGE)
async def seller_performance(request: Request, session: DbSession, principal: PageUser) -> Response:
    principal.require_role(Role.SELLER)
    context = await _seller_context(session, principal)
    return render(request, "performance/seller_performance.html", context)


@router.post(f"{SELLER_PAGE}/appeal", dependencies=[Csrf])
async def seller_appeal(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        await service.file_appeal(session, principal, AppealIn(text=form.get("text") or ""))
    except MercatoError as error:
        if error.status in (401, 403, 404):
            raise
        return await form_failed(
            request,
            session,
            error,
            "performance/seller_performance.html",
            {"form": form},
            reload=lambda: _seller_context(session, principal),
        )
    response = redirect(SELLER_PAGE, request)
    flash(response, request, "Your appeal was sent: an administrator will answer by email.")
    return response


# --- admin -------------------------------------------------------------------------------------


async def _admin_context(
    session: AsyncSession, principal: Principal, request: Request
) -> dict[str, Any]:
    params = request.query_params
    sort = params.get("sort") or "level"
    level_raw = params.get("level") or ""
    level = int(level_raw) if level_raw.isdigit() and int(level_raw) <= 4 else None
    detail = None
    seller_raw = params.get("seller")
    if seller_raw:
        try:
            detail = await service.seller_performance(session, principal, uuid.UUID(seller_raw))
        except ValueError:
            detail = None
    return {
        **formatting(),
        "rows": await service.seller_table(session, principal, level=level, sort=sort),
        "sort": sort,
        "level": level,
        "detail": detail,
        "chart": trend_chart(detail.trend) if detail else None,
        "appeals": await service.list_appeals(session, principal),
        "thresholds": await service.current_thresholds(session, principal),
        "can_edit": principal.role is Role.ADMIN,
        "form": {},
        "errors": {},
    }


@router.get(ADMIN_PAGE)
async def admin_performance(request: Request, session: DbSession, principal: PageUser) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    context = await _admin_context(session, principal, request)
    return render(request, "performance/admin_performance.html", context)


async def _admin_failed(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    error: MercatoError,
    form: dict[str, str],
) -> Response:
    if error.status in (401, 403, 404):
        raise error
    return await form_failed(
        request,
        session,
        error,
        "performance/admin_performance.html",
        {"form": form},
        reload=lambda: _admin_context(session, principal, request),
    )


@router.post(f"{ADMIN_PAGE}/appeals/{{appeal_id}}", dependencies=[Csrf])
async def admin_decide_appeal(
    appeal_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    data = AppealDecisionIn(
        accept=form.get("decision") == "accept", reason=form.get("reason") or ""
    )
    try:
        decided = await service.decide_appeal(session, principal, appeal_id, data)
    except MercatoError as error:
        return await _admin_failed(request, session, principal, error, form)
    response = redirect(ADMIN_PAGE, request)
    flash(response, request, f"Appeal {decided.status}.")
    return response


def _thresholds_from_form(form: dict[str, str]) -> ThresholdsIn:
    values: dict[str, Any] = {"reason": form.get("reason") or ""}
    for name in (*service.RATE_FIELDS, "min_orders", "cooldown_days", "protection_days"):
        raw = (form.get(name) or "").strip()
        try:
            values[name] = int(raw)
        except ValueError:
            raise ValidationFailed.on(name, "Enter a whole number.") from None
    return ThresholdsIn(**values)


@router.post(f"{ADMIN_PAGE}/thresholds", dependencies=[Csrf])
async def admin_set_thresholds(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        saved = await service.set_thresholds(session, principal, _thresholds_from_form(form))
    except MercatoError as error:
        return await _admin_failed(request, session, principal, error, form)
    response = redirect(ADMIN_PAGE, request)
    flash(response, request, f"Thresholds version {saved.version} is in force.")
    return response


@router.post(f"{ADMIN_PAGE}/evaluate", dependencies=[Csrf])
async def admin_evaluate(request: Request, session: DbSession, principal: PageUser) -> Response:
    report = await service.evaluate_all(session, principal)
    response = redirect(ADMIN_PAGE, request)
    flash(
        response,
        request,
        f"{report.evaluated} sellers evaluated: {report.escalated} escalated, "
        f"{report.deescalated} stepped down.",
    )
    return response
