"""Demo monetization: the standard 10% rule (seeded by the migration), Lighting at 7%, volume
tiers on Outdoor, the Free / Pro / Business plans, a spring campaign on Ceramics and the two demo
sellers on paid plans. Idempotent: everything is looked up by name or code first."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.catalog import service as catalog
from mercato.commission import repository, service
from mercato.commission.schemas import (
    IncentiveIn,
    IncentiveKind,
    PlanIn,
    RuleIn,
    RuleScope,
    Tier,
    TierMode,
)
from mercato.kit.auth import Principal, Role
from mercato.kit.storage import FileStore
from mercato.sellers.service import find_seller_of

OPERATOR = Principal(user_id=uuid.UUID(int=0), role=Role.ADMIN, email="demo@mercato.example")

PLANS = (
    PlanIn(code="free", name="Free", listing_limit=25, is_default=True),
    PlanIn(code="pro", name="Pro", monthly_fee_minor=1900, listing_limit=200, discount_bps=200),
    PlanIn(code="business", name="Business", monthly_fee_minor=9900, rate_bps=500),
)
SELLER_PLANS = {"atelier@mercato.example": "business", "nordic@mercato.example": "pro"}


async def _categories(session: AsyncSession) -> dict[str, uuid.UUID]:
    return {c.slug: c.id for c in await catalog.list_categories_flat(session)}


async def _rules(session: AsyncSession, categories: dict[str, uuid.UUID]) -> None:
    rules = [
        RuleIn(
            name="Lighting",
            scope=RuleScope.CATEGORY,
            category_id=categories.get("lighting"),
            rate_bps=700,
            currency="EUR",
            min_fee_minor=50,
        ),
        RuleIn(
            name="Outdoor volume",
            scope=RuleScope.CATEGORY,
            category_id=categories.get("outdoor"),
            currency="EUR",
            tier_mode=TierMode.MARGINAL,
            tiers=[
                Tier(from_minor=0, rate_bps=1200),
                Tier(from_minor=100_000, rate_bps=900),
                Tier(from_minor=500_000, rate_bps=600),
            ],
        ),
    ]
    for rule in rules:
        if rule.category_id and await repository.get_rule_by_name(session, rule.name) is None:
            await service.create_rule(session, OPERATOR, rule)


async def _plans_and_sellers(session: AsyncSession) -> None:
    for plan in PLANS:
        if await repository.get_plan_by_code(session, plan.code) is None:
            await service.save_plan(session, OPERATOR, plan)
    for email, code in SELLER_PLANS.items():
        user_id = await find_user_id_by_email(session, email)
        seller = await find_seller_of(session, user_id) if user_id else None
        if seller is None or await repository.current_subscription(session, seller.id):
            continue
        principal = Principal(user_id=user_id, role=Role.SELLER, email=email)
        await service.choose_plan(session, principal, code)


async def seed_commission_demo(session: AsyncSession, files: FileStore) -> None:
    """Load the demo rules, plans, campaign and seller plans (idempotent)."""
    categories = await _categories(session)
    await _rules(session, categories)
    await _plans_and_sellers(session)
    name = "Spring ceramics campaign"
    if "ceramics" in categories and await repository.get_incentive_by_name(session, name) is None:
        campaign = IncentiveIn(
            name=name, kind=IncentiveKind.CAMPAIGN, rate_bps=500, category_id=categories["ceramics"]
        )
        await service.create_incentive(session, OPERATOR, campaign)
    if await repository.get_incentive_by_name(session, "Welcome: 30 days at 0%") is None:
        welcome = IncentiveIn(
            name="Welcome: 30 days at 0%",
            kind=IncentiveKind.NEW_SELLER,
            rate_bps=0,
            new_seller_days=30,
            active=False,
        )
        await service.create_incentive(session, OPERATOR, welcome)
