"""Disputes pages: the order panel (empty for anyone but the buyer), the buyer's forms with
their inline errors, each party's dispute page and its steps, the seller's returns."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from mercato.disputes import service as disputes
from mercato.disputes.models import Dispute, DisputeEvidence
from mercato.disputes.schemas import DisputeOpenIn
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.sellers.demo import logo_png
from tests.disputes.conftest import Market, act, escrow, paid_orders, run
from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.usefixtures("clock")


async def csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/login", follow_redirects=True)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, market: Market, who: str) -> str:
    """Sign ``who`` in with a session cookie; the CSRF token of their next forms."""
    client.cookies.clear()
    form = {"csrf_token": await csrf(client), "email": market.people[who].email}
    response = await client.post("/login", data=form | {"password": PASSWORD})
    assert response.status_code == 303, response.text
    return await csrf(client)


async def delivered_mug(runtime: Runtime, client: httpx.AsyncClient, market: Market) -> dict:
    order = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    for verb, body in (("accept", {}), ("ship", {"carrier": "DHL", "tracking_number": "JD0001"})):
        assert (await act(client, market, "seller", order, verb, **body)).status_code == 200
    assert (await act(client, market, "buyer", order, "deliver")).status_code == 200
    return order


async def count(runtime: Runtime, model) -> int:
    async with runtime.database.reading() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_panel_shows_the_buyer_what_to_do_and_nothing_to_others(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = await delivered_mug(runtime, client, market)
    await sign_in(client, market, "buyer")
    panel = await client.get(f"/disputes/orders/{order['id']}/panel")
    assert panel.status_code == 200
    assert 'data-testid="report-problem"' in panel.text
    assert 'data-testid="return-item"' in panel.text
    await sign_in(client, market, "seller")
    foreign = await client.get(f"/disputes/orders/{order['id']}/panel")
    assert (foreign.status_code, foreign.text) == (200, "")
    await sign_in(client, market, "buyer")
    unknown = await client.get(f"/disputes/orders/{uuid.uuid4()}/panel")
    assert (unknown.status_code, unknown.text) == (200, "")


async def test_open_form_errors_inline_and_writes_nothing(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await delivered_mug(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    token = await sign_in(client, market, "buyer")
    form = {
        "csrf_token": token,
        "order_id": order["id"],
        "order_line_id": str(line_id),
        "reason": "not_as_described",
        "description": "short",
    }
    refused = await client.post("/disputes/new", data=form)
    assert refused.status_code == 422
    assert "Use at least 10 characters." in refused.text
    clock.advance(timedelta(days=31))
    form["csrf_token"] = await sign_in(client, market, "buyer")
    late = await client.post("/disputes/new", data=form | {"description": "It is cracked badly."})
    assert late.status_code == 422
    assert "The dispute window closed" in late.text
    assert await count(runtime, Dispute) == 0


async def test_the_three_parties_pages_and_steps(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = await delivered_mug(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    token = await sign_in(client, market, "buyer")
    opened = await client.post(
        "/disputes/new",
        data={
            "csrf_token": token,
            "order_id": order["id"],
            "order_line_id": str(line_id),
            "reason": "not_as_described",
            "description": "The mug arrived cracked.",
        },
        follow_redirects=False,
    )
    assert opened.status_code == 303
    path = opened.headers["location"]
    dispute_id = path.rsplit("/", 1)[1]
    page = await client.get(path)
    assert page.status_code == 200 and "The mug arrived cracked." in page.text
    bad = await client.post(
        f"{path}/evidence",
        data={"csrf_token": token},
        files={"file": ("x.png", b"GIF89a not a png", "image/png")},
    )
    assert bad.status_code == 422 and "Upload a PNG, JPEG or PDF file" in bad.text
    png = logo_png((0, 0, 0), (255, 255, 255), "sun", size=16)
    good = await client.post(
        f"{path}/evidence",
        data={"csrf_token": token},
        files={"file": ("crack.png", png, "image/png")},
        follow_redirects=False,
    )
    assert good.status_code == 303 and await count(runtime, DisputeEvidence) == 1
    token = await sign_in(client, market, "seller")
    inbox = await client.get("/seller/disputes")
    assert inbox.status_code == 200 and "1 awaiting your answer" in inbox.text
    answered = await client.post(
        f"/seller/disputes/{dispute_id}/answer",
        data={"csrf_token": token, "answer": "rejected", "note": "It left here intact."},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    token = await sign_in(client, market, "buyer")
    escalated = await client.post(
        f"{path}/step", data={"csrf_token": token, "step": "escalate"}, follow_redirects=False
    )
    assert escalated.status_code == 303
    token = await sign_in(client, market, "admin")
    queue = await client.get("/admin/disputes")
    assert queue.status_code == 200 and "Decide" in queue.text
    decision = {"csrf_token": token, "outcome": "refund_partial", "note": "Half each."}
    too_much = await client.post(
        f"/admin/disputes/{dispute_id}/decision", data=decision | {"amount": "36.01"}
    )
    assert too_much.status_code == 422 and "At most €36.00" in too_much.text
    decided = await client.post(
        f"/admin/disputes/{dispute_id}/decision",
        data=decision | {"amount": "18.00"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    async with runtime.database.reading() as session:
        done = await disputes.get_dispute(session, market.buyer, uuid.UUID(dispute_id))
    assert (done.status, done.refunded_minor) == ("decided", 1800)


async def test_seller_returns_page_refunds_on_receipt(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = await delivered_mug(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    token = await sign_in(client, market, "buyer")
    base = {
        "csrf_token": token,
        "order_id": order["id"],
        "order_line_id": str(line_id),
        "reason_code": "changed_mind",
    }
    too_many = await client.post(
        "/disputes/returns/new", data=base | {"quantity": "3", "reason": "Too small."}
    )
    assert too_many.status_code == 422 and "At most 2 unit(s)" in too_many.text
    requested = await client.post(
        "/disputes/returns/new",
        data=base | {"quantity": "1", "reason": "Too small."},
        follow_redirects=False,
    )
    assert requested.status_code == 303
    token = await sign_in(client, market, "seller")
    listing = await client.get("/seller/returns")
    return_id = listing.text.split("/seller/returns/")[1].split("/")[0]
    approved = await client.post(
        f"/seller/returns/{return_id}/approve",
        data={"csrf_token": token, "instructions": "Post it to 1 Rue du Port."},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    received = await client.post(
        f"/seller/returns/{return_id}/received", data={"csrf_token": token}, follow_redirects=False
    )
    assert received.status_code == 303
    page = await client.get("/seller/returns")
    assert "Refunded" in page.text and "€18.00" in page.text
    assert (await escrow(runtime, order["id"])).lines[0].refunded_quantity == 1


async def test_foreign_dispute_pages_are_not_found(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = await delivered_mug(runtime, client, market)
    line_id = (await escrow(runtime, order["id"])).lines[0].line_id
    data = DisputeOpenIn(
        order_id=uuid.UUID(order["id"]),
        order_line_id=line_id,
        reason="not_as_described",
        description="The mug arrived cracked.",
    )
    dispute = await run(runtime, disputes.open_dispute, market.buyer, data)
    await sign_in(client, market, "other_seller")
    assert (await client.get(f"/seller/disputes/{dispute.id}")).status_code == 404
    await sign_in(client, market, "buyer")
    assert (await client.get(f"/admin/disputes/{dispute.id}")).status_code == 403
