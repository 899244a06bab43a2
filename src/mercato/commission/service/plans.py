"""Seller plans: the operator's catalogue of plans, each seller's choice, the listing limit a
plan sets, and the monthly plan fee taken from the seller's balance (the rest becomes debt)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.commission import repository
from mercato.commission.models import CommissionPlan, CommissionSubscription
from mercato.commission.policy import check_amount, check_currency, check_rate
from mercato.commission.schemas import MyPlanOut, PlanIn, PlanOut
from mercato.commission.service._views import plan_out
from mercato.commission.service.rules import require_admin
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from mercato.kit.ids import new_id
from mercato.payments import PLATFORM_SUBSCRIPTIONS, Posting
from mercato.payments.service import charge_seller, journals_for
from mercato.sellers import service as sellers_service


class ListingLimitReached(ValidationFailed):
    """The seller's plan allows fewer live listings."""


def _check_plan(data: PlanIn) -> list[FieldError]:
    errors: list[FieldError] = []
    if not data.code.strip() or len(data.code) > 40:
        errors.append(FieldError("code", "A short code of 1 to 40 characters."))
    if not data.name.strip():
        errors.append(FieldError("name", "Give the plan a name."))
    check_amount(errors, "monthly_fee_minor", data.monthly_fee_minor)
    check_currency(errors, "currency", data.currency.upper())
    check_rate(errors, "rate_bps", data.rate_bps)
    check_rate(errors, "discount_bps", data.discount_bps)
    if data.listing_limit is not None and data.listing_limit < 0:
        errors.append(FieldError("listing_limit", "Cannot be negative."))
    if data.rate_bps is not None and data.discount_bps:
        errors.append(FieldError("discount_bps", "A plan sets its own rate or a discount."))
    return errors


async def save_plan(
    session: AsyncSession, principal: Principal, data: PlanIn, plan_id: uuid.UUID | None = None
) -> PlanOut:
    """Create a plan, or change one (admin). One default plan at most: marking a plan default
    unmarks the others."""
    require_admin(principal)
    errors = _check_plan(data)
    clash = await repository.get_plan_by_code(session, data.code.strip())
    if clash is not None and clash.id != plan_id:
        errors.append(FieldError("code", "Another plan has this code."))
    if errors:
        raise ValidationFailed("The plan is not valid.", errors=errors)
    plan = await repository.get_plan(session, plan_id) if plan_id else None
    if plan_id is not None and plan is None:
        raise NotFound("No such plan.")
    if plan is None:
        plan = CommissionPlan(id=new_id())
        session.add(plan)
    fields = data.model_dump()
    fields.update(code=data.code.strip(), name=data.name.strip(), currency=data.currency.upper())
    for name, value in fields.items():
        setattr(plan, name, value)
    if data.is_default:
        for other in await repository.default_plans(session):
            if other.id != plan.id:
                other.is_default = False
    await session.flush()
    return plan_out(plan)


async def list_plans(session: AsyncSession, principal: Principal) -> list[PlanOut]:
    """Plans on offer (sellers: the active ones; admins: all)."""
    principal.require_role(Role.SELLER, Role.ADMIN)
    plans = await repository.list_plans(session, active_only=principal.role is not Role.ADMIN)
    return [plan_out(plan) for plan in plans]


async def _my_seller_id(session: AsyncSession, principal: Principal) -> uuid.UUID:
    principal.require_role(Role.SELLER)
    seller = await sellers_service.require_own_seller(session, principal)
    return seller.id


async def current_plan(
    session: AsyncSession, seller_id: uuid.UUID
) -> tuple[CommissionPlan | None, datetime | None]:
    subscription = await repository.current_subscription(session, seller_id)
    if subscription is not None:
        return await repository.get_plan(session, subscription.plan_id), subscription.started_at
    defaults = await repository.default_plans(session)
    return (defaults[0] if defaults else None), None


async def get_my_plan(session: AsyncSession, principal: Principal) -> MyPlanOut:
    """The signed-in seller's plan and live listing count (a seller that never chose one is on
    the default plan)."""
    seller_id = await _my_seller_id(session, principal)
    plan, since = await current_plan(session, seller_id)
    if plan is None:
        raise NotFound("The marketplace offers no plans yet.")
    live = await catalog_service.count_live_listings(session, seller_id)
    return MyPlanOut(plan=plan_out(plan), since=since, live_listings=live)


async def choose_plan(session: AsyncSession, principal: Principal, plan_code: str) -> MyPlanOut:
    """Move the signed-in seller to another plan from now. A downgrade to a plan allowing fewer
    live listings than the seller has is refused (422 naming the limit), and so is a paid plan
    for a shop that may not sell (an applicant, a suspended seller): 409."""
    principal.require_role(Role.SELLER)
    seller = await sellers_service.require_own_seller(session, principal)
    if not sellers_service.can_publish(seller):
        raise Conflict("Your shop can choose a plan once it is admitted and selling.")
    seller_id = seller.id
    plan = await repository.get_plan_by_code(session, plan_code)
    if plan is None or not plan.active:
        raise ValidationFailed.on("plan_code", "No such plan on offer.")
    live = await catalog_service.count_live_listings(session, seller_id)
    if plan.listing_limit is not None and live > plan.listing_limit:
        raise ListingLimitReached(
            f"The {plan.name} plan allows {plan.listing_limit} live listings and you have "
            f"{live}: archive {live - plan.listing_limit} first.",
            errors=[FieldError("plan_code", f"Listing limit {plan.listing_limit} exceeded.")],
        )
    current = await repository.current_subscription(session, seller_id, for_update=True)
    if current is not None and current.plan_id == plan.id:
        raise Conflict(f"You are already on the {plan.name} plan.")
    now = clock.now()
    if current is not None:
        current.ended_at = now
    session.add(
        CommissionSubscription(id=new_id(), seller_id=seller_id, plan_id=plan.id, started_at=now)
    )
    await session.flush()
    return MyPlanOut(plan=plan_out(plan), since=now, live_listings=live)


@catalog_service.register_publish_check
async def check_listing_limit(session: AsyncSession, seller_id: uuid.UUID, live: int) -> None:
    """Refuse publishing one listing more than the seller's plan allows."""
    plan, _ = await current_plan(session, seller_id)
    if plan is not None and plan.listing_limit is not None and live >= plan.listing_limit:
        raise ListingLimitReached(
            f"Your {plan.name} plan allows {plan.listing_limit} live listings. Archive one or "
            f"upgrade your plan to publish more.",
            errors=[FieldError("listing_limit", f"Listing limit {plan.listing_limit} reached.")],
        )


def month_bounds(at: datetime) -> tuple[datetime, datetime, str]:
    start = datetime(at.year, at.month, 1, tzinfo=UTC)
    end = datetime(at.year + (at.month == 12), at.month % 12 + 1, 1, tzinfo=UTC)
    return start, end, f"{at.year:04d}-{at.month:02d}"


async def charge_plan_fees(session: AsyncSession, at: datetime | None = None) -> int:
    """Charge the monthly fee of every paid plan running this month, once per seller and month
    (the ledger key ``plan-fee:<seller>:<YYYY-MM>`` makes a rerun a no-op). Taken from the
    seller's available balance first, the rest recorded as debt. Returns the journals posted
    or found."""
    start, end, month = month_bounds(at or clock.now())
    charged: set[uuid.UUID] = set()
    for subscription, plan in await repository.paying_subscriptions(session, start, end):
        if subscription.seller_id in charged:
            continue  # a seller changing plans mid-month pays the first paid plan of the month
        charged.add(subscription.seller_id)
        key = f"plan-fee:{subscription.seller_id}:{month}"
        # The split between balance and debt depends on the balance at the time: look the
        # journal up rather than replaying it, which would differ and be refused.
        if any(j.idempotency_key == key for j in await journals_for(session, key)):
            continue
        await charge_seller(
            session,
            subscription.seller_id,
            [Posting(PLATFORM_SUBSCRIPTIONS, plan.monthly_fee_minor, plan.currency)],
            key=key,
            kind="plan_fee",
            reference=key,
        )
    return len(charged)
