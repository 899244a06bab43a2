"""The seller's median response time counts its replies to buyers' order messages (from the
first message it had not answered to its reply) beside its first answers to disputes, over the
30- and 90-day windows; another seller's replies are not its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.performance.conftest import paid_orders

API = "/api/v1"


async def write(client, market, who: str, order: dict[str, Any], body: str) -> None:
    response = await client.post(
        f"{API}/orders/{order['id']}/messages", json={"body": body}, headers=market.headers(who)
    )
    assert response.status_code == 201, response.text


async def medians(client, market, who: str = "seller") -> dict[int, int | None]:
    response = await client.get(f"{API}/performance/me", headers=market.headers(who))
    assert response.status_code == 200, response.text
    return {m["days"]: m["median_response_seconds"] for m in response.json()["metrics"]}


async def test_replies_to_messages_count_in_the_median(runtime, client, market, clock):
    assert await medians(client, market) == {30: None, 90: None}
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    mine, theirs = orders["seller"], orders["other_seller"]
    # 60 days ago: a question answered after 10 hours (only in the 90-day window).
    await write(client, market, "buyer", mine, "Old question")
    clock.advance(timedelta(hours=10))
    await write(client, market, "seller", mine, "Old answer")
    clock.advance(timedelta(days=60))
    # Now: two messages, one reply 2 hours after the first; then a thank-you answered in 30 min.
    await write(client, market, "buyer", mine, "Question")
    clock.advance(timedelta(hours=1))
    await write(client, market, "buyer", mine, "Hello?")
    clock.advance(timedelta(hours=1))
    await write(client, market, "seller", mine, "Answer")
    clock.advance(timedelta(hours=1))
    await write(client, market, "buyer", mine, "Thanks")
    clock.advance(timedelta(minutes=30))
    await write(client, market, "seller", mine, "Welcome")
    # The other seller's slow reply is its own.
    await write(client, market, "buyer", theirs, "Lamp question")
    clock.advance(timedelta(days=2))
    await write(client, market, "other_seller", theirs, "Lamp answer")

    assert await medians(client, market) == {
        30: (30 * 60 + 2 * 3600) // 2,  # 30 min and 2 h
        90: 2 * 3600,  # 30 min, 2 h and 10 h
    }
    assert (await medians(client, market, "other_seller"))[30] == 2 * 86400
