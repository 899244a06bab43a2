"""Commission JSON API: admins manage rules, plans and incentives; sellers see their plan,
change it, read an order's fees and ask what they would net."""

from __future__ import annotations

import uuid

from fastapi import Query, status

from mercato.commission import service
from mercato.commission.schemas import (
    ChoosePlanIn,
    IncentiveActiveIn,
    IncentiveIn,
    IncentiveOut,
    MyPlanOut,
    OrderFees,
    PlanIn,
    PlanOut,
    QuoteOut,
    RuleIn,
    RuleOut,
    RuleTerms,
)
from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.routing import IndexedRouter

router = IndexedRouter(prefix="/commission", tags=["commission"])


@router.get("/rules", response_model=list[RuleOut])
async def list_rules(session: DbSession, principal: CurrentPrincipal) -> list[RuleOut]:
    """Every rule with the version in force now and its history (admin)."""
    return await service.list_rules(session, principal)


@router.post("/rules", status_code=status.HTTP_201_CREATED, response_model=RuleOut)
async def create_rule(data: RuleIn, session: DbSession, principal: CurrentPrincipal) -> RuleOut:
    """A new default or category rule with its first version (admin)."""
    return await service.create_rule(session, principal, data)


@router.get("/rules/{rule_id}", response_model=RuleOut)
async def get_rule(rule_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal) -> RuleOut:
    return await service.get_rule(session, principal, rule_id)


@router.post(
    "/rules/{rule_id}/versions", status_code=status.HTTP_201_CREATED, response_model=RuleOut
)
async def revise_rule(
    rule_id: uuid.UUID, data: RuleTerms, session: DbSession, principal: CurrentPrincipal
) -> RuleOut:
    """Edit a rule: a new version from ``effective_from`` (now by default); fees already
    computed never change (admin)."""
    return await service.revise_rule(session, principal, rule_id, data)


@router.post("/rules/{rule_id}/end", response_model=RuleOut)
async def end_rule(rule_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal) -> RuleOut:
    """Stop a rule now; its versions stay as history (admin)."""
    return await service.end_rule(session, principal, rule_id)


@router.get("/plans", response_model=list[PlanOut])
async def list_plans(session: DbSession, principal: CurrentPrincipal) -> list[PlanOut]:
    """Plans on offer (sellers) or all plans (admin)."""
    return await service.list_plans(session, principal)


@router.post("/plans", status_code=status.HTTP_201_CREATED, response_model=PlanOut)
async def create_plan(data: PlanIn, session: DbSession, principal: CurrentPrincipal) -> PlanOut:
    return await service.save_plan(session, principal, data)


@router.put("/plans/{plan_id}", response_model=PlanOut)
async def update_plan(
    plan_id: uuid.UUID, data: PlanIn, session: DbSession, principal: CurrentPrincipal
) -> PlanOut:
    return await service.save_plan(session, principal, data, plan_id)


@router.get("/incentives", response_model=list[IncentiveOut])
async def list_incentives(session: DbSession, principal: CurrentPrincipal) -> list[IncentiveOut]:
    return await service.list_incentives(session, principal)


@router.post("/incentives", status_code=status.HTTP_201_CREATED, response_model=IncentiveOut)
async def create_incentive(
    data: IncentiveIn, session: DbSession, principal: CurrentPrincipal
) -> IncentiveOut:
    return await service.create_incentive(session, principal, data)


@router.patch("/incentives/{incentive_id}", response_model=IncentiveOut)
async def set_incentive_active(
    incentive_id: uuid.UUID,
    data: IncentiveActiveIn,
    session: DbSession,
    principal: CurrentPrincipal,
) -> IncentiveOut:
    """Pause or resume an incentive (admin)."""
    return await service.set_incentive_active(session, principal, incentive_id, data.active)


@router.get("/my/plan", response_model=MyPlanOut)
async def my_plan(session: DbSession, principal: CurrentPrincipal) -> MyPlanOut:
    """The signed-in seller's plan (the default plan until one is chosen)."""
    return await service.get_my_plan(session, principal)


@router.put("/my/plan", response_model=MyPlanOut)
async def choose_plan(
    data: ChoosePlanIn, session: DbSession, principal: CurrentPrincipal
) -> MyPlanOut:
    """Upgrade or downgrade from now; a downgrade below the live listings is refused (422)."""
    return await service.choose_plan(session, principal, data.plan_code)


@router.get("/orders/{order_id}", response_model=OrderFees)
async def order_fees(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> OrderFees:
    """The itemised fees of an order: admin any, a seller its own."""
    return await service.get_order_fees(session, principal, order_id)


@router.get("/quote", response_model=QuoteOut)
async def quote(
    session: DbSession,
    principal: CurrentPrincipal,
    listing_id: uuid.UUID,
    price_minor: int = Query(),
    quantity: int = Query(1),
) -> QuoteOut:
    """What will I net? The fee of selling ``quantity`` of one of my listings at
    ``price_minor`` now, priced exactly as a paid order would be."""
    return await service.quote_fee(session, principal, listing_id, price_minor, quantity)
