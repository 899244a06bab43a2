"""The disputes demo: an open, an escalated and a decided dispute and a requested return on the
demo orders; once the SLA policy is in force, a return refunded less the restocking fee and an
approved return expired by the sweep; seeding twice adds nothing; the ledger holds."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.accounts.service import create_user_with_role
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.disputes.demo import seed_disputes_demo, seed_returns_demo
from mercato.disputes.models import Dispute, Return
from mercato.governance.demo import seed_governance_demo
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
    assert returns == [("requested", False)]
    for seed in (seed_governance_demo, seed_returns_demo, seed_returns_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    async with runtime.database.reading() as session:
        settled = sorted(
            (
                r.status,
                r.reason_code,
                r.restocking_fee_percent,
                r.refunded_minor,
                r.restocking_fee_minor,
            )
            for r in (await session.execute(select(Return))).scalars()
        )
        count = (await session.execute(select(func.count()).select_from(Dispute))).scalar_one()
    assert found == [
        ("decided", "refund_partial", True),
        ("escalated", "", False),
        ("open", "", False),
    ]
    assert count == 3
    expired, refunded, requested = settled
    assert expired[:2] == ("expired", "defective") and expired[3:] == (0, 0)
    assert requested[0] == "requested"
    status, reason, percent, refund, fee = refunded
    assert (status, reason, percent) == ("refunded", "changed_mind", 10)
    # The demo policy's 10 % of the unit's price, rounded half up; the rest refunded.
    assert fee == (refund + fee + 5) // 10 and fee > 0
    await ledger_ok(runtime)
