"""Returns through the API: the refund conditions a buyer reads before asking (window, time to
send back, restocking fee on a change of mind), the reason refused with its field named and
nothing written, and the fee on the return."""

from __future__ import annotations

from datetime import timedelta

import httpx

from mercato.disputes.models import Return
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from tests.disputes.conftest import Market, escrow
from tests.disputes.test_refund_conditions import sla
from tests.disputes.test_returns_and_evidence import delivered, rows

API = "/api/v1/disputes"


async def test_the_buyer_reads_the_conditions_then_asks_with_a_reason(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    await sla(runtime, market, ceramics={"restocking_fee_percent": 15, "return_ship_back_days": 7})
    order = await delivered(runtime, client, market)
    conditions = await client.get(
        f"{API}/orders/{order['id']}/return-conditions", headers=market.headers("buyer")
    )
    assert conditions.status_code == 200, conditions.text
    body = conditions.json()
    assert body["returnable"] is True and body["why_not"] is None
    assert (body["return_window_days"], body["ship_back_days"]) == (30, 7)
    assert (body["restocking_fee_percent"], body["fee_reasons"]) == (15, ["changed_mind"])
    assert body["return_until"] is not None
    seller_view = await client.get(
        f"{API}/orders/{order['id']}/return-conditions", headers=market.headers("seller")
    )
    assert seller_view.json() == body

    line_id = str((await escrow(runtime, order["id"])).lines[0].line_id)
    ask = {"order_id": order["id"], "order_line_id": line_id, "quantity": 1, "reason": "Too big."}
    for wrong, field in (({}, "reason_code"), ({"reason_code": "bored"}, "reason_code")):
        refused = await client.post(
            f"{API}/returns", json=ask | wrong, headers=market.headers("buyer")
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in refused.json()["errors"]] == [field]
    assert await rows(runtime, Return) == 0
    asked = await client.post(
        f"{API}/returns",
        json=ask | {"reason_code": "changed_mind"},
        headers=market.headers("buyer"),
    )
    assert asked.status_code == 201, asked.text
    assert (asked.json()["reason_code"], asked.json()["restocking_fee_percent"]) == (
        "changed_mind",
        15,
    )


async def test_conditions_say_why_no_return_is_possible_any_more(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    order = await delivered(runtime, client, market)
    clock.advance(timedelta(days=31))
    conditions = await client.get(
        f"{API}/orders/{order['id']}/return-conditions", headers=market.headers("buyer")
    )
    assert conditions.status_code == 200
    assert conditions.json()["returnable"] is False
    assert "return window closed" in conditions.json()["why_not"]
    assert conditions.json()["restocking_fee_percent"] == 0
