"""Commission pages: the admin's rules / plans / incentives editor (``/admin/commission``) and
the seller's fees page (``/seller/fees``): current plan, plan choice, and the "what will I net?"
calculator answered through htmx."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from mercato.catalog import service as catalog_service
from mercato.commission import service
from mercato.commission.calculations import format_rate
from mercato.commission.forms import (
    FormReader,
    bps_to_percent,
    form_field,
    minor_to_major,
    read_incentive,
    read_plan,
    read_rule_terms,
    tiers_text,
)
from mercato.commission.schemas import (
    IncentiveIn,
    IncentiveKind,
    PlanIn,
    RuleIn,
    RuleScope,
    RuleTerms,
    TierMode,
)
from mercato.kit.auth import Principal, Role
from mercato.kit.deps import DbSession
from mercato.kit.errors import FieldError, MercatoError, NotFound, ValidationFailed
from mercato.kit.money import Money, format_money
from mercato.kit.web import (
    PageUser,
    flash,
    form_failed,
    is_htmx,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)

router = page_router()
Csrf = Depends(verify_csrf)
ADMIN = "/admin/commission"
SELLER = "/seller/fees"


def _helpers() -> dict[str, Any]:
    return {
        "money": format_money,
        "rate": format_rate,
        "percent": bps_to_percent,
        "major": minor_to_major,
        "tiers_text": tiers_text,
    }


def _admin(principal: Principal) -> Principal:
    principal.require_role(Role.ADMIN)
    return principal


_NOT_TYPED_AS_IS = frozenset({"tiers", "seller_ids", "csrf_token", "plan_id"})


def _typed_as_is(name: str) -> bool:
    """Fields the model takes as typed; rates and amounts arrive in percent and major units
    and only :mod:`mercato.commission.forms` may produce their ``_bps`` / ``_minor`` values."""
    return name not in _NOT_TYPED_AS_IS and not name.endswith(("_bps", "_minor"))


def _parse(model: type[BaseModel], form: dict[str, str], reader: FormReader) -> Any:
    """The model from the form, or one :class:`ValidationFailed` naming every bad field."""
    values = {k: v for k, v in form.items() if _typed_as_is(k)}
    values.update(reader.values)
    for key in ("effective_from", "effective_to", "valid_from", "valid_to"):
        # The form's datetime-local fields are in UTC, as the page says.
        if values.get(key) and "+" not in values[key] and not values[key].endswith("Z"):
            values[key] = f"{values[key]}+00:00"
    errors = list(reader.errors)
    parsed = None
    try:
        parsed = parse_form(model, values)
    except ValidationFailed as error:
        errors.extend(e for e in error.errors if e.field not in {f.field for f in errors})
    update: dict[str, Any] = {}
    if "tiers" in model.model_fields:
        update["tiers"] = reader.tiers
    if "seller_ids" in model.model_fields:
        try:
            ids = [uuid.UUID(s) for s in form.get("seller_ids", "").replace(",", " ").split()]
        except ValueError:
            errors.append(FieldError("seller_ids", "Seller ids, separated by spaces."))
        else:
            update["seller_ids"] = ids
    if errors or parsed is None:
        raise ValidationFailed("Check the highlighted fields.", errors=errors)
    return parsed.model_copy(update=update)


def _on_form_fields(error: MercatoError) -> MercatoError:
    """The service names rates and amounts in its units (``rate_bps``); the form in percent and
    major units (``rate``): move each message beside the field the operator typed."""
    error.errors = [FieldError(form_field(e.field), e.message) for e in error.errors]
    return error


async def _admin_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    return {
        **_helpers(),
        "rules": await service.list_rules(session, principal),
        "plans": await service.list_plans(session, principal),
        "incentives": await service.list_incentives(session, principal),
        "categories": await catalog_service.list_categories_flat(session),
        "scopes": list(RuleScope),
        "tier_modes": list(TierMode),
        "incentive_kinds": list(IncentiveKind),
        "form": {},
        "form_name": "",
        "errors": {},
    }


@router.get(ADMIN)
async def admin_commission(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _admin_context(session, _admin(principal))
    return render(request, "commission/admin.html", context)


async def _admin_submit(
    request: Request,
    session: DbSession,
    principal: Principal,
    form_name: str | Callable[[dict[str, str]], str],
    action: Any,
) -> Response:
    """Run ``action`` on the submitted form; a refusal re-renders the page with the form named
    ``form_name`` (or computed from the form) open, as typed, each message beside its field."""
    form = await read_form(request)
    try:
        message = await action(form)
    except MercatoError as error:
        if error.status in (401, 403, 404) and not error.errors:
            raise

        async def reload() -> dict[str, Any]:
            return await _admin_context(session, principal)

        return await form_failed(
            request,
            session,
            _on_form_fields(error),
            "commission/admin.html",
            {
                "form": form,
                "form_name": form_name if isinstance(form_name, str) else form_name(form),
            },
            reload=reload,
        )
    response = redirect(ADMIN, request)
    flash(response, request, message)
    return response


@router.post(f"{ADMIN}/rules", dependencies=[Csrf])
async def admin_create_rule(request: Request, session: DbSession, principal: PageUser) -> Response:
    _admin(principal)

    async def action(form: dict[str, str]) -> str:
        scope = RuleScope.CATEGORY if form.get("category_id") else RuleScope.DEFAULT
        data = _parse(RuleIn, {**form, "scope": scope.value}, read_rule_terms(form))
        rule = await service.create_rule(session, principal, data)
        return f"Rule {rule.name} created."

    return await _admin_submit(request, session, principal, "rule", action)


@router.post(f"{ADMIN}/rules/{{rule_id}}/versions", dependencies=[Csrf])
async def admin_revise_rule(
    rule_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    _admin(principal)

    async def action(form: dict[str, str]) -> str:
        rule = await service.revise_rule(
            session, principal, rule_id, _parse(RuleTerms, form, read_rule_terms(form))
        )
        return f"Rule {rule.name} has version {rule.versions[0].version}."

    return await _admin_submit(request, session, principal, f"version-{rule_id}", action)


@router.post(f"{ADMIN}/rules/{{rule_id}}/end", dependencies=[Csrf])
async def admin_end_rule(
    rule_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    _admin(principal)
    rule = await service.end_rule(session, principal, rule_id)
    response = redirect(ADMIN, request)
    flash(response, request, f"Rule {rule.name} ended.")
    return response


@router.post(f"{ADMIN}/plans", dependencies=[Csrf])
async def admin_save_plan(request: Request, session: DbSession, principal: PageUser) -> Response:
    _admin(principal)

    async def action(form: dict[str, str]) -> str:
        plan_id = _plan_id(form.get("plan_id", ""))
        flags = {"is_default": form.get("is_default", "false")}
        if plan_id is not None:  # the edit form offers "active"; a new plan is always offered
            flags["active"] = form.get("active", "false")
        data = _parse(PlanIn, {**form, **flags}, read_plan(form))
        plan = await service.save_plan(session, principal, data, plan_id)
        return f"Plan {plan.name} saved."

    def form_name(form: dict[str, str]) -> str:
        return f"plan-{form['plan_id']}" if form.get("plan_id") else "plan"

    return await _admin_submit(request, session, principal, form_name, action)


def _plan_id(text: str) -> uuid.UUID | None:
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("No such plan.") from None


@router.post(f"{ADMIN}/incentives", dependencies=[Csrf])
async def admin_create_incentive(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    _admin(principal)

    async def action(form: dict[str, str]) -> str:
        incentive = await service.create_incentive(
            session, principal, _parse(IncentiveIn, form, read_incentive(form))
        )
        return f"Incentive {incentive.name} created."

    return await _admin_submit(request, session, principal, "incentive", action)


@router.post(f"{ADMIN}/incentives/{{incentive_id}}/active", dependencies=[Csrf])
async def admin_toggle_incentive(
    incentive_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    _admin(principal)
    form = await read_form(request)
    active = form.get("active") == "true"
    incentive = await service.set_incentive_active(session, principal, incentive_id, active)
    response = redirect(ADMIN, request)
    flash(response, request, f"Incentive {incentive.name} {'resumed' if active else 'paused'}.")
    return response


# --- seller --------------------------------------------------------------------------------------


async def _my_plan(session: DbSession, principal: Principal) -> Any:
    try:
        return await service.get_my_plan(session, principal)
    except NotFound:  # the marketplace offers no plans yet
        return None


async def _seller_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    principal.require_role(Role.SELLER)
    listings = await catalog_service.list_my_listings(session, principal, limit=100)
    return {
        **_helpers(),
        "my_plan": await _my_plan(session, principal),
        "plans": await service.list_plans(session, principal),
        "listings": listings.items,
        "quote": None,
        "form": {},
        "errors": {},
    }


@router.get(SELLER)
async def seller_fees(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _seller_context(session, principal)
    return render(request, "commission/seller_fees.html", context)


@router.get(f"{SELLER}/quote")
async def seller_quote(
    request: Request,
    session: DbSession,
    principal: PageUser,
    listing_id: Annotated[str, Query(max_length=40)] = "",
    price: Annotated[str, Query(max_length=20)] = "",
    quantity: Annotated[str, Query(max_length=6)] = "1",
) -> Response:
    """The calculator: the price is typed in major units of the listing's currency."""
    principal.require_role(Role.SELLER)
    form = {"listing_id": listing_id, "price": price, "quantity": quantity}
    context: dict[str, Any] = {**_helpers(), "form": form, "errors": {}, "quote": None}
    try:
        context["quote"] = await _quote(session, principal, listing_id, price, quantity)
    except MercatoError as error:
        if error.status in (401, 403):
            raise
        context["errors"] = {e.field: e.message for e in error.errors} or {
            "listing_id": error.detail
        }
    if is_htmx(request):
        return render(request, "commission/_quote.html", context)
    full = await _seller_context(session, principal)
    return render(request, "commission/seller_fees.html", {**full, **context})


async def _quote(
    session: DbSession, principal: Principal, listing_id: str, price: str, quantity: str
) -> Any:
    errors: list[FieldError] = []
    try:
        listing = uuid.UUID(listing_id)
    except ValueError:
        errors.append(FieldError("listing_id", "Choose one of your listings."))
    facts = {} if errors else await catalog_service.listing_facts(session, [listing])
    currency = facts[listing].currency if listing_id and facts.get(listing) else "EUR"
    price_minor = _minor(price, currency, errors)
    count = int(quantity) if quantity.isdigit() else 0
    if errors:
        raise ValidationFailed("Check the calculator.", errors=errors)
    return await service.quote_fee(session, principal, listing, price_minor, count)


def _minor(price: str, currency: str, errors: list[FieldError]) -> int:
    try:
        return Money.from_decimal(price.strip() or "x", currency).amount_minor
    except (ValueError, TypeError):
        errors.append(FieldError("price", f"A price in {currency}, such as 19.90."))
        return 0


@router.post(f"{SELLER}/plan", dependencies=[Csrf])
async def seller_choose_plan(request: Request, session: DbSession, principal: PageUser) -> Response:
    principal.require_role(Role.SELLER)
    form = await read_form(request)
    try:
        chosen = await service.choose_plan(session, principal, form.get("plan_code", ""))
    except MercatoError as error:
        if error.status in (401, 403, 404) and not error.errors:
            raise

        async def reload() -> dict[str, Any]:
            return await _seller_context(session, principal)

        return await form_failed(
            request, session, error, "commission/seller_fees.html", {"form": form}, reload=reload
        )
    response = redirect(SELLER, request)
    flash(response, request, f"You are now on the {chosen.plan.name} plan.")
    return response
