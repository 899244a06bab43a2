"""The escrow hold part of the demo: in force since the launch (three days, lamps a week),
seeded before the orders so their holds follow it, with a longer draft whose preview moves
release dates; the rest of the governance demo still seeds its own policies after it; seeding
twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

import mercato.settlement.handlers  # noqa: F401  (escrows, and the replay the preview runs)
from mercato.accounts.service import create_user_with_role
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.governance import service
from mercato.governance.demo import ADMIN_EMAIL, seed_escrow_hold_demo, seed_governance_demo
from mercato.governance.schemas import HoldPreviewOut, PolicyKind
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import Runtime
from mercato.orders.demo import seed_orders_demo
from mercato.settlement.demo import seed_settlement_demo
from tests.fixtures.accounts import PASSWORD
from tests.orders.test_demo import _demo_people


async def test_demo_escrow_hold_in_force_since_launch_and_a_draft_to_preview(runtime: Runtime):
    await _demo_people(runtime)
    async with runtime.database.transaction() as session:
        user = await create_user_with_role(session, ADMIN_EMAIL, PASSWORD, "Ada", Role.ADMIN)
    admin = Principal(user_id=user.id, role=Role.ADMIN, email=ADMIN_EMAIL)
    for seed in (seed_catalog_demo, seed_cart_demo, seed_escrow_hold_demo, seed_orders_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    for _ in range(2):
        async with runtime.database.transaction() as session:
            await seed_escrow_hold_demo(session, runtime.files)
            await seed_settlement_demo(session, runtime.files)
            await seed_governance_demo(session, runtime.files)
    async with runtime.database.reading() as session:
        holds = await service.list_policies(session, admin, PolicyKind.ESCROW_HOLD)
        slas = await service.list_policies(session, admin, PolicyKind.SLA)
        in_force = await service.escrow_hold_policy(session)
    assert [(v.version, v.status.value, v.in_force) for v in holds] == [
        (2, "draft", False),
        (1, "active", True),
    ]
    assert holds[1].effective_from is not None
    assert holds[1].effective_from < clock.now() - timedelta(days=59)
    assert [len(v.overrides) for v in holds] == [1, 1]
    assert (in_force.hold_days, list(in_force.category_hold_days.values())) == (3, [7])
    assert [v.version for v in slas] == [2, 1]  # seeded although escrow holds came first

    async with runtime.database.transaction() as session:
        preview = await service.preview_policy(session, admin, holds[0].id)
    assert isinstance(preview, HoldPreviewOut)
    # Six completed demo orders; Nordic's own hold (set after they completed) now holds its
    # orders ten days either way, so only Atelier's move: three to five days, lamps 7 to 10.
    assert preview.orders == 6
    assert preview.later > 0 and preview.earlier == 0
    assert preview.later + preview.unchanged == 6
    assert preview.held_longer and preview.held_longer[0].amount_minor > 0
    assert preview.sellers and preview.sellers[0].draft_average_days > (
        preview.sellers[0].current_average_days
    )
