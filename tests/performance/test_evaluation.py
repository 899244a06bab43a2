"""The evaluation on real orders: a late seller is warned, then suppressed after the cooldown,
then has its payouts held and is suspended; back under the thresholds it steps down one level
per day. Fewer orders than the minimum never escalate; running twice changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from mercato.notifications.models import Mail
from mercato.performance import listings_suppressed, payouts_held
from mercato.performance.models import Standing, StandingChange
from mercato.performance.tasks import evaluate_sellers
from mercato.search.models import SuppressedSeller
from mercato.sellers.models import Seller
from tests.performance.conftest import shipped_orders


async def standing(runtime, seller_id) -> SimpleNamespace | None:
    async with runtime.database.reading() as session:
        row = (
            await session.execute(select(Standing).where(Standing.seller_id == seller_id))
        ).scalar_one_or_none()
        if row is None:
            return None
        return SimpleNamespace(level=row.level, breaching=row.breaching, metrics=row.metrics)


async def count(runtime, model, **where) -> int:
    async with runtime.database.reading() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return (await session.execute(statement)).scalar_one()


async def test_a_late_seller_escalates_one_level_per_cooldown(runtime, client, market, clock):
    await shipped_orders(runtime, client, market, clock, on_time=4, late=1)
    mails = await count(runtime, Mail)

    first, again = await evaluate_sellers(), await evaluate_sellers()
    assert (first.escalated, again.escalated) == (1, 0)
    found = await standing(runtime, market.seller_id)
    assert found is not None and found.level == 1 and found.breaching
    assert found.metrics["late_shipment"] | {"threshold_bp": 400} == {
        "numerator": 1,
        "denominator": 5,
        "bp": 2000,
        "threshold_bp": 400,
        "bound": "max",
        "breached": True,
    }
    async with runtime.database.reading() as session:
        change = (
            await session.execute(
                select(
                    StandingChange.from_level,
                    StandingChange.to_level,
                    StandingChange.cause,
                    StandingChange.reason,
                )
            )
        ).one()
    assert tuple(change[:3]) == (0, 1, "evaluation")
    assert change.reason == (
        "Over the last 30 days: Late shipment rate 20% (1/5 orders; must be below 4%)."
    )
    assert await count(runtime, Mail) == mails + 1
    assert await count(runtime, SuppressedSeller) == 0

    clock.advance(timedelta(days=6))  # inside the 7-day cooldown
    assert (await evaluate_sellers()).escalated == 0
    clock.advance(timedelta(days=1))
    assert (await evaluate_sellers()).escalated == 1
    assert (await standing(runtime, market.seller_id)).level == 2
    async with runtime.database.reading() as session:
        assert await listings_suppressed(session, market.seller_id)
        assert not await payouts_held(session, market.seller_id)
    assert await count(runtime, SuppressedSeller, seller_id=market.seller_id) == 1

    clock.advance(timedelta(days=7))
    await evaluate_sellers()
    async with runtime.database.reading() as session:
        assert await payouts_held(session, market.seller_id)
    clock.advance(timedelta(days=7))
    await evaluate_sellers()
    async with runtime.database.reading() as session:
        status = (
            await session.execute(select(Seller.status).where(Seller.id == market.seller_id))
        ).scalar_one()
    assert status == "suspended"
    assert (await standing(runtime, market.seller_id)).level == 4
    # The other seller had no orders: never evaluated, never touched.
    assert await standing(runtime, market.other_seller_id) is None


async def test_back_under_the_thresholds_steps_down_daily(runtime, client, market, clock):
    await shipped_orders(runtime, client, market, clock, on_time=4, late=1)
    await evaluate_sellers()
    clock.advance(timedelta(days=7))
    await evaluate_sellers()
    assert (await standing(runtime, market.seller_id)).level == 2

    clock.advance(timedelta(days=31))  # the late order left the 30-day window
    first, same_day = await evaluate_sellers(), await evaluate_sellers()
    assert (first.deescalated, same_day.deescalated) == (1, 0)
    assert (await standing(runtime, market.seller_id)).level == 1
    assert await count(runtime, SuppressedSeller) == 0
    clock.advance(timedelta(days=1))
    await evaluate_sellers()
    found = await standing(runtime, market.seller_id)
    assert found.level == 0 and not found.breaching
    async with runtime.database.reading() as session:
        levels = (
            await session.execute(
                select(StandingChange.from_level, StandingChange.to_level).order_by(
                    StandingChange.created_at
                )
            )
        ).all()
    assert [tuple(row) for row in levels] == [(0, 1), (1, 2), (2, 1), (1, 0)]


async def test_fewer_orders_than_the_minimum_never_escalate(runtime, client, market, clock):
    await shipped_orders(runtime, client, market, clock, on_time=0, late=1)
    report = await evaluate_sellers()
    assert (report.evaluated, report.escalated) == (1, 0)
    found = await standing(runtime, market.seller_id)
    assert found.level == 0 and not found.breaching
    assert found.metrics["late_shipment"]["bp"] == 10000
    assert await count(runtime, StandingChange) == 0


async def test_unknown_seller_has_good_standing(runtime):
    async with runtime.database.reading() as session:
        assert not await listings_suppressed(session, uuid.uuid4())
        assert not await payouts_held(session, uuid.uuid4())
