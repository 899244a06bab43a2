"""The performance demo: Nordic, late with its parcels, warned then suppressed with a pending
appeal, Atelier in good standing; seeding twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.accounts.service import create_user_with_role
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.governance.demo import seed_governance_demo
from mercato.governance.models import SlaBreach, SlaDeadline
from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.orders.demo import seed_orders_demo
from mercato.orders.models import Order
from mercato.performance.demo import ADMIN_EMAIL, seed_performance_demo
from mercato.performance.models import Appeal, Standing, StandingChange, ThresholdVersion
from tests.fixtures.accounts import PASSWORD
from tests.orders.test_demo import _demo_people


async def counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.database.reading() as session:
        return {
            model.__tablename__: (
                await session.execute(select(func.count()).select_from(model))
            ).scalar_one()
            for model in (ThresholdVersion, Standing, StandingChange, Appeal)
        }


async def test_demo_nordic_is_warned_then_suppressed(runtime: Runtime):
    await _demo_people(runtime)
    async with runtime.database.transaction() as session:
        await create_user_with_role(session, ADMIN_EMAIL, PASSWORD, "Ada", Role.ADMIN)
    for seed in (seed_catalog_demo, seed_cart_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    async with runtime.database.transaction() as session:
        await seed_orders_demo(session, runtime.files)
        await seed_governance_demo(session, runtime.files)
        await seed_performance_demo(session, runtime.files)
    first = await counts(runtime)
    async with runtime.database.reading() as session:
        levels = sorted(
            tuple(row) for row in await session.execute(select(Standing.level, Standing.breaching))
        )
        changes = (
            await session.execute(
                select(
                    StandingChange.from_level, StandingChange.to_level, StandingChange.reason
                ).order_by(StandingChange.created_at)
            )
        ).all()
        late = (
            await session.execute(
                select(func.count())
                .select_from(SlaBreach)
                .where(SlaBreach.kind == "ship", SlaBreach.order_id.in_(select(Order.id)))
            )
        ).scalar_one()
        shipped_late = (
            await session.execute(
                select(func.count())
                .select_from(Order)
                .join(SlaDeadline, SlaDeadline.order_id == Order.id)
                .where(SlaDeadline.kind == "ship", Order.shipped_at > SlaDeadline.due_at)
            )
        ).scalar_one()
        appeals = (await session.execute(select(Appeal.status))).scalars().all()
    # Nordic (late) suppressed and still breaching; Atelier in good standing.
    assert levels == [(0, False), (2, True)]
    assert [tuple(c)[:2] for c in changes] == [(0, 1), (1, 2)]
    # Nordic shipped three parcels after their ship-by deadline, each breach recorded by the
    # SLA clocks: late shipment is one of the reasons it was warned, then suppressed.
    assert shipped_late == 3 and late >= shipped_late
    for change in changes:
        assert "Late shipment rate" in change.reason, change.reason
        assert "must be below 4%" in change.reason
    assert appeals == ["pending"]
    assert first == {
        "performance_threshold_version": 1,
        "performance_standing": 2,
        "performance_standing_change": 2,
        "performance_appeal": 1,
    }
    async with runtime.database.transaction() as session:
        await seed_performance_demo(session, runtime.files)
    assert await counts(runtime) == first
