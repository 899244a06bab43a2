"""The disputes demo: an open, an escalated and a decided dispute, a requested and a refunded
return on the demo orders; seeding twice adds nothing; the ledger holds."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.accounts.service import create_user_with_role
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.disputes.demo import seed_disputes_demo
from mercato.disputes.models import Dispute, Return
from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.orders.demo import seed_orders_demo
from mercato.settlement.demo import ADMIN_EMAIL, seed_settlement_demo
from tests.fixtures.accounts import PASSWORD
from tests.orders.test_demo import _demo_people
from tests.settlement.conftest import ledger_ok


async def test_demo_disputes_and_returns(runtime: Runtime):
    await _demo_people(runtime)
    async with runtime.database.transaction() as session:
        await create_user_with_role(session, ADMIN_EMAIL, PASSWORD, "Ada", Role.ADMIN)
    for seed in (seed_catalog_demo, seed_cart_demo, seed_orders_demo, seed_settlement_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    for _ in range(2):
        async with runtime.database.transaction() as session:
            await seed_disputes_demo(session, runtime.files)
    async with runtime.database.reading() as session:
        disputes = (await session.execute(select(Dispute).order_by(Dispute.created_at))).scalars()
        found = sorted((d.status, d.outcome or "", d.refunded_minor > 0) for d in disputes)
        returns = sorted(
            (r.status, r.refunded_minor > 0)
            for r in (await session.execute(select(Return))).scalars()
        )
        count = (await session.execute(select(func.count()).select_from(Dispute))).scalar_one()
    assert found == [
        ("decided", "refund_partial", True),
        ("escalated", "", False),
        ("open", "", False),
    ]
    assert count == 3
    assert returns == [("refunded", True), ("requested", False)]
    await ledger_ok(runtime)
