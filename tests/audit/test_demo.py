"""The audit demo: after the demo's money moved, the log holds the real money entries (seen by
the audit handlers), the staff's sign-ins and the admin's seller decisions; seeding twice adds
nothing and the chain verifies."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

import mercato.audit.handlers
import mercato.settlement.handlers  # noqa: F401  (escrow follows the demo orders)
from mercato.accounts.service import create_user_with_role
from mercato.audit.demo import seed_audit_demo
from mercato.audit.models import AuditEntry
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.orders.demo import seed_orders_demo
from mercato.settlement.demo import seed_settlement_demo
from tests.audit.conftest import verification
from tests.fixtures.accounts import PASSWORD
from tests.orders.test_demo import _demo_people


async def _actions(runtime: Runtime) -> Counter[str]:
    async with runtime.database.reading() as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars()
        return Counter(actions)


async def test_demo_log_is_meaningful_idempotent_and_verifies(runtime: Runtime):
    await _demo_people(runtime)
    async with runtime.database.transaction() as session:
        for email, role in (
            ("admin@mercato.example", Role.ADMIN),
            ("support@mercato.example", Role.SUPPORT),
        ):
            await create_user_with_role(session, email, PASSWORD, "Staff", role)
    for seed in (seed_catalog_demo, seed_cart_demo, seed_orders_demo, seed_settlement_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    async with runtime.database.transaction() as session:
        await seed_audit_demo(session, runtime.files)
    first = await _actions(runtime)
    async with runtime.database.transaction() as session:
        await seed_audit_demo(session, runtime.files)
    assert await _actions(runtime) == first
    assert first["accounts.login"] == 2
    assert first["sellers.decision"] == 2  # the two admitted demo sellers
    assert first["payments.payment_succeeded"] > 0
    assert first["settlement.escrow_released"] == 6  # the six completed demo orders
    assert first["settlement.refund_issued"] == 4
    result = await verification(runtime)
    assert (result.ok, result.checked) == (True, sum(first.values()))
