"""Commission service on SQLite and PostgreSQL: fees frozen once (idempotent), category and
tiered rules, incentives, plan fees in the ledger, and the ledger-check rule."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select, text, update

from mercato.catalog.models import Listing, Variant
from mercato.commission import FeeRequest, FeeRequestLine, assess_order_fees, order_fees
from mercato.commission.schemas import IncentiveIn, IncentiveKind, PlanIn, RuleIn, RuleScope, Tier
from mercato.commission.service import (
    charge_plan_fees,
    choose_plan,
    create_incentive,
    create_rule,
    save_plan,
)
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import Runtime
from mercato.payments import PLATFORM_SUBSCRIPTIONS
from mercato.payments.service import balance, check_ledger, seller_balances
from mercato.sellers.models import Seller
from tests.commission.conftest import Market

ADMIN = Principal(user_id=uuid.uuid4(), role=Role.ADMIN)


def _request(market: Market, listing_id: uuid.UUID, *grosses: int, at=None) -> FeeRequest:  # type: ignore[no-untyped-def]
    return FeeRequest(
        order_id=uuid.uuid4(),
        seller_id=market.seller_id,
        currency="EUR",
        paid_at=at or clock.now(),
        lines=[
            FeeRequestLine(
                line_id=uuid.uuid4(),
                listing_id=listing_id,
                quantity=1,
                unit_price_minor=g,
                line_total_minor=g,
            )
            for g in grosses
        ],
    )


async def _listing_of_mug(runtime: Runtime, market: Market) -> tuple[uuid.UUID, uuid.UUID]:
    async with runtime.database.reading() as session:
        statement = (
            select(Listing.id, Listing.category_id)
            .join(Variant, Variant.listing_id == Listing.id)
            .where(Variant.id == market.mug_small)
        )
        row = (await session.execute(statement)).one()
    return uuid.UUID(str(row[0])), uuid.UUID(str(row[1]))


async def test_assessing_twice_returns_the_frozen_fees(runtime: Runtime, market: Market) -> None:
    listing, _ = await _listing_of_mug(runtime, market)
    request = _request(market, listing, 1999, 1)
    async with runtime.database.transaction() as session:
        first = await assess_order_fees(session, request)
    async with runtime.database.transaction() as session:
        await create_rule(session, ADMIN, RuleIn(name="Everything 50%", rate_bps=5000))
    async with runtime.database.transaction() as session:
        again = await assess_order_fees(session, request)
        stored = await order_fees(session, request.order_id)
    assert first == again == stored
    assert [(line.fee_minor, line.net_minor) for line in first.lines] == [(200, 1799), (0, 1)]


async def test_category_rule_on_parent_and_tiers(runtime: Runtime, market: Market) -> None:
    listing, category = await _listing_of_mug(runtime, market)
    async with runtime.database.transaction() as session:
        await create_rule(
            session,
            ADMIN,
            RuleIn(
                name="Ceramics tiers",
                scope=RuleScope.CATEGORY,
                category_id=category,
                currency="EUR",
                tiers=[Tier(from_minor=0, rate_bps=700), Tier(from_minor=10_000, rate_bps=500)],
                min_fee_minor=50,
            ),
        )
        fees = await assess_order_fees(session, _request(market, listing, 8000, 4000, 100))
    # 8000 at 7%; then 2000 at 7% + 2000 at 5%; then 100 at 5% → 5, raised to the 50 minimum
    assert [line.fee_minor for line in fees.lines] == [560, 240, 50]
    assert (
        fees.lines[2].explanation
        == "Ceramics tiers by marginal tiers (up to tier 2, 5%), min €0.50"
    )


async def test_new_seller_and_volume_incentives(runtime: Runtime, market: Market) -> None:
    listing, _ = await _listing_of_mug(runtime, market)
    async with runtime.database.transaction() as session:
        await create_incentive(
            session,
            ADMIN,
            IncentiveIn(
                name="First 1,000.00 at 2%",
                kind=IncentiveKind.VOLUME,
                rate_bps=200,
                volume_cap_minor=100_000,
                currency="EUR",
            ),
        )
        first = await assess_order_fees(session, _request(market, listing, 99_000))
        second = await assess_order_fees(session, _request(market, listing, 5000))
        third = await assess_order_fees(session, _request(market, listing, 5000))
    assert [f.fee_minor for f in (first, second, third)] == [1980, 100, 500]
    async with runtime.database.transaction() as session:
        admitted = update(Seller).where(Seller.id == market.seller_id)
        await session.execute(admitted.values(admitted_at=clock.now() - timedelta(days=2)))
        await create_incentive(
            session,
            ADMIN,
            IncentiveIn(
                name="Welcome", kind=IncentiveKind.NEW_SELLER, rate_bps=0, new_seller_days=30
            ),
        )
        welcome = await assess_order_fees(session, _request(market, listing, 5000))
        later = await assess_order_fees(
            session, _request(market, listing, 5000, at=clock.now() + timedelta(days=31))
        )
    assert (welcome.fee_minor, welcome.lines[0].rule_name) == (0, "Welcome")
    assert later.fee_minor == 500


async def test_plan_fee_charged_once_a_month_into_debt(runtime: Runtime, market: Market) -> None:
    seller = Principal(user_id=uuid.UUID(market.people["seller"].user_id), role=Role.SELLER)
    async with runtime.database.transaction() as session:
        await save_plan(
            session, ADMIN, PlanIn(code="pro", name="Pro", monthly_fee_minor=1900, discount_bps=200)
        )
        await choose_plan(session, seller, "pro")
    for _ in range(2):
        async with runtime.database.transaction() as session:
            assert await charge_plan_fees(session) == 1
    async with runtime.database.reading() as session:
        revenue = await balance(session, PLATFORM_SUBSCRIPTIONS, "EUR")
        owed = await seller_balances(session, market.seller_id, "EUR")
        report = await check_ledger(session)
    assert revenue.amount_minor == 1900
    assert owed.debt_minor == 1900 and owed.available_minor == 0
    assert report.ok, report.violations


async def test_ledger_check_names_a_broken_split(
    runtime: Runtime, market: Market, client: httpx.AsyncClient
) -> None:
    listing, _ = await _listing_of_mug(runtime, market)
    async with runtime.database.transaction() as session:
        fees = await assess_order_fees(session, _request(market, listing, 1000))
        assert (await check_ledger(session)).ok
        # Simulate corruption past the check constraint's reach (SQLite cannot drop it, so
        # only look at what the rule reports when the constraint is bypassed on PostgreSQL).
        if session.bind.dialect.name == "postgresql":
            await session.execute(
                text(
                    "ALTER TABLE commission_fee_line"
                    " DROP CONSTRAINT ck_commission_fee_line_split_exact"
                )
            )
            await session.execute(
                text("UPDATE commission_fee_line SET net_minor = 1 WHERE order_id = :o"),
                {"o": fees.order_id},
            )
            violations = [
                v for v in (await check_ledger(session)).violations if v.rule == "fee-line-split"
            ]
            assert len(violations) == 1 and str(fees.lines[0].line_id) in violations[0].subject
            await session.rollback()
