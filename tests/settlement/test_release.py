"""Escrow opened at payment, released once after completion: the seller's net to its available
balance and the fee to platform revenue in one journal; never twice, never while frozen."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Conflict, Forbidden, NotFound
from mercato.kit.runtime import Runtime
from mercato.payments.service import journals_for
from mercato.settlement import service, tasks
from mercato.settlement.schemas import EscrowStatus
from mercato.settlement.settings import SettlementSettings, use_settlement_settings
from tests.fixtures.accounts import last_mail_to
from tests.settlement.conftest import (
    Market,
    admin_of,
    complete,
    ledger_ok,
    money,
    paid_orders,
    release,
    seller_of,
)


async def escrow(runtime: Runtime, market: Market, order_id: str):
    async with runtime.database.reading() as session:
        return await service.get_escrow(session, admin_of(market), uuid.UUID(order_id))


async def test_a_paid_order_holds_its_escrow_until_release(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 2), (market.lamp, 1))
    mug, lamp = orders["seller"], orders["other_seller"]
    held = await escrow(runtime, market, mug["id"])
    assert (held.status, held.captured_minor, held.held_minor) == ("held", 4090, 4090)
    assert [(line.quantity, line.line_total_minor) for line in held.lines] == [(2, 3600)]
    assert 0 <= held.fee_minor <= 3600
    async with runtime.database.reading() as session:
        assert await service.escrow_held_minor(session, market.seller_id, "EUR") == 4090
        assert await service.frozen_minor(session, market.seller_id, "EUR") == 0
    assert await release() == 0  # not completed
    await complete(client, market, clock, ("seller", mug), ("other_seller", lamp))
    releasable = await escrow(runtime, market, mug["id"])
    assert (releasable.status, releasable.due) == (EscrowStatus.RELEASABLE, True)
    before = await money(runtime, market.seller_id, mug["id"])
    assert await release() == 2
    assert await release() == 0
    after = await money(runtime, market.seller_id, mug["id"])
    assert after["escrow"] == 0
    assert after["available"] - before["available"] == 4090 - held.fee_minor
    lamp_fee = (await escrow(runtime, market, lamp["id"])).fee_minor
    assert after["commission"] - before["commission"] == held.fee_minor + lamp_fee
    released = await escrow(runtime, market, mug["id"])
    assert (released.status, released.released_minor, released.released_fee_minor) == (
        EscrowStatus.RELEASED,
        4090,
        held.fee_minor,
    )
    async with runtime.database.reading() as session:
        journals = await journals_for(session, f"order:{mug['id']}")
        assert [j.idempotency_key for j in journals] == [f"release:order:{mug['id']}"]
        assert await service.escrow_held_minor(session, market.seller_id, "EUR") == 0
    await ledger_ok(runtime)


async def test_a_seller_hold_period_delays_the_release(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    async with runtime.database.transaction() as session:
        with pytest.raises(Forbidden):
            await service.set_seller_hold(session, seller_of(market), market.seller_id, 0)
        await service.set_seller_hold(session, admin_of(market), market.seller_id, 7)
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await complete(client, market, clock, ("seller", mug))
    waiting = await escrow(runtime, market, mug["id"])
    assert waiting.release_after == waiting.completed_at + timedelta(days=7)
    assert (waiting.status, waiting.due) == (EscrowStatus.RELEASABLE, False)
    assert await release() == 0
    clock.advance(timedelta(days=7))
    assert await release() == 1
    await ledger_ok(runtime)


async def test_category_holds_lengthen_the_sellers_and_the_deepest_one_applies(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    admin, tree = admin_of(market), market.tree
    async with runtime.database.transaction() as session:
        await service.set_seller_hold(session, admin, market.seller_id, 2)
        await service.set_category_hold(session, admin, tree.home, 10)
        with pytest.raises(Forbidden):
            await service.set_category_hold(session, seller_of(market), tree.home, 0)
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    mug, lamp = orders["seller"], orders["other_seller"]
    async with runtime.database.transaction() as session:  # a subcategory's own hold wins
        await service.set_category_hold(session, admin, tree.ceramics, 5)
    await complete(client, market, clock, ("seller", mug), ("other_seller", lamp))
    for order, days in ((mug, 5), (lamp, 5)):
        waiting = await escrow(runtime, market, order["id"])
        assert waiting.release_after == waiting.completed_at + timedelta(days=days)
    async with runtime.database.transaction() as session:
        await service.clear_category_hold(session, admin, tree.ceramics)
        holds = await service.list_holds(session, admin)
    assert [(hold.category_name, hold.hold_days) for hold in holds.categories] == [
        ("Home & Living", 10)
    ]
    assert [(hold.seller_id, hold.hold_days) for hold in holds.sellers] == [(market.seller_id, 2)]
    clock.advance(timedelta(days=5))
    assert await release() == 2
    await ledger_ok(runtime)


async def test_a_category_hold_never_shortens_the_sellers(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    admin = admin_of(market)
    async with runtime.database.transaction() as session:
        await service.set_seller_hold(session, admin, market.seller_id, 9)
        await service.set_category_hold(session, admin, market.tree.ceramics, 1)
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await complete(client, market, clock, ("seller", mug))
    waiting = await escrow(runtime, market, mug["id"])
    assert waiting.release_after == waiting.completed_at + timedelta(days=9)
    async with runtime.database.transaction() as session:
        with pytest.raises(NotFound):
            await service.set_category_hold(session, admin, uuid.uuid4(), 3)
        with pytest.raises(NotFound):
            await service.clear_category_hold(session, admin, market.tree.home)


async def test_a_frozen_escrow_is_never_released(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    order_id = uuid.UUID(mug["id"])
    async with runtime.database.transaction() as session:
        frozen = await service.freeze_escrow(session, order_id, "Dispute D-1 opened")
        assert (frozen.frozen, frozen.frozen_reason) == (True, "Dispute D-1 opened")
        again = await service.freeze_escrow(session, order_id, "another reason")
        assert again.frozen_reason == "Dispute D-1 opened"
        assert await service.frozen_minor(session, market.seller_id, "EUR") == 2290
    await complete(client, market, clock, ("seller", mug))
    before = await money(runtime, market.seller_id, mug["id"])
    assert await release() == 0
    async with runtime.database.transaction() as session:
        with pytest.raises(Conflict) as refused:
            await service.release_now(session, admin_of(market), order_id)
        assert refused.value.status == 409
    assert await money(runtime, market.seller_id, mug["id"]) == before
    async with runtime.database.transaction() as session:
        await service.unfreeze_escrow(session, order_id)
    assert await release() == 1
    await ledger_ok(runtime)


async def test_release_now_skips_the_hold_for_admins_only(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    async with runtime.database.transaction() as session:
        await service.set_seller_hold(session, admin_of(market), market.seller_id, 30)
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    order_id = uuid.UUID(mug["id"])
    async with runtime.database.transaction() as session:
        with pytest.raises(Conflict):  # not completed yet
            await service.release_now(session, admin_of(market), order_id)
    await complete(client, market, clock, ("seller", mug))
    async with runtime.database.transaction() as session:
        with pytest.raises(Forbidden):
            await service.release_now(session, seller_of(market), order_id)
        released = await service.release_now(session, admin_of(market), order_id)
        assert released.status == EscrowStatus.RELEASED
    async with runtime.database.transaction() as session:
        with pytest.raises(Conflict):
            await service.release_now(session, admin_of(market), order_id)
    assert await release() == 0
    await ledger_ok(runtime)


async def test_staff_are_alerted_once_before_the_hold_horizon(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    from mercato.settlement.tasks import alert_hold_horizon

    previous = use_settlement_settings(SettlementSettings(alert_email="finance@example.com"))
    try:
        mug = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
        clock.advance(timedelta(days=75))
        assert await alert_hold_horizon() == 0
        clock.advance(timedelta(days=1, seconds=1))
        assert await alert_hold_horizon() == 1
        assert await alert_hold_horizon() == 0
        mail = await last_mail_to(runtime, "finance@example.com")
        assert mug["number"] in mail.subject and "€22.90" in mail.body_text
    finally:
        use_settlement_settings(previous)


async def test_a_release_that_fails_does_not_hold_back_the_rest_of_its_batch(
    runtime: Runtime,
    client: httpx.AsyncClient,
    market: Market,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    mug, lamp = orders["seller"], orders["other_seller"]
    await complete(client, market, clock, ("seller", mug), ("other_seller", lamp))
    release_one = service.release_due_escrow

    async def books_disagree_on_the_mug(session, order_id: uuid.UUID) -> bool:
        if str(order_id) == mug["id"]:
            raise RuntimeError("the books disagree")
        return await release_one(session, order_id)

    monkeypatch.setattr(service, "release_due_escrow", books_disagree_on_the_mug)
    assert await release() == 1  # the lamp; the batch was retried one order at a time
    assert (await escrow(runtime, market, lamp["id"])).status == EscrowStatus.RELEASED
    assert (await escrow(runtime, market, mug["id"])).status == EscrowStatus.RELEASABLE
    monkeypatch.undo()
    assert await release() == 1  # the mug, at the next sweep
    await ledger_ok(runtime)


async def test_a_run_works_through_the_backlog_batch_after_batch_within_its_budget(
    runtime: Runtime,
    client: httpx.AsyncClient,
    market: Market,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    await complete(client, market, clock, *orders.items())
    monkeypatch.setattr(tasks, "DUE_PER_BATCH", 1)  # two due orders: two batches
    assert await tasks.release_due_escrow(budget=timedelta(0)) == 1  # out of time: one batch
    assert await tasks.release_due_escrow() == 1  # the next run carries on
    assert await tasks.release_due_escrow() == 0
    await ledger_ok(runtime)


async def test_one_run_releases_a_backlog_larger_than_a_batch(
    runtime: Runtime,
    client: httpx.AsyncClient,
    market: Market,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    await complete(client, market, clock, *orders.items())
    monkeypatch.setattr(tasks, "DUE_PER_BATCH", 1)
    assert await tasks.release_due_escrow() == 2
    await ledger_ok(runtime)
