"""Hold periods: a completed order's money waits the seller's own hold, else the base of the
escrow hold policy in force at its completion, else the platform default; the policy's
category periods only lengthen it, the deepest category deciding. A seller's own hold records
who set it, when and why (the audit log too); the old category hold endpoints are gone."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

import mercato.audit.handlers  # noqa: F401  (the audit log records seller holds)
from mercato.audit.models import AuditEntry
from mercato.governance import service as governance
from mercato.governance.schemas import ActivateIn, PolicyDraftIn, PolicyKind, PolicyVersionOut
from mercato.kit import clock as kit_clock
from mercato.kit.auth import Principal
from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Forbidden, NotFound
from mercato.kit.runtime import Runtime
from mercato.settlement import service
from mercato.settlement.models import SellerHold
from mercato.settlement.schemas import SellerHoldIn
from mercato.settlement.settings import SettlementSettings, use_settlement_settings
from tests.settlement.conftest import (
    API,
    Market,
    admin_of,
    complete,
    paid_orders,
    release,
    seller_of,
)


async def activate_hold(
    runtime: Runtime,
    admin: Principal,
    days: int | None,
    categories: dict[uuid.UUID, int] | None = None,
    effective_in: timedelta | None = None,
) -> PolicyVersionOut:
    """Draft and activate an escrow hold version (now, or ``effective_in`` from now)."""
    body = {
        "kind": PolicyKind.ESCROW_HOLD,
        "reason": "Hold periods",
        "parameters": {} if days is None else {"hold_days": days},
        "overrides": [
            {"category_id": category_id, "parameters": {"hold_days": value}}
            for category_id, value in (categories or {}).items()
        ],
    }
    when = kit_clock.now() + effective_in if effective_in else None
    async with runtime.database.transaction() as session:
        draft = await governance.draft_policy(session, admin, PolicyDraftIn.model_validate(body))
        return await governance.activate_policy(
            session, admin, draft.id, ActivateIn(effective_from=when)
        )


async def hold_of(runtime: Runtime, market: Market, order: dict) -> timedelta:
    async with runtime.database.reading() as session:
        escrow = await service.get_escrow(session, admin_of(market), uuid.UUID(order["id"]))
    assert escrow.release_after is not None and escrow.completed_at is not None
    return escrow.release_after - escrow.completed_at


async def count_holds(runtime: Runtime) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(SellerHold))).scalar_one()


async def test_without_a_policy_the_default_applies(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    previous = use_settlement_settings(SettlementSettings(hold_days=2))
    try:
        mug = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
        await complete(client, market, clock, ("seller", mug))
        assert await hold_of(runtime, market, mug) == timedelta(days=2)
        async with runtime.database.reading() as session:
            holds = await service.list_holds(session, admin_of(market))
        assert (holds.default_days, holds.policy.version, holds.policy.categories) == (2, None, [])
    finally:
        use_settlement_settings(previous)


async def test_the_policy_in_force_at_completion_sets_the_hold(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    admin, tree = admin_of(market), market.tree
    # Home 10 days, its subcategory Ceramics 5: the deepest category with a period decides.
    await activate_hold(runtime, admin, 2, {tree.home: 10, tree.ceramics: 5})
    first = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    await complete(client, market, clock, ("seller", first["seller"]))
    assert await hold_of(runtime, market, first["seller"]) == timedelta(days=5)
    async with runtime.database.reading() as session:
        holds = await service.list_holds(session, admin)
    assert holds.policy.hold_days == 2
    assert [(p.category_name, p.hold_days) for p in holds.policy.categories] == [
        ("Ceramics", 5),
        ("Home & Living", 10),
    ]

    # A category period never shortens the base: 4 days beat Ceramics' 1.
    await activate_hold(runtime, admin, 4, {tree.ceramics: 1})
    await complete(client, market, clock, ("other_seller", first["other_seller"]))
    assert await hold_of(runtime, market, first["other_seller"]) == timedelta(days=4)
    # The order completed under the earlier version keeps the hold it got then.
    assert await hold_of(runtime, market, first["seller"]) == timedelta(days=5)


async def test_a_version_starting_later_applies_to_orders_completed_from_then(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    admin = admin_of(market)
    await activate_hold(runtime, admin, 1)
    await activate_hold(runtime, admin, 20, effective_in=timedelta(days=10))
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await complete(client, market, clock, ("seller", mug))  # three days later: still v1
    assert await hold_of(runtime, market, mug) == timedelta(days=1)
    clock.advance(timedelta(days=1))
    assert await release() == 1
    clock.advance(timedelta(days=6))  # the second version is in force
    later = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await complete(client, market, clock, ("seller", later))
    assert await hold_of(runtime, market, later) == timedelta(days=20)


async def test_a_seller_hold_replaces_the_policy_and_records_who_and_why(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    admin = admin_of(market)
    await activate_hold(runtime, admin, 2, {market.tree.ceramics: 4})
    risky = SellerHoldIn(hold_days=9, reason="Chargebacks last month")
    async with runtime.database.transaction() as session:
        with pytest.raises(Forbidden):
            await service.set_seller_hold(session, seller_of(market), market.seller_id, risky)
        with pytest.raises(NotFound):
            await service.set_seller_hold(session, admin, uuid.uuid4(), risky)
    assert await count_holds(runtime) == 0
    async with runtime.database.transaction() as session:
        first = await service.set_seller_hold(
            session, admin, market.seller_id, SellerHoldIn(hold_days=1, reason="Trusted shop")
        )
        clock.advance(timedelta(minutes=5))
        hold = await service.set_seller_hold(session, admin, market.seller_id, risky)
    assert (first.hold_days, first.reason) == (1, "Trusted shop")
    assert (hold.hold_days, hold.reason, hold.set_by) == (
        9,
        "Chargebacks last month",
        admin.user_id,
    )
    assert hold.set_by_name == "Admin" and hold.updated_at == clock.now()
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    await complete(client, market, clock, ("seller", orders["seller"]))
    await complete(client, market, clock, ("other_seller", orders["other_seller"]))
    # The seller's own 9 days replace the base; Ceramics' 4 cannot shorten them. The other
    # seller waits the policy: its base lengthened by Ceramics.
    assert await hold_of(runtime, market, orders["seller"]) == timedelta(days=9)
    assert await hold_of(runtime, market, orders["other_seller"]) == timedelta(days=4)
    async with runtime.database.reading() as session:
        holds = await service.list_holds(session, admin)
        audit = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.detail)
                .where(AuditEntry.action == "settlement.seller_hold_set")
                .order_by(AuditEntry.seq)
            )
        ).all()
    assert [(h.seller_id, h.hold_days, h.reason) for h in holds.sellers] == [
        (market.seller_id, 9, "Chargebacks last month")
    ]
    assert [(row.actor_id, row.detail["hold_days"], row.detail["reason"]) for row in audit] == [
        (admin.user_id, 1, "Trusted shop"),
        (admin.user_id, 9, "Chargebacks last month"),
    ]
    assert audit[1].detail["previous_days"] == 1


async def test_the_seller_hold_api_needs_a_reason_and_the_category_endpoints_are_gone(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    admin = market.headers("admin")
    url = f"{API}/settlement/sellers/{market.seller_id}/hold"
    for body, field in (
        ({"hold_days": 3}, "reason"),
        ({"hold_days": 3, "reason": " "}, "reason"),
        ({"hold_days": 61, "reason": "Too long"}, "hold_days"),
        ({"hold_days": -1, "reason": "Negative"}, "hold_days"),
    ):
        refused = await client.put(url, json=body, headers=admin)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    unknown = await client.put(
        f"{API}/settlement/sellers/{uuid.uuid4()}/hold",
        json={"hold_days": 3, "reason": "Who?"},
        headers=admin,
    )
    assert unknown.status_code == 404
    assert await count_holds(runtime) == 0
    done = await client.put(url, json={"hold_days": 3, "reason": "New shop"}, headers=admin)
    assert done.status_code == 200, done.text
    assert {k: done.json()[k] for k in ("hold_days", "reason", "set_by")} == {
        "hold_days": 3,
        "reason": "New shop",
        "set_by": market.people["admin"].user_id,
    }
    listed = await client.get(f"{API}/settlement/holds", headers=admin)
    assert listed.json()["sellers"][0]["set_by_name"] == "Admin"
    assert listed.json()["draft_url"].startswith("/admin/governance/policies?kind=escrow_hold")
    category = f"{API}/settlement/categories/{market.tree.ceramics}/hold"
    assert (await client.put(category, json={"hold_days": 3}, headers=admin)).status_code == 404
    assert (await client.delete(category, headers=admin)).status_code == 404
