"""The settlement demo: the completed demo orders are released, each after the hold of the
escrow hold policy in force when it completed (lamps a week, the rest three days), one
refunded in part after its release, one still in escrow refunded before; Nordic has a hold of
its own, with the admin's reason; seeding twice changes nothing; the ledger holds."""

from __future__ import annotations

from mercato.accounts.service import create_user_with_role
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.governance.demo import seed_escrow_hold_demo
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import Runtime
from mercato.orders.demo import seed_orders_demo
from mercato.settlement import service
from mercato.settlement.demo import ADMIN_EMAIL, NORDIC_HOLD_REASON, seed_settlement_demo
from mercato.settlement.schemas import EscrowStatus
from tests.fixtures.accounts import PASSWORD
from tests.orders.test_demo import _demo_people
from tests.settlement.conftest import ledger_ok


async def test_demo_releases_and_refunds(runtime: Runtime):
    await _demo_people(runtime)
    async with runtime.database.transaction() as session:
        user = await create_user_with_role(session, ADMIN_EMAIL, PASSWORD, "Ada", Role.ADMIN)
    admin = Principal(user_id=user.id, role=Role.ADMIN, email=ADMIN_EMAIL)
    for seed in (seed_catalog_demo, seed_cart_demo, seed_escrow_hold_demo, seed_orders_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    for _ in range(2):
        async with runtime.database.transaction() as session:
            await seed_settlement_demo(session, runtime.files)
    async with runtime.database.reading() as session:
        released = await service.list_escrows(session, admin, status=EscrowStatus.RELEASED)
        refunds = (await service.list_refunds(session, admin)).items
        holds = await service.list_holds(session, admin)
    assert (holds.policy.version, holds.policy.hold_days) == (1, 3)
    assert [(period.category_name, period.hold_days) for period in holds.policy.categories] == [
        ("Lighting", 7)
    ]
    assert [(hold.hold_days, hold.reason, hold.set_by_name) for hold in holds.sellers] == [
        (10, NORDIC_HOLD_REASON, "Ada")
    ]
    assert len(released.items) == 6  # the six completed demo orders
    # Held as the policy said when each completed: a week for lamps, three days otherwise.
    held_days = sorted((e.release_after - e.completed_at).days for e in released.items)
    assert held_days[0] == 3 and set(held_days) <= {3, 7} and 7 in held_days
    assert all(e.released_minor == e.captured_minor for e in released.items)
    by_reason = sorted((r.phase.value, r.amount_minor, r.requested_role) for r in refunds)
    assert ("after_release", 500, "admin") in by_reason
    assert ("before_release", 300, "admin") in by_reason
    # The two demo cancellations of paid orders were refunded in full by the system.
    assert [phase for phase, _, role in by_reason if role == "system"] == ["before_release"] * 2
    await ledger_ok(runtime)
