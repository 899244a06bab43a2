"""Refunds before and after release: by lines and quantities, by amount, in full; the seller's
share taken from its balance (or recorded as debt) after release, the fee given back in
proportion; bad input refused with no money moved; a crash after the provider call retried
without refunding twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mercato.kit.auth import Principal
from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mercato.kit.events import publish
from mercato.kit.runtime import Runtime
from mercato.orders import OrderCanceled
from mercato.payments import PLATFORM_SUBSCRIPTIONS, Posting
from mercato.payments.providers import register_provider, sandbox_provider
from mercato.payments.providers.base import ProviderRefund, RefundRequest
from mercato.payments.providers.sandbox import SandboxProvider
from mercato.payments.service import charge_seller, seller_balances
from mercato.settlement import service
from mercato.settlement.models import Refund
from mercato.settlement.schemas import EscrowStatus, RefundIn
from tests.settlement.conftest import (
    Market,
    act,
    admin_of,
    complete,
    ledger_ok,
    money,
    paid_orders,
    release,
    seller_of,
)


def refund_in(**body: Any) -> RefundIn:
    return RefundIn.model_validate({"reason": "Damaged in transit", **body})


async def refund(runtime: Runtime, who: Principal, order_id: str, key: str = "r-1", **body: Any):
    async with runtime.database.transaction() as session:
        return await service.refund_order(session, who, uuid.UUID(order_id), refund_in(**body), key)


async def escrow(runtime: Runtime, market: Market, order_id: str):
    async with runtime.database.reading() as session:
        return await service.get_escrow(session, admin_of(market), uuid.UUID(order_id))


async def refund_rows(runtime: Runtime) -> int:
    async with runtime.database.reading() as session:
        return int((await session.execute(select(func.count()).select_from(Refund))).scalar_one())


async def test_line_refund_before_release_comes_from_escrow(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    held = await escrow(runtime, market, mug["id"])
    line_id = str(held.lines[0].line_id)
    before = await money(runtime, market.seller_id, mug["id"])
    done = await refund(
        runtime, seller_of(market), mug["id"], lines=[{"line_id": line_id, "quantity": 1}]
    )
    assert (done.replayed, done.refund.amount_minor, done.refund.phase) == (
        False,
        1800,
        "before_release",
    )
    assert done.refund.fee_share_minor == round(held.fee_minor * 1800 / 4090)
    after = await money(runtime, market.seller_id, mug["id"])
    assert after["escrow"] == before["escrow"] - 1800 == 2290
    assert after["clearing"] == before["clearing"] + 1800
    assert after["available"] == before["available"]
    partly = await escrow(runtime, market, mug["id"])
    assert (partly.lines[0].refunded_quantity, partly.lines[0].refunded_minor) == (1, 1800)
    await complete(client, market, clock, ("seller", mug))
    assert await release() == 1
    released = await money(runtime, market.seller_id, mug["id"])
    fee_left = held.fee_minor - done.refund.fee_share_minor
    assert released["escrow"] == 0
    assert released["available"] - after["available"] == 2290 - fee_left
    assert released["commission"] - after["commission"] == fee_left
    await ledger_ok(runtime)


async def test_refund_after_release_takes_the_sellers_share_and_the_fee_share(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    fee = (await escrow(runtime, market, mug["id"])).fee_minor
    await complete(client, market, clock, ("seller", mug))
    assert await release() == 1
    before = await money(runtime, market.seller_id, mug["id"])
    done = await refund(runtime, admin_of(market), mug["id"], amount_minor=1000)
    share = done.refund.fee_share_minor
    assert (done.refund.phase, share) == ("after_release", round(fee * 1000 / 4090))
    after = await money(runtime, market.seller_id, mug["id"])
    assert after["available"] == before["available"] - (1000 - share)
    assert after["commission"] == before["commission"] - share
    assert after["clearing"] == before["clearing"] + 1000
    assert after["escrow"] == 0
    rest = await refund(runtime, admin_of(market), mug["id"], key="r-2", full=True)
    assert rest.refund.amount_minor == 3090
    assert rest.refund.fee_share_minor == fee - share  # the last refund takes what is left
    final = await money(runtime, market.seller_id, mug["id"])
    assert final["commission"] == before["commission"] - fee
    assert final["available"] == before["available"] - (4090 - fee)
    with pytest.raises(Conflict):  # nothing left
        await refund(runtime, admin_of(market), mug["id"], key="r-3", full=True)
    await ledger_ok(runtime)


async def test_a_seller_short_of_money_owes_a_debt_repaid_by_the_next_release(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    first = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await complete(client, market, clock, ("seller", first))
    assert await release() == 1
    async with runtime.database.transaction() as session:
        # The seller's available balance is spent (a plan fee here), leaving nothing.
        available = (await seller_balances(session, market.seller_id, "EUR")).available_minor
        await charge_seller(
            session,
            market.seller_id,
            [Posting(PLATFORM_SUBSCRIPTIONS, available, "EUR")],
            key="test:drain",
            kind="plan_fee",
            reference="test:drain",
        )
    done = await refund(runtime, admin_of(market), first["id"], full=True)
    owed = done.refund.amount_minor - done.refund.fee_share_minor
    async with runtime.database.reading() as session:
        balances = await seller_balances(session, market.seller_id, "EUR")
    assert (balances.available_minor, balances.debt_minor) == (0, owed)
    second = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    fee = (await escrow(runtime, market, second["id"])).fee_minor
    await complete(client, market, clock, ("seller", second))
    assert await release() == 1
    async with runtime.database.reading() as session:
        balances = await seller_balances(session, market.seller_id, "EUR")
    assert (balances.available_minor, balances.debt_minor) == (2290 - fee - owed, 0)
    await ledger_ok(runtime)


async def test_bad_refunds_are_refused_and_move_no_money(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 2), (market.lamp, 1))
    mug, lamp = orders["seller"], orders["other_seller"]
    line_id = str((await escrow(runtime, market, mug["id"])).lines[0].line_id)
    before = await money(runtime, market.seller_id, mug["id"])
    bad: list[tuple[Principal, str, dict[str, Any], type[Exception]]] = [
        (admin_of(market), mug["id"], {"amount_minor": 4091}, ValidationFailed),
        (
            admin_of(market),
            mug["id"],
            {"lines": [{"line_id": line_id, "quantity": 3}]},
            ValidationFailed,
        ),
        (
            admin_of(market),
            mug["id"],
            {"lines": [{"line_id": str(uuid.uuid4()), "quantity": 1}]},
            ValidationFailed,
        ),
        (seller_of(market), lamp["id"], {"full": True}, NotFound),
        (seller_of(market, "other_seller"), mug["id"], {"full": True}, NotFound),
        (admin_of(market), str(uuid.uuid4()), {"full": True}, NotFound),
        (market.buyer, mug["id"], {"full": True}, Forbidden),
    ]
    for who, order_id, body, error in bad:
        with pytest.raises(error):
            await refund(runtime, who, order_id, **body)
    with pytest.raises(ValidationFailed):
        await refund(runtime, admin_of(market), mug["id"], key="  ", full=True)
    assert await money(runtime, market.seller_id, mug["id"]) == before
    assert await refund_rows(runtime) == 0
    await ledger_ok(runtime)


async def test_a_double_click_is_one_refund(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    first = await refund(runtime, admin_of(market), mug["id"], amount_minor=500)
    again = await refund(runtime, admin_of(market), mug["id"], amount_minor=500)
    assert (again.replayed, again.refund.id) == (True, first.refund.id)
    with pytest.raises(Conflict):  # the same key for another refund
        await refund(runtime, admin_of(market), mug["id"], amount_minor=600)
    assert (await money(runtime, market.seller_id, mug["id"]))["escrow"] == 4090 - 500
    assert await refund_rows(runtime) == 1


async def test_a_frozen_order_cannot_be_refunded(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    async with runtime.database.transaction() as session:
        await service.freeze_escrow(session, uuid.UUID(mug["id"]), "Dispute open")
    with pytest.raises(Conflict) as refused:
        await refund(runtime, admin_of(market), mug["id"], full=True)
    assert refused.value.slug == "escrow-frozen"
    assert await refund_rows(runtime) == 0


async def test_canceling_a_paid_order_refunds_it_once(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    await refund(runtime, admin_of(market), mug["id"], amount_minor=90)
    canceled = await act(client, market, "buyer", mug, "cancel")
    assert canceled.status_code == 200, canceled.text
    after = await escrow(runtime, market, mug["id"])
    assert (after.status, after.refunded_minor, after.held_minor) == (
        EscrowStatus.REFUNDED,
        4090,
        0,
    )
    async with runtime.database.reading() as session:
        refunds = await service.refunds_for_order(session, uuid.UUID(mug["id"]))
    assert [(r.amount_minor, r.requested_role) for r in refunds] == [
        (90, "admin"),
        (4000, "system"),
    ]
    # The outbox may deliver the event again: nothing more happens.
    await publish(OrderCanceled(uuid.UUID(mug["id"]), market.seller_id, True, None, "buyer"))
    assert await refund_rows(runtime) == 2
    assert (await money(runtime, market.seller_id, mug["id"]))["escrow"] == 0
    await ledger_ok(runtime)


class ExternalRefunds:
    """The provider's own record of refunds, outside our database (like a real provider's):
    it survives our rollback. ``crash_once`` makes our side die right after the call."""

    def __init__(self) -> None:
        self.by_key: dict[str, ProviderRefund] = {}
        self.crash_once = False

    def provider(self, session: Any) -> SandboxProvider:
        outer = self
        base = sandbox_provider(session)

        class Recording(SandboxProvider):
            async def refund_payment(self, request: RefundRequest) -> ProviderRefund:
                if request.idempotency_key not in outer.by_key:
                    outer.by_key[request.idempotency_key] = ProviderRefund(
                        f"re_{len(outer.by_key) + 1}",
                        "succeeded",
                        request.amount_minor,
                        request.currency,
                    )
                    if outer.crash_once:
                        outer.crash_once = False
                        raise RuntimeError("the process died after the provider refunded")
                return outer.by_key[request.idempotency_key]

        recording = Recording.__new__(Recording)
        recording.__dict__.update(base.__dict__)
        return recording


@pytest.fixture
def external() -> Iterator[ExternalRefunds]:
    refunds = ExternalRefunds()
    previous = register_provider("sandbox", refunds.provider)
    yield refunds
    register_provider("sandbox", previous)


async def test_a_crash_after_the_provider_call_refunds_nothing_twice(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, external: ExternalRefunds
):
    mug = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    external.crash_once = True
    with pytest.raises(RuntimeError):
        await refund(runtime, admin_of(market), mug["id"], key="crash-1", amount_minor=700)
    assert await refund_rows(runtime) == 0  # our side rolled back...
    assert len(external.by_key) == 1  # ...but the provider refunded
    retried = await refund(runtime, admin_of(market), mug["id"], key="crash-1", amount_minor=700)
    assert retried.refund.amount_minor == 700
    assert [r.amount_minor for r in external.by_key.values()] == [700]
    assert (await money(runtime, market.seller_id, mug["id"]))["escrow"] == 4090 - 700
    assert await refund_rows(runtime) == 1
    await ledger_ok(runtime)
