"""Escrow opened at payment, released once after completion: the seller's net to its available
balance and the fee to platform revenue in one journal; never twice, never while frozen."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Conflict, Forbidden
from mercato.kit.runtime import Runtime
from mercato.payments.service import journals_for
from mercato.settlement import service, tasks
from mercato.settlement.schemas import EscrowStatus, SellerHoldIn
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
        hold = SellerHoldIn(hold_days=30, reason="New shop: a month of review")
        await service.set_seller_hold(session, admin_of(market), market.seller_id, hold)
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
