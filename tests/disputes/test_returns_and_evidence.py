"""Returns through the service (window, quantities, approve / reject / receive with the refund
moving escrow exactly, once) and evidence files (type and size refused with nothing written)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from mercato.disputes import service
from mercato.disputes.models import DisputeEvidence, Return
from mercato.disputes.schemas import (
    DisputeOpenIn,
    ReturnApproveIn,
    ReturnReason,
    ReturnRejectIn,
    ReturnRequestIn,
)
from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mercato.kit.runtime import Runtime
from mercato.sellers.demo import logo_png
from tests.disputes.conftest import Market, act, escrow, money, paid_orders, run, seller_of

PNG = logo_png((0, 0, 0), (255, 255, 255), "sun", size=16)


async def delivered(runtime: Runtime, client: httpx.AsyncClient, market: Market) -> dict:
    order = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    for verb, body in (("accept", {}), ("ship", {"carrier": "DHL", "tracking_number": "JD0001"})):
        assert (await act(client, market, "seller", order, verb, **body)).status_code == 200
    assert (await act(client, market, "buyer", order, "deliver")).status_code == 200
    return order


def asking(
    order: dict, line_id: uuid.UUID, quantity: int, why: ReturnReason = ReturnReason.CHANGED_MIND
) -> ReturnRequestIn:
    return ReturnRequestIn(
        order_id=uuid.UUID(order["id"]),
        order_line_id=line_id,
        quantity=quantity,
        reason_code=why,
        reason="Too small for me.",
    )


async def rows(runtime: Runtime, model) -> int:
    async with runtime.database.reading() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_return_refunds_the_units_on_receipt_once(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await delivered(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    with pytest.raises(ValidationFailed, match="At most 2"):
        await run(runtime, service.request_return, market.buyer, asking(order, line_id, 3))
    requested = await run(runtime, service.request_return, market.buyer, asking(order, line_id, 1))
    assert requested.status == "requested"
    with pytest.raises(Forbidden):
        await run(runtime, service.mark_return_received, market.buyer, requested.id)
    with pytest.raises(NotFound):
        await run(runtime, service.get_return, seller_of(market, "other_seller"), requested.id)
    with pytest.raises(Conflict):
        await run(runtime, service.mark_return_received, seller_of(market), requested.id)
    note = ReturnApproveIn(instructions="Post it to 1 Rue du Port, Lyon.")
    approved = await run(runtime, service.approve_return, seller_of(market), requested.id, note)
    assert approved.ship_back_by == clock.now() + timedelta(days=14)
    before = await money(runtime, market.seller_id, order["id"])
    done = await run(runtime, service.mark_return_received, seller_of(market), requested.id)
    assert (done.status, done.refunded_minor) == ("refunded", 1800)
    after = await money(runtime, market.seller_id, order["id"])
    assert after["escrow"] == before["escrow"] - 1800
    assert after["clearing"] == before["clearing"] + 1800
    with pytest.raises(Conflict):
        await run(runtime, service.mark_return_received, seller_of(market), requested.id)
    held = await escrow(runtime, order["id"])
    assert (held.lines[0].refunded_quantity, held.refunded_minor) == (1, 1800)
    second = await run(runtime, service.request_return, market.buyer, asking(order, line_id, 1))
    rejected = await run(
        runtime,
        service.reject_return,
        seller_of(market),
        second.id,
        ReturnRejectIn(reason="Used item."),
    )
    assert rejected.status == "rejected"
    # A rejected return gives its units back: they may be asked again.
    again = await run(runtime, service.request_return, market.buyer, asking(order, line_id, 1))
    assert again.status == "requested"


async def test_a_return_while_a_dispute_holds_the_escrow_keeps_it_frozen(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await delivered(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    dispute = DisputeOpenIn(
        order_id=uuid.UUID(order["id"]),
        order_line_id=line_id,
        reason="not_as_described",
        description="One of the two mugs is chipped.",
    )
    await run(runtime, service.open_dispute, market.buyer, dispute)
    requested = await run(runtime, service.request_return, market.buyer, asking(order, line_id, 1))
    note = ReturnApproveIn(instructions="Post it to 1 Rue du Port, Lyon.")
    await run(runtime, service.approve_return, seller_of(market), requested.id, note)
    done = await run(runtime, service.mark_return_received, seller_of(market), requested.id)
    assert done.refunded_minor == 1800
    held = await escrow(runtime, order["id"])
    assert (held.frozen, held.refunded_minor) == (True, 1800)


async def test_returns_need_delivered_goods_inside_the_window(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    service_order = (await paid_orders(runtime, client, market, (market.tune_up, 1)))["seller"]
    line = (await escrow(runtime, service_order["id"])).lines[0].line_id
    with pytest.raises(ValidationFailed, match="Only goods"):
        await run(runtime, service.request_return, market.buyer, asking(service_order, line, 1))
    order = await delivered(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    clock.advance(timedelta(days=30, seconds=1))
    with pytest.raises(ValidationFailed, match="return window closed"):
        await run(runtime, service.request_return, market.buyer, asking(order, line_id, 1))
    assert await rows(runtime, Return) == 0


async def test_evidence_type_and_size(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await delivered(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    dispute = await run(
        runtime,
        service.open_dispute,
        market.buyer,
        DisputeOpenIn(
            order_id=uuid.UUID(order["id"]),
            order_line_id=line_id,
            reason="not_as_described",
            description="One of the two mugs is chipped.",
        ),
    )
    for data, message in (
        (b"GIF89a" + b"\0" * 32, "PNG, JPEG or PDF"),
        (b"just text, renamed to .png", "PNG, JPEG or PDF"),
        (PNG + b"\0" * (5 * 1024 * 1024), "larger than 5 MB"),
        (b"", "empty"),
    ):
        with pytest.raises(ValidationFailed, match=message) as refused:
            await run(
                runtime, service.add_evidence, market.buyer, runtime.files, dispute.id, data, "x"
            )
        assert refused.value.status == 422
    assert await rows(runtime, DisputeEvidence) == 0
    added = await run(
        runtime, service.add_evidence, market.buyer, runtime.files, dispute.id, PNG, "crack"
    )
    assert (added.filename, added.content_type) == ("crack.png", "image/png")
    async with runtime.database.reading() as session:
        found = await service.get_evidence_file(session, seller_of(market), runtime.files, added.id)
        with pytest.raises(NotFound):
            await service.get_evidence_file(
                session, seller_of(market, "other_seller"), runtime.files, added.id
            )
    assert found.data == PNG
    # A name that would break the download's header is made safe.
    odd = await run(
        runtime,
        service.add_evidence,
        market.buyer,
        runtime.files,
        dispute.id,
        PNG,
        'a"b\r\nSet-Cookie: x.png',
    )
    assert odd.filename == "a_b__Set-Cookie_ x.png"
