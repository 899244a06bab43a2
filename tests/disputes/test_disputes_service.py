"""Disputes through the service: opening within the window and its refusals (nothing written),
the escrow freeze, the seller's answer, escalation by the buyer and by the sweep, the admin's
decisions with the money they move (before and after release), acceptance, withdrawal."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mercato.disputes import disputed_order_ids
from mercato.disputes import service as disputes
from mercato.disputes.models import Dispute, DisputeMessage
from mercato.disputes.schemas import AnswerIn, DecisionIn, DisputeOpenIn, MessageIn
from mercato.disputes.tasks import escalate_overdue
from mercato.governance.calculations import DEFAULT_SLA
from mercato.kit.auth import Principal, Role
from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mercato.kit.runtime import Runtime
from mercato.notifications.models import Mail
from tests.disputes.conftest import (
    Market,
    act,
    admin_of,
    complete,
    escrow,
    money,
    paid_orders,
    release,
    run,
    seller_of,
    support_of,
)

# The seller's time to answer: the SLA policy's, the built-in one while none was activated.
SELLER_ANSWER = timedelta(days=DEFAULT_SLA["seller_dispute_answer_days"])


async def shipped_mug(runtime: Runtime, client: httpx.AsyncClient, market: Market) -> dict:
    order = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    for verb, body in (("accept", {}), ("ship", {"carrier": "DHL", "tracking_number": "JD0001"})):
        assert (await act(client, market, "seller", order, verb, **body)).status_code == 200
    return order


async def line_of(runtime: Runtime, market: Market, order: dict) -> uuid.UUID:
    held = await escrow(runtime, order["id"])
    return held.lines[0].line_id


def opening(order: dict, line_id: uuid.UUID, reason: str = "item_not_received") -> DisputeOpenIn:
    return DisputeOpenIn(
        order_id=uuid.UUID(order["id"]),
        order_line_id=line_id,
        reason=reason,
        description="The parcel never arrived at my door.",
    )


async def count(runtime: Runtime, model: Any) -> int:
    async with runtime.database.reading() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def open_one(runtime, client, market, reason="item_not_received", *, delivered=False):
    order = await shipped_mug(runtime, client, market)
    if delivered:
        assert (await act(client, market, "buyer", order, "deliver")).status_code == 200
    line_id = await line_of(runtime, market, order)
    dispute = await run(
        runtime, disputes.open_dispute, market.buyer, opening(order, line_id, reason)
    )
    return order, line_id, dispute


async def test_opening_freezes_the_escrow_and_mails_both_parties(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await shipped_mug(runtime, client, market)
    mails_before = await count(runtime, Mail)
    line_id = await line_of(runtime, market, order)
    dispute = await run(runtime, disputes.open_dispute, market.buyer, opening(order, line_id))
    assert (dispute.status, dispute.reason, dispute.line_total_minor) == (
        "open",
        "item_not_received",
        3600,
    )
    assert dispute.answer_due_at == clock.now() + SELLER_ANSWER
    held = await escrow(runtime, order["id"])
    assert (held.frozen, held.frozen_reason) == (True, f"dispute:{dispute.id}")
    assert await count(runtime, Mail) == mails_before + 2
    detail = await run(runtime, disputes.get_dispute, market.buyer, dispute.id)
    assert [m.body for m in detail.messages] == ["The parcel never arrived at my door."]
    assert detail.actions == ["message", "evidence", "withdraw"]


async def test_refusals_write_nothing(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order, line_id, _ = await open_one(runtime, client, market)
    rows = await count(runtime, Dispute), await count(runtime, DisputeMessage)
    with pytest.raises(Conflict) as twice:
        await run(runtime, disputes.open_dispute, market.buyer, opening(order, line_id))
    assert twice.value.status == 409
    stranger = Principal(user_id=uuid.uuid4(), role=Role.BUYER)
    with pytest.raises(NotFound):
        await run(runtime, disputes.open_dispute, stranger, opening(order, line_id))
    with pytest.raises(Forbidden):
        await run(runtime, disputes.open_dispute, seller_of(market), opening(order, line_id))
    with pytest.raises(ValidationFailed) as wrong_kind:
        await run(
            runtime,
            disputes.open_dispute,
            market.buyer,
            opening(order, line_id, "service_not_performed"),
        )
    assert wrong_kind.value.errors[0].field == "reason"
    with pytest.raises(ValidationFailed) as foreign_line:
        await run(runtime, disputes.open_dispute, market.buyer, opening(order, uuid.uuid4()))
    assert foreign_line.value.errors[0].field == "order_line_id"
    assert (await count(runtime, Dispute), await count(runtime, DisputeMessage)) == rows


async def test_not_as_described_waits_for_delivery_and_the_window_closes(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await shipped_mug(runtime, client, market)
    line_id = await line_of(runtime, market, order)
    early = opening(order, line_id, "not_as_described")
    with pytest.raises(ValidationFailed, match="not been delivered"):
        await run(runtime, disputes.open_dispute, market.buyer, early)
    assert (await act(client, market, "buyer", order, "deliver")).status_code == 200
    clock.advance(timedelta(days=30, seconds=1))
    with pytest.raises(ValidationFailed) as late:
        await run(runtime, disputes.open_dispute, market.buyer, early)
    assert late.value.errors[0].field == "order_id"
    assert "dispute window closed" in late.value.errors[0].message
    assert await count(runtime, Dispute) == 0


async def test_services_take_only_service_reasons(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = (await paid_orders(runtime, client, market, (market.tune_up, 1)))["seller"]
    line_id = await line_of(runtime, market, order)
    with pytest.raises(ValidationFailed):
        await run(
            runtime,
            disputes.open_dispute,
            market.buyer,
            opening(order, line_id, "item_not_received"),
        )
    dispute = await run(
        runtime,
        disputes.open_dispute,
        market.buyer,
        opening(order, line_id, "service_not_performed"),
    )
    assert (dispute.kind, dispute.line_total_minor) == ("service", 4500)


async def test_reject_escalate_and_half_refund_from_escrow(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order, _, dispute = await open_one(runtime, client, market)
    with pytest.raises(Conflict, match="still has time"):
        await run(runtime, disputes.escalate_dispute, market.buyer, dispute.id)
    answer = AnswerIn(answer="rejected", note="Tracking shows it was delivered to a neighbour.")
    answered = await run(runtime, disputes.answer_dispute, seller_of(market), dispute.id, answer)
    assert (answered.status, answered.escalate_until) == (
        "seller_responded",
        clock.now() + timedelta(days=3),
    )
    with pytest.raises(Forbidden):
        await run(runtime, disputes.escalate_dispute, seller_of(market), dispute.id)
    escalated = await run(runtime, disputes.escalate_dispute, market.buyer, dispute.id)
    assert (escalated.status, escalated.auto_escalated) == ("escalated", False)
    before = await money(runtime, market.seller_id, order["id"])
    half = DecisionIn(outcome="refund_partial", amount_minor=1800, note="Split the loss.")
    with pytest.raises(Forbidden):
        await run(runtime, disputes.decide_dispute, support_of(market), dispute.id, half)
    too_much = DecisionIn(outcome="refund_partial", amount_minor=3601, note="Too much.")
    with pytest.raises(ValidationFailed, match=r"36\.00"):
        await run(runtime, disputes.decide_dispute, admin_of(market), dispute.id, too_much)
    decided = await run(runtime, disputes.decide_dispute, admin_of(market), dispute.id, half)
    assert (decided.status, decided.outcome, decided.refunded_minor) == (
        "decided",
        "refund_partial",
        1800,
    )
    after = await money(runtime, market.seller_id, order["id"])
    assert after["escrow"] == before["escrow"] - 1800 == 4090 - 1800
    assert after["clearing"] == before["clearing"] + 1800
    assert after["available"] == before["available"]
    held = await escrow(runtime, order["id"])
    assert (held.frozen, held.refunded_minor) == (False, 1800)


async def test_full_refund_after_release_comes_from_the_seller_balance(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    await complete(client, market, clock, ("seller", order))
    assert await release() == 1
    line_id = await line_of(runtime, market, order)
    before = await money(runtime, market.seller_id, order["id"])
    clock.advance(timedelta(hours=1))
    data = opening(order, line_id, "not_as_described")
    dispute = await run(runtime, disputes.open_dispute, market.buyer, data)
    clock.advance(SELLER_ANSWER + timedelta(hours=1))
    assert await escalate_overdue() == 1
    full = DecisionIn(outcome="refund_full", note="The mug was cracked.")
    decided = await run(runtime, disputes.decide_dispute, admin_of(market), dispute.id, full)
    assert (decided.refunded_minor, decided.outcome) == (3600, "refund_full")
    held = await escrow(runtime, order["id"])
    fee_share = held.refunded_fee_minor
    after = await money(runtime, market.seller_id, order["id"])
    assert after["escrow"] == before["escrow"] == 0
    assert after["clearing"] == before["clearing"] + 3600
    assert after["commission"] == before["commission"] - fee_share
    taken = (before["available"] - after["available"]) + (after["debt"] - before["debt"])
    assert taken == 3600 - fee_share


async def test_buyer_accepts_a_refund_offer(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order, _, dispute = await open_one(runtime, client, market)
    too_much = AnswerIn(answer="refund", refund_minor=3601, note="All of it.")
    with pytest.raises(ValidationFailed):
        await run(runtime, disputes.answer_dispute, seller_of(market), dispute.id, too_much)
    offer = AnswerIn(answer="refund", refund_minor=1000, note="Sorry: here is 10 euros back.")
    await run(runtime, disputes.answer_dispute, seller_of(market), dispute.id, offer)
    with pytest.raises(NotFound):
        await run(runtime, disputes.accept_answer, seller_of(market, "other_seller"), dispute.id)
    accepted = await run(runtime, disputes.accept_answer, market.buyer, dispute.id)
    assert (accepted.status, accepted.outcome, accepted.refunded_minor) == (
        "resolved",
        "seller_refund",
        1000,
    )
    held = await escrow(runtime, order["id"])
    assert (held.frozen, held.refunded_minor) == (False, 1000)
    # The line can be disputed again once the first dispute is closed.
    again = opening(order, dispute.order_line_id)
    assert (await run(runtime, disputes.open_dispute, market.buyer, again)).status == "open"


async def test_withdrawal_lifts_the_freeze(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order, _, dispute = await open_one(runtime, client, market)
    withdrawn = await run(runtime, disputes.withdraw_dispute, market.buyer, dispute.id)
    assert (withdrawn.status, withdrawn.outcome) == ("withdrawn", "withdrawn")
    assert (await escrow(runtime, order["id"])).frozen is False
    with pytest.raises(Conflict):
        await run(runtime, disputes.escalate_dispute, market.buyer, dispute.id)
    message = MessageIn(body="Hello?")
    with pytest.raises(Conflict):
        await run(runtime, disputes.post_message, market.buyer, dispute.id, message)


async def test_the_sweep_escalates_and_resolves_lapsed_answers(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order, _, dispute = await open_one(runtime, client, market)
    clock.advance(SELLER_ANSWER - timedelta(hours=1))
    assert await escalate_overdue() == 0
    clock.advance(timedelta(hours=1))
    assert await escalate_overdue() == 1
    assert await escalate_overdue() == 0
    detail = await run(runtime, disputes.get_dispute, admin_of(market), dispute.id)
    assert (detail.status, detail.auto_escalated, detail.messages[-1].author_role) == (
        "escalated",
        True,
        "system",
    )
    assert detail.actions == ["message", "evidence", "decide"]
    other = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    for verb, body in (("accept", {}), ("ship", {"carrier": "DHL", "tracking_number": "JD0002"})):
        assert (await act(client, market, "seller", other, verb, **body)).status_code == 200
    second = await run(
        runtime,
        disputes.open_dispute,
        market.buyer,
        opening(other, await line_of(runtime, market, other)),
    )
    offer = AnswerIn(answer="refund", refund_minor=500, note="Partial refund for the delay.")
    await run(runtime, disputes.answer_dispute, seller_of(market), second.id, offer)
    clock.advance(timedelta(days=3))
    assert await escalate_overdue() == 1
    resolved = await run(runtime, disputes.get_dispute, market.buyer, second.id)
    assert (resolved.status, resolved.refunded_minor) == ("resolved", 500)
    assert (await escrow(runtime, other["id"])).frozen is False
    assert (await escrow(runtime, order["id"])).frozen is True


async def test_threads_and_visibility(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    _, _, dispute = await open_one(runtime, client, market)
    for who in (market.buyer, seller_of(market), admin_of(market)):
        await run(runtime, disputes.post_message, who, dispute.id, MessageIn(body="A note."))
    with pytest.raises(Forbidden):
        await run(
            runtime, disputes.post_message, support_of(market), dispute.id, MessageIn(body="Hi")
        )
    with pytest.raises(NotFound):
        await run(runtime, disputes.get_dispute, seller_of(market, "other_seller"), dispute.id)
    stranger = Principal(user_id=uuid.uuid4(), role=Role.BUYER)
    with pytest.raises(NotFound):
        await run(runtime, disputes.get_dispute, stranger, dispute.id)
    detail = await run(runtime, disputes.get_dispute, support_of(market), dispute.id)
    assert [m.author_role for m in detail.messages] == ["buyer", "buyer", "seller", "admin"]
    assert detail.actions == []
    mine = await run(runtime, disputes.list_disputes, market.buyer)
    theirs = await run(runtime, disputes.list_disputes, seller_of(market, "other_seller"))
    assert ([d.id for d in mine.items], theirs.items) == ([dispute.id], [])


async def test_disputed_order_ids_for_governance(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    since = clock.now()
    order, _, _ = await open_one(runtime, client, market)
    async with runtime.database.reading() as session:
        found = await disputed_order_ids(session, market.seller_id, since)
        later = await disputed_order_ids(session, market.seller_id, since + timedelta(days=1))
        other = await disputed_order_ids(session, market.other_seller_id, since)
    assert (found, later, other) == ({uuid.UUID(order["id"])}, set(), set())
