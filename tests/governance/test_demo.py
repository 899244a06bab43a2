"""The governance demo: policies in force and a stricter draft, the buyers' acceptance, clocks on
the demo orders with a breach and a warning; seeding twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.accounts.service import create_user_with_role
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.governance.demo import ADMIN_EMAIL, seed_governance_demo
from mercato.governance.models import (
    PolicyVersion,
    SellerWarning,
    SlaBreach,
    SlaDeadline,
    TermsAcceptance,
)
from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.orders.demo import seed_orders_demo
from mercato.orders.models import OrderMessage
from tests.fixtures.accounts import PASSWORD
from tests.orders.test_demo import _demo_people


async def counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.database.reading() as session:
        return {
            model.__tablename__: (
                await session.execute(select(func.count()).select_from(model))
            ).scalar_one()
            for model in (PolicyVersion, TermsAcceptance, SlaDeadline, SlaBreach, SellerWarning)
        }


async def respond_clocks(runtime: Runtime) -> dict[str, int]:
    """The demo conversations' messages and their respond-by deadlines by outcome."""
    async with runtime.database.reading() as session:
        rows = (
            await session.execute(
                select(SlaDeadline.met_at, SlaDeadline.breached_at).where(
                    SlaDeadline.kind == "respond"
                )
            )
        ).all()
        messages = (
            await session.execute(select(func.count()).select_from(OrderMessage))
        ).scalar_one()
    return {
        "messages": messages,
        "met": sum(1 for met, _ in rows if met),
        "breached": sum(1 for _, breached in rows if breached),
        "open": sum(1 for met, breached in rows if not (met or breached)),
    }


async def test_demo_policies_clocks_and_a_breach(runtime: Runtime):
    await _demo_people(runtime)
    async with runtime.database.transaction() as session:
        await create_user_with_role(session, ADMIN_EMAIL, PASSWORD, "Ada", Role.ADMIN)
    for seed in (seed_catalog_demo, seed_cart_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    # As at first launch: the orders and governance seeds share one transaction.
    async with runtime.database.transaction() as session:
        await seed_orders_demo(session, runtime.files)
        await seed_governance_demo(session, runtime.files)
    first = await counts(runtime)
    conversations = await respond_clocks(runtime)
    async with runtime.database.transaction() as session:
        await seed_governance_demo(session, runtime.files)
    assert await counts(runtime) == first
    assert await respond_clocks(runtime) == conversations
    # Answered quickly (twice), answered late (the sweep's breach), one still waiting.
    assert conversations == {"messages": 7, "met": 2, "breached": 1, "open": 1}
    assert first["governance_policy_version"] == 3
    assert first["governance_terms_acceptance"] == 2
    assert first["governance_sla_deadline"] > 10
    assert first["governance_sla_breach"] >= 1
    assert first["governance_seller_warning"] == first["governance_sla_breach"]
    async with runtime.database.reading() as session:
        statuses = (
            await session.execute(
                select(PolicyVersion.kind, PolicyVersion.version, PolicyVersion.status).order_by(
                    PolicyVersion.kind, PolicyVersion.version
                )
            )
        ).all()
    assert [tuple(row) for row in statuses] == [
        ("buyer_terms", 1, "active"),
        ("sla", 1, "active"),
        ("sla", 2, "draft"),
    ]
