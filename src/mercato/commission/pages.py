"""Commission pages: the admin's rules / plans / incentives editor (``/admin/commission``) and
the seller's fees page (``/seller/fees``): current plan, plan choice, and the "what will I net?"
calculator answered through htmx."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from mercato.catalog import service as catalog_service
from mercato.commission import service
from mercato.commission.calculations import format_rate
from mercato.commission.schemas import (
    IncentiveIn,
    IncentiveKind,
    PlanIn,
    RuleIn,
    RuleScope,
    RuleTerms,
    Tier,
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
    return {"money": format_money, "rate": format_rate}


def _admin(principal: Principal) -> Principal:
    principal.require_role(Role.ADMIN)
    return principal


def parse_tiers(text: str) -> list[Tier]:
    """One tier a line: ``<from, minor units> <rate, bps>`` (``0 1000`` / ``500000 800``)."""
    tiers = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or not all(p.lstrip("-").isdigit() for p in parts):
            raise ValidationFailed.on(
                "tiers", f"Line {number}: write the start (minor units) and the rate (bps)."
            )
        tiers.append(Tier(from_minor=int(parts[0]), rate_bps=int(parts[1])))
    return tiers


def _parse(model: type[BaseModel], form: dict[str, str]) -> Any:
    values = {k: v for k, v in form.items() if k not in ("tiers", "seller_ids", "csrf_token")}
    for key in ("effective_from", "effective_to", "valid_from", "valid_to"):
        # The form's datetime-local fields are in UTC, as the page says.
        if values.get(key) and "+" not in values[key] and not values[key].endswith("Z"):
            values[key] = f"{values[key]}+00:00"
    parsed = parse_form(model, values)
    if "tiers" in model.model_fields:
        parsed = parsed.model_copy(update={"tiers": parse_tiers(form.get("tiers", ""))})
    if "seller_ids" in model.model_fields:
        try:
            ids = [uuid.UUID(s) for s in form.get("seller_ids", "").replace(",", " ").split()]
        except ValueError:
            raise ValidationFailed.on("seller_ids", "Seller ids, separated by spaces.") from None
        parsed = parsed.model_copy(update={"seller_ids": ids})
    return parsed


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
    request: Request, session: DbSession, principal: Principal, form_name: str, action: Any
) -> Response:
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
            error,
            "commission/admin.html",
            {"form": form, "form_name": form_name},
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
        data = _parse(RuleIn, {**form, "scope": scope.value})
        rule = await service.create_rule(session, principal, data)
        return f"Rule {rule.name} created."

    return await _admin_submit(request, session, principal, "rule", action)


@router.post(f"{ADMIN}/rules/{{rule_id}}/versions", dependencies=[Csrf])
async def admin_revise_rule(
    rule_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    _admin(principal)

    async def action(form: dict[str, str]) -> str:
        rule = await service.revise_rule(session, principal, rule_id, _parse(RuleTerms, form))
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
        plan_id = uuid.UUID(form["plan_id"]) if form.get("plan_id") else None
        data = _parse(PlanIn, {**form, "is_default": form.get("is_default", "false")})
        plan = await service.save_plan(session, principal, data, plan_id)
        return f"Plan {plan.name} saved."

    return await _admin_submit(request, session, principal, "plan", action)


@router.post(f"{ADMIN}/incentives", dependencies=[Csrf])
async def admin_create_incentive(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    _admin(principal)

    async def action(form: dict[str, str]) -> str:
        incentive = await service.create_incentive(session, principal, _parse(IncentiveIn, form))
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
