"""Governance pages: the admin's policies (versions, a draft form with per-category overrides,
the preview of a draft SLA or escrow hold on past orders with its chart, activation), the
buyer's terms acceptance, and the seller's SLA clocks, breaches and warnings."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog.service import list_categories_flat
from mercato.governance import service
from mercato.governance.calculations import DEFAULT_SLA, HOLD_DAYS, MAX_HOLD_DAYS, SLA_PARAMETERS
from mercato.governance.schemas import (
    DEADLINE_LABELS,
    KIND_LABELS,
    ActivateIn,
    HoldPreviewOut,
    PolicyDraftIn,
    PolicyKind,
    PolicyVersionOut,
    PreviewOut,
    SlaOverrideIn,
)
from mercato.kit.auth import Principal, Role
from mercato.kit.deps import DbSession
from mercato.kit.errors import FieldError, MercatoError, ValidationFailed
from mercato.kit.money import format_money
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

router = page_router()
Csrf = Depends(verify_csrf)
POLICIES = "/admin/governance/policies"
OVERRIDE_ROWS = 3
MAX_HOLD_ROWS = 200  # as many category periods as a version may have
CHART_BAR, CHART_GAP, CHART_HEIGHT = 28, 44, 140


def formatting() -> dict[str, Any]:
    return {
        "money": format_money,
        "kind_labels": KIND_LABELS,
        "deadline_labels": DEADLINE_LABELS,
        "parameters": SLA_PARAMETERS,
        "percent": lambda bp: f"{bp / 100:.2f} %",
        "max_hold_days": MAX_HOLD_DAYS,
    }


async def _policies_context(
    session: AsyncSession, principal: Principal, kind: str | None = None
) -> dict[str, Any]:
    versions = await service.list_policies(session, principal)
    categories = await list_categories_flat(session)
    latest_sla = next((v for v in versions if v.kind is PolicyKind.SLA), None)
    defaults = {**DEFAULT_SLA, **(latest_sla.parameters if latest_sla else {})}
    hold_form, hold_rows = _hold_form(versions)
    return {
        **formatting(),
        "versions": versions,
        "kinds": list(PolicyKind),
        "categories": categories,
        "category_names": {str(c.id): c.name for c in categories},
        "override_rows": range(OVERRIDE_ROWS),
        "hold_override_rows": range(hold_rows),
        "form": {
            "kind": kind if kind in set(PolicyKind) else "sla",
            **{name: str(value) for name, value in defaults.items()},
            **hold_form,
        },
        "errors": {},
        "can_edit": principal.role is Role.ADMIN,
    }


def _hold_form(versions: list[PolicyVersionOut]) -> tuple[dict[str, str], int]:
    """The escrow hold form filled with the version in force (else the latest), so a new
    version starts from the current periods; and how many override rows to show."""
    holds = [v for v in versions if v.kind is PolicyKind.ESCROW_HOLD]
    start = next((v for v in holds if v.in_force), holds[0] if holds else None)
    if start is None:
        return {}, OVERRIDE_ROWS
    form = {HOLD_DAYS: str(start.parameters[HOLD_DAYS])} if HOLD_DAYS in start.parameters else {}
    for row, override in enumerate(start.overrides):
        form[f"hold_override_{row}_category"] = str(override.category_id)
        form[f"hold_override_{row}_days"] = str(override.parameters.get(HOLD_DAYS, ""))
    return form, max(OVERRIDE_ROWS, len(start.overrides) + 1)


@router.get(POLICIES)
async def admin_policies(
    request: Request,
    session: DbSession,
    principal: PageUser,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    context = await _policies_context(session, principal, kind)
    return render(request, "governance/admin_policies.html", context)


def _int_field(form: dict[str, str], key: str, field: str, errors: list[FieldError]) -> int | None:
    raw = (form.get(key) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors.append(FieldError(field, "Enter a whole number."))
        return None


def _kind_of(form: dict[str, str]) -> PolicyKind:
    try:
        return PolicyKind(form.get("kind") or PolicyKind.SLA.value)
    except ValueError:
        return PolicyKind.SLA


def _draft_from_form(form: dict[str, str]) -> PolicyDraftIn:
    errors: list[FieldError] = []
    kind = _kind_of(form)
    parameters: dict[str, int] = {}
    overrides: list[SlaOverrideIn] = []
    if kind is PolicyKind.ESCROW_HOLD:
        base = _int_field(form, HOLD_DAYS, f"parameters.{HOLD_DAYS}", errors)
        parameters = {} if base is None else {HOLD_DAYS: base}
        overrides = _hold_overrides_from_form(form, errors)
    if kind is PolicyKind.SLA:
        for name in SLA_PARAMETERS:
            value = _int_field(form, name, f"parameters.{name}", errors)
            if value is None and not any(e.field.endswith(name) for e in errors):
                errors.append(FieldError(f"parameters.{name}", "This field is required."))
            parameters[name] = value if value is not None else 0
        overrides = _overrides_from_form(form, errors)
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    try:
        return PolicyDraftIn(
            kind=kind,
            reason=(form.get("reason") or "").strip() or "",
            title=form.get("title") or None,
            body=form.get("body") or None,
            parameters=parameters,
            overrides=overrides,
        )
    except ValueError:
        raise ValidationFailed.on("reason", "Say why this version is needed.") from None


def _overrides_from_form(form: dict[str, str], errors: list[FieldError]) -> list[SlaOverrideIn]:
    overrides = []
    for row in range(OVERRIDE_ROWS):
        category = (form.get(f"override_{row}_category") or "").strip()
        if not category:
            continue
        values = {}
        for name in SLA_PARAMETERS:
            value = _int_field(
                form, f"override_{row}_{name}", f"overrides.{row}.parameters.{name}", errors
            )
            if value is not None:
                values[name] = value
        try:
            overrides.append(SlaOverrideIn(category_id=uuid.UUID(category), parameters=values))
        except ValueError:
            errors.append(FieldError(f"overrides.{row}.category_id", "No such category."))
    return overrides


def _hold_overrides_from_form(
    form: dict[str, str], errors: list[FieldError]
) -> list[SlaOverrideIn]:
    """The escrow hold's category rows (``hold_override_<n>_category`` / ``_days``), errors
    named by the override's place among the rows filled in, as the service names them; a row
    with a category and no days is sent on, so the service names the missing value."""
    overrides = []
    chosen = 0  # the override's place among the rows filled in
    for row in range(MAX_HOLD_ROWS):
        if f"hold_override_{row}_category" not in form:
            break
        category = (form.get(f"hold_override_{row}_category") or "").strip()
        days_key = f"hold_override_{row}_days"
        if not category:
            continue
        field = f"overrides.{chosen}"
        chosen += 1
        days = _int_field(form, days_key, f"{field}.parameters.{HOLD_DAYS}", errors)
        try:
            category_id = uuid.UUID(category)
        except ValueError:
            errors.append(FieldError(f"{field}.category_id", "No such category."))
            continue
        values = {} if days is None else {HOLD_DAYS: days}
        overrides.append(SlaOverrideIn(category_id=category_id, parameters=values))
    return overrides


@router.post(POLICIES, dependencies=[Csrf])
async def admin_draft_policy(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        draft = await service.draft_policy(session, principal, _draft_from_form(form))
    except MercatoError as error:
        if error.status in (401, 403, 404):
            raise
        return await form_failed(
            request,
            session,
            error,
            "governance/admin_policies.html",
            {"form": form, "field_errors": _flat_errors(error)},
            reload=lambda: _policies_context(session, principal),
        )
    previewed = draft.kind in (PolicyKind.SLA, PolicyKind.ESCROW_HOLD)
    target = f"{POLICIES}/{draft.id}/preview" if previewed else POLICIES
    response = redirect(target, request)
    flash(response, request, f"{KIND_LABELS[draft.kind]} version {draft.version} drafted.")
    return response


def _flat_errors(error: MercatoError) -> dict[str, str]:
    """Each dotted field (``overrides.0.parameters.ship_within_days``) with its message."""
    messages: dict[str, str] = {}
    for item in error.errors:
        messages.setdefault(item.field, item.message)
    return messages


def chart_bars(preview: PreviewOut) -> list[dict[str, Any]]:
    """Two bars per deadline (current, draft) scaled to the tallest, for the SVG chart."""
    return _pair_bars([(DEADLINE_LABELS[b.kind], b.current, b.draft) for b in preview.breaches])


def hold_chart_bars(preview: HoldPreviewOut) -> list[dict[str, Any]]:
    """Two bars per hold length (orders now, with the draft), for the SVG chart."""
    return _pair_bars([(b.label, b.current, b.draft) for b in preview.buckets])


def _pair_bars(groups: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Two bars per group (current, draft) scaled to the tallest."""
    top = max([1, *(max(current, draft) for _, current, draft in groups)])
    bars = []
    for index, (label, current, draft) in enumerate(groups):
        x = index * (2 * CHART_BAR + CHART_GAP) + 10
        for offset, (side, value) in enumerate((("current", current), ("draft", draft))):
            height = round(value / top * (CHART_HEIGHT - 30))
            bars.append(
                {
                    "x": x + offset * CHART_BAR,
                    "y": CHART_HEIGHT - 20 - height,
                    "height": height,
                    "side": side,
                    "value": value,
                    "label": label if offset == 0 else "",
                }
            )
    return bars


PREVIEW_TEMPLATES = {
    PolicyKind.SLA: "governance/admin_preview.html",
    PolicyKind.ESCROW_HOLD: "governance/admin_hold_preview.html",
}


async def _preview_context(
    session: AsyncSession, principal: Principal, version_id: uuid.UUID
) -> dict[str, Any]:
    preview = await service.preview_policy(session, principal, version_id)
    names: dict[str, str] = {}
    if isinstance(preview, HoldPreviewOut):
        bars, groups = hold_chart_bars(preview), len(preview.buckets)
        names = {str(c.id): c.name for c in await list_categories_flat(session)}
    else:
        bars, groups = chart_bars(preview), len(preview.breaches)
    return {
        **formatting(),
        "category_names": names,
        "preview": preview,
        "policy": preview.policy,
        "bars": bars,
        "chart_width": groups * (2 * CHART_BAR + CHART_GAP) + 10,
        "chart_height": CHART_HEIGHT,
        "bar_width": CHART_BAR - 4,
        "form": {},
        "errors": {},
    }


@router.get(f"{POLICIES}/{{version_id}}/preview")
async def admin_preview(
    version_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    context = await _preview_context(session, principal, version_id)
    return render(request, PREVIEW_TEMPLATES[context["policy"].kind], context)


@router.post(f"{POLICIES}/{{version_id}}/activate", dependencies=[Csrf])
async def admin_activate(
    version_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        data = ActivateIn.model_validate(
            {
                "effective_from": (form.get("effective_from") or "").strip() or None,
                "reason": form.get("reason") or None,
            }
        )
        activated = await service.activate_policy(session, principal, version_id, data)
    except ValueError:
        error: MercatoError = ValidationFailed.on(
            "effective_from", "Enter a date and time like 2026-12-01T09:00Z."
        )
        return await _activate_failed(request, session, principal, version_id, error, form)
    except MercatoError as failure:
        if failure.status in (401, 403, 404):
            raise
        return await _activate_failed(request, session, principal, version_id, failure, form)
    response = redirect(POLICIES, request)
    flash(response, request, f"Version {activated.version} activated.")
    return response


async def _activate_failed(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    version_id: uuid.UUID,
    error: MercatoError,
    form: dict[str, str],
) -> Response:
    policy = await service.get_policy(session, principal, version_id)
    return await form_failed(
        request,
        session,
        error,
        PREVIEW_TEMPLATES.get(policy.kind, "governance/admin_preview.html"),
        {"form": form},
        reload=lambda: _preview_context(session, principal, version_id),
    )


# --- buyer terms -------------------------------------------------------------------------------


@router.get(service.TERMS_PATH)
async def terms_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    status = await service.terms_status(session, principal)
    context = {"status": status, "form": {}, "errors": {}, "next": request.query_params.get("next")}
    return render(request, "governance/terms_accept.html", context)


@router.post(service.TERMS_PATH, dependencies=[Csrf])
async def accept_terms_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    address = request.client.host if request.client else "unknown"
    try:
        version = int(form.get("version") or 0)
        await service.accept_buyer_terms(session, principal, version, address)
    except ValueError:
        version_error: MercatoError = ValidationFailed.on("version", "Accept the version shown.")
        return await _terms_failed(request, session, principal, version_error)
    except MercatoError as error:
        if error.status in (401, 403, 404):
            raise
        return await _terms_failed(request, session, principal, error)
    next_url = form.get("next") or "/"
    # Only a path of this site: "//host" would send the buyer elsewhere.
    local = next_url.startswith("/") and not next_url.startswith("//")
    response = redirect(next_url if local else "/", request)
    flash(response, request, "Thank you: the terms of use are accepted.")
    return response


async def _terms_failed(
    request: Request, session: AsyncSession, principal: Principal, error: MercatoError
) -> Response:
    async def reload() -> dict[str, Any]:
        return {"status": await service.terms_status(session, principal), "form": {}}

    return await form_failed(request, session, error, "governance/terms_accept.html", reload=reload)


# --- seller ------------------------------------------------------------------------------------


@router.get("/seller/sla")
async def seller_sla(request: Request, session: DbSession, principal: PageUser) -> Response:
    principal.require_role(Role.SELLER)
    overview = await service.seller_sla_overview(session, principal)
    terms = await service.sla_terms_out(session, None)
    context = {**formatting(), "overview": overview, "terms": terms}
    return render(request, "governance/seller_sla.html", context)
