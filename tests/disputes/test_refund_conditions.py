"""Returns under the SLA policy's refund conditions, through the service: the restocking fee
kept on a change of mind only (money through settlement's refund, exact on the escrow line),
a fee of 100 % that a dispute cannot take back, and approved returns that expire when not sent
back within the ship-back time (the sweep, idempotent; receiving first wins)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from mercato.disputes import service
from mercato.disputes.models import Return
from mercato.disputes.schemas import (
    AnswerIn,
    DecisionIn,
    DisputeOpenIn,
    ReturnApproveIn,
    ReturnReason,
    ReturnStatus,
)
from mercato.disputes.tasks import expire_returns
from mercato.governance import service as governance
from mercato.governance.calculations import DEFAULT_SLA
from mercato.governance.schemas import ActivateIn, PolicyDraftIn, PolicyKind, SlaOverrideIn
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.notifications.models import Mail
from mercato.settlement.models import Refund
from tests.disputes.conftest import Market, admin_of, escrow, money, run, seller_of
from tests.disputes.test_returns_and_evidence import asking, delivered
from tests.settlement.conftest import ledger_ok

NOTE = ReturnApproveIn(instructions="Post it to 1 Rue du Port, Lyon.")


async def sla(runtime: Runtime, market: Market, ceramics: dict[str, int] | None = None, **base):
    """Put an SLA policy in force now: ``base`` changes, and ``ceramics`` for the mug's
    category."""
    overrides = [SlaOverrideIn(category_id=market.tree.ceramics, parameters=ceramics or {})]
    draft = PolicyDraftIn(
        kind=PolicyKind.SLA,
        reason="Refund conditions",
        parameters=DEFAULT_SLA | base,
        overrides=overrides if ceramics else [],
    )
    async with runtime.database.transaction() as session:
        version = await governance.draft_policy(session, admin_of(market), draft)
        await governance.activate_policy(session, admin_of(market), version.id, ActivateIn())


async def received(runtime: Runtime, market: Market, order: dict, why: ReturnReason):
    """One unit asked back for ``why``, approved and received: the settled return."""
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    asked = await run(runtime, service.request_return, market.buyer, asking(order, line_id, 1, why))
    await run(runtime, service.approve_return, seller_of(market), asked.id, NOTE)
    return asked, await run(runtime, service.mark_return_received, seller_of(market), asked.id)


async def test_a_change_of_mind_is_refunded_less_the_restocking_fee(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    before_policy = await delivered(runtime, client, market)
    clock.advance(timedelta(minutes=1))
    await sla(runtime, market, restocking_fee_percent=10)
    order = await delivered(runtime, client, market)
    # The policy in force when an order was paid decides: none then, so no fee.
    asked, done = await received(runtime, market, before_policy, ReturnReason.CHANGED_MIND)
    assert (asked.restocking_fee_percent, done.refunded_minor, done.restocking_fee_minor) == (
        0,
        1800,
        0,
    )

    start = await money(runtime, market.seller_id, order["id"])
    asked, done = await received(runtime, market, order, ReturnReason.CHANGED_MIND)
    assert asked.restocking_fee_percent == 10
    assert (done.status, done.refunded_minor, done.restocking_fee_minor) == ("refunded", 1620, 180)
    after = await money(runtime, market.seller_id, order["id"])
    assert after["escrow"] == start["escrow"] - 1620
    assert after["clearing"] == start["clearing"] + 1620
    line = (await escrow(runtime, order["id"])).lines[0]
    assert (line.refunded_quantity, line.refunded_minor, line.kept_minor) == (1, 1620, 180)

    # A defective unit is the seller's fault: no fee, and the line ends exactly at its total.
    asked, done = await received(runtime, market, order, ReturnReason.DEFECTIVE)
    assert (asked.restocking_fee_percent, done.refunded_minor, done.restocking_fee_minor) == (
        0,
        1800,
        0,
    )
    line = (await escrow(runtime, order["id"])).lines[0]
    assert (line.refunded_quantity, line.refunded_minor + line.kept_minor) == (2, 3600)
    assert (await money(runtime, market.seller_id, order["id"]))["escrow"] == start["escrow"] - 3420
    await ledger_ok(runtime)


@pytest.mark.parametrize("why", [r for r in ReturnReason if r is not ReturnReason.CHANGED_MIND])
async def test_no_fee_for_what_is_the_sellers_fault(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock, why
):
    await sla(runtime, market, restocking_fee_percent=25)
    order = await delivered(runtime, client, market)
    asked, done = await received(runtime, market, order, why)
    assert (asked.restocking_fee_percent, done.refunded_minor, done.restocking_fee_minor) == (
        0,
        1800,
        0,
    )


async def test_a_full_fee_moves_no_money_and_a_dispute_cannot_refund_it_again(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    await sla(runtime, market, ceramics={"restocking_fee_percent": 100})
    order = await delivered(runtime, client, market)
    start = await money(runtime, market.seller_id, order["id"])
    _, done = await received(runtime, market, order, ReturnReason.CHANGED_MIND)
    assert (done.status, done.refunded_minor, done.restocking_fee_minor) == ("refunded", 0, 1800)
    async with runtime.database.reading() as session:
        refunds = (await session.execute(select(func.count()).select_from(Refund))).scalar_one()
    assert refunds == 0
    assert await money(runtime, market.seller_id, order["id"]) == start
    # The buyer disputes the line: only the unit not returned is left to refund.
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    opening = DisputeOpenIn(
        order_id=uuid.UUID(order["id"]),
        order_line_id=line_id,
        reason="not_as_described",
        description="The other mug is chipped as well.",
    )
    dispute = await run(runtime, service.open_dispute, market.buyer, opening)
    answer = AnswerIn(answer="rejected", note="It left intact.")
    await run(runtime, service.answer_dispute, seller_of(market), dispute.id, answer)
    await run(runtime, service.escalate_dispute, market.buyer, dispute.id)
    decision = DecisionIn(outcome="refund_full", note="Refund what is left of the line.")
    decided = await run(runtime, service.decide_dispute, admin_of(market), dispute.id, decision)
    assert decided.refunded_minor == 1800
    await ledger_ok(runtime)


async def _mails_to(runtime: Runtime, address: str) -> list[str]:
    async with runtime.database.reading() as session:
        rows = await session.execute(
            select(Mail.body_text).where(Mail.to_address == address).order_by(Mail.created_at)
        )
        return list(rows.scalars())


async def test_an_approved_return_not_sent_back_in_time_expires_once(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    await sla(runtime, market, ceramics={"return_ship_back_days": 5})
    order = await delivered(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    asked = await run(runtime, service.request_return, market.buyer, asking(order, line_id, 2))
    approved = await run(runtime, service.approve_return, seller_of(market), asked.id, NOTE)
    assert approved.ship_back_by == clock.now() + timedelta(days=5)
    start = await money(runtime, market.seller_id, order["id"])

    clock.advance(timedelta(days=5, seconds=-1))
    assert await expire_returns() == 0
    clock.advance(timedelta(seconds=1))
    mails = len(await _mails_to(runtime, market.people["buyer"].email))
    assert await expire_returns() == 1
    assert await expire_returns() == 0  # a second run finds nothing left to do
    shown = await run(runtime, service.get_return, market.buyer, asked.id)
    assert (shown.status, shown.expired_at, shown.refunded_minor) == (
        ReturnStatus.EXPIRED,
        clock.now(),
        0,
    )
    buyer_mails = await _mails_to(runtime, market.people["buyer"].email)
    assert len(buyer_mails) == mails + 1
    assert "Your return expired" in buyer_mails[-1]
    assert "you can still report a problem until" in buyer_mails[-1]
    with pytest.raises(service.ReturnNotAllowed):
        await run(runtime, service.mark_return_received, seller_of(market), asked.id)
    assert await money(runtime, market.seller_id, order["id"]) == start
    # The units are free again: the buyer may ask once more inside the return window.
    again = await run(runtime, service.request_return, market.buyer, asking(order, line_id, 2))
    assert again.status == ReturnStatus.REQUESTED


async def test_a_parcel_received_late_but_before_the_sweep_is_refunded(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await delivered(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    asked = await run(runtime, service.request_return, market.buyer, asking(order, line_id, 1))
    await run(runtime, service.approve_return, seller_of(market), asked.id, NOTE)
    clock.advance(timedelta(days=DEFAULT_SLA["return_ship_back_days"], hours=1))
    done = await run(runtime, service.mark_return_received, seller_of(market), asked.id)
    assert (done.status, done.refunded_minor) == ("refunded", 1800)
    assert await expire_returns() == 0
    async with runtime.database.reading() as session:
        row = await session.get(Return, asked.id)
        assert row is not None and (row.status, row.expired_at) == ("refunded", None)


async def test_settlement_refuses_to_keep_more_than_the_units_amount(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await delivered(runtime, client, market)
    line_id = str((await escrow(runtime, order["id"])).lines[0].line_id)
    path = f"/api/v1/settlement/orders/{order['id']}/refunds"
    headers = market.headers("seller") | {"Idempotency-Key": "keep-too-much"}
    body = {"reason": "Restocking", "lines": [{"line_id": line_id, "quantity": 1}]}
    too_much = await client.post(
        path,
        json=body | {"lines": [{"line_id": line_id, "quantity": 1, "keep_minor": 1801}]},
        headers=headers,
    )
    assert too_much.status_code == 422, too_much.text
    assert [e["field"] for e in too_much.json()["errors"]] == ["lines.0.keep_minor"]
    assert (await escrow(runtime, order["id"])).refunded_minor == 0
    kept = await client.post(
        path,
        json=body | {"lines": [{"line_id": line_id, "quantity": 1, "keep_minor": 300}]},
        headers=headers | {"Idempotency-Key": "keep-some"},
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["amount_minor"] == 1500
    assert kept.json()["lines"] == [
        {"line_id": line_id, "quantity": 1, "amount_minor": 1500, "kept_minor": 300}
    ]
    line = (await escrow(runtime, order["id"])).lines[0]
    assert (line.refunded_quantity, line.refunded_minor, line.kept_minor) == (1, 1500, 300)
    await ledger_ok(runtime)
