"""All SQL of the commission domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.commission.models import (
    CommissionFeeLine,
    CommissionIncentive,
    CommissionPlan,
    CommissionRule,
    CommissionRuleVersion,
    CommissionSubscription,
)

# --- fee lines -----------------------------------------------------------------------------------


async def fee_lines_of_order(session: AsyncSession, order_id: uuid.UUID) -> list[CommissionFeeLine]:
    statement = (
        select(CommissionFeeLine)
        .where(CommissionFeeLine.order_id == order_id)
        .order_by(CommissionFeeLine.position)
    )
    return list((await session.execute(statement)).scalars())


async def seller_volume(
    session: AsyncSession,
    seller_id: uuid.UUID,
    currency: str,
    *,
    before: datetime,
    since: datetime | None = None,
) -> int:
    """Sum of the gross of the seller's fee lines paid in ``[since, before)``."""
    statement = select(func.coalesce(func.sum(CommissionFeeLine.gross_minor), 0)).where(
        CommissionFeeLine.seller_id == seller_id,
        CommissionFeeLine.currency == currency,
        CommissionFeeLine.paid_at < before,
    )
    if since is not None:
        statement = statement.where(CommissionFeeLine.paid_at >= since)
    return int((await session.execute(statement)).scalar_one())


async def split_violations(session: AsyncSession) -> list[CommissionFeeLine]:
    """Fee lines whose split does not add up or whose fee lies outside ``0 .. gross``."""
    line = CommissionFeeLine
    statement = select(line).where(
        or_(
            line.fee_minor + line.net_minor != line.gross_minor,
            line.fee_minor < 0,
            line.fee_minor > line.gross_minor,
        )
    )
    return list((await session.execute(statement)).scalars())


# --- rules ---------------------------------------------------------------------------------------


def _in_force(at: datetime) -> ColumnElement[bool]:
    version = CommissionRuleVersion
    return and_(
        version.effective_from <= at,
        or_(version.effective_to.is_(None), version.effective_to > at),
    )


async def rules_in_force(
    session: AsyncSession, at: datetime
) -> list[tuple[CommissionRule, CommissionRuleVersion]]:
    statement = (
        select(CommissionRule, CommissionRuleVersion)
        .join(CommissionRuleVersion, CommissionRuleVersion.rule_id == CommissionRule.id)
        .where(_in_force(at))
    )
    return [(rule, version) for rule, version in (await session.execute(statement)).all()]


async def list_rules(session: AsyncSession) -> list[CommissionRule]:
    statement = (
        select(CommissionRule)
        .options(selectinload(CommissionRule.versions))
        .order_by(CommissionRule.scope.desc(), CommissionRule.name)
    )
    return list((await session.execute(statement)).scalars())


async def get_rule(
    session: AsyncSession, rule_id: uuid.UUID, *, for_update: bool = False
) -> CommissionRule | None:
    statement = (
        select(CommissionRule)
        .options(selectinload(CommissionRule.versions))
        .where(CommissionRule.id == rule_id)
    )
    if for_update:
        statement = statement.with_for_update(of=CommissionRule)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_rule_by_name(session: AsyncSession, name: str) -> CommissionRule | None:
    statement = select(CommissionRule).where(CommissionRule.name == name)
    return (await session.execute(statement)).scalars().first()


# --- plans ---------------------------------------------------------------------------------------


async def list_plans(session: AsyncSession, *, active_only: bool = False) -> list[CommissionPlan]:
    statement = select(CommissionPlan).order_by(
        CommissionPlan.monthly_fee_minor, CommissionPlan.code
    )
    if active_only:
        statement = statement.where(CommissionPlan.active.is_(True))
    return list((await session.execute(statement)).scalars())


async def get_plan(session: AsyncSession, plan_id: uuid.UUID) -> CommissionPlan | None:
    return await session.get(CommissionPlan, plan_id)


async def get_plan_by_code(session: AsyncSession, code: str) -> CommissionPlan | None:
    statement = select(CommissionPlan).where(CommissionPlan.code == code)
    return (await session.execute(statement)).scalar_one_or_none()


async def default_plans(session: AsyncSession) -> list[CommissionPlan]:
    statement = select(CommissionPlan).where(CommissionPlan.is_default.is_(True))
    return list((await session.execute(statement)).scalars())


async def subscription_at(
    session: AsyncSession, seller_id: uuid.UUID, at: datetime
) -> CommissionSubscription | None:
    statement = (
        select(CommissionSubscription)
        .where(
            CommissionSubscription.seller_id == seller_id,
            CommissionSubscription.started_at <= at,
            or_(CommissionSubscription.ended_at.is_(None), CommissionSubscription.ended_at > at),
        )
        .order_by(CommissionSubscription.started_at.desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def current_subscription(
    session: AsyncSession, seller_id: uuid.UUID, *, for_update: bool = False
) -> CommissionSubscription | None:
    statement = select(CommissionSubscription).where(
        CommissionSubscription.seller_id == seller_id, CommissionSubscription.ended_at.is_(None)
    )
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalars().first()


async def paying_subscriptions(
    session: AsyncSession, month_start: datetime, month_end: datetime
) -> list[tuple[CommissionSubscription, CommissionPlan]]:
    """Subscriptions to a plan with a monthly fee that were running at some time in the month."""
    statement = (
        select(CommissionSubscription, CommissionPlan)
        .join(CommissionPlan, CommissionPlan.id == CommissionSubscription.plan_id)
        .where(
            CommissionPlan.monthly_fee_minor > 0,
            CommissionSubscription.started_at < month_end,
            or_(
                CommissionSubscription.ended_at.is_(None),
                CommissionSubscription.ended_at > month_start,
            ),
        )
        .order_by(CommissionSubscription.seller_id, CommissionSubscription.started_at)
    )
    return [(sub, plan) for sub, plan in (await session.execute(statement)).all()]


# --- incentives ----------------------------------------------------------------------------------


async def incentives_valid_at(session: AsyncSession, at: datetime) -> list[CommissionIncentive]:
    incentive = CommissionIncentive
    statement = select(incentive).where(
        incentive.active.is_(True),
        incentive.valid_from <= at,
        or_(incentive.valid_to.is_(None), incentive.valid_to > at),
    )
    return list((await session.execute(statement)).scalars())


async def list_incentives(session: AsyncSession) -> list[CommissionIncentive]:
    statement = select(CommissionIncentive).order_by(CommissionIncentive.valid_from.desc())
    return list((await session.execute(statement)).scalars())


async def get_incentive(
    session: AsyncSession, incentive_id: uuid.UUID
) -> CommissionIncentive | None:
    return await session.get(CommissionIncentive, incentive_id)


async def get_incentive_by_name(session: AsyncSession, name: str) -> CommissionIncentive | None:
    statement = select(CommissionIncentive).where(CommissionIncentive.name == name)
    return (await session.execute(statement)).scalars().first()
