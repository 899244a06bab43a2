"""The reviews rules through the API: who may review, reply, report and moderate; bad input;
ratings exact and consistent with moderation, in the reviews and in the search index."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from mercato.kit import clock
from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.reviews import low_rated_order_ids
from mercato.search import service as search_service
from mercato.search.schemas import SearchQuery
from tests.fixtures.accounts import create_user, login
from tests.reviews.conftest import (
    GOOD_REVIEW,
    REVIEWS,
    Market,
    counts,
    delivered_order,
    order_line,
    write_review,
)
from tests.settlement.conftest import paid_orders


async def _listing_reviews(client: httpx.AsyncClient, listing_id: str) -> dict:
    response = await client.get(f"{REVIEWS}/listings/{listing_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_buyer_reviews_a_delivered_line_once(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = await delivered_order(runtime, client, market)
    review = await write_review(client, market, order)
    assert (review["rating"], review["title"], review["status"]) == (5, "Lovely", "published")
    assert review["buyer_name"] == "Buyer"
    listed = await _listing_reviews(client, review["listing_id"])
    assert [item["id"] for item in listed["items"]] == [review["id"]]
    assert listed["summary"] == {
        "count": 1,
        "average_tenths": 50,
        "average": "5.0",
        "distribution": {"5": 1, "4": 0, "3": 0, "2": 0, "1": 0},
    }
    again = await client.post(
        await order_line(client, market, order), json=GOOD_REVIEW, headers=market.headers("buyer")
    )
    assert again.status_code == 409
    assert await counts(runtime) == (1, 0, 0, 0)
    mine = await client.get(f"{REVIEWS}/mine", headers=market.headers("buyer"))
    assert [item["id"] for item in mine.json()["items"]] == [review["id"]]


async def test_an_order_not_yet_delivered_cannot_be_reviewed(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1))
    path = await order_line(client, market, orders["seller"])
    response = await client.post(path, json=GOOD_REVIEW, headers=market.headers("buyer"))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert await counts(runtime) == (0, 0, 0, 0)


async def test_only_the_orders_buyer_may_review_it(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = await delivered_order(runtime, client, market)
    path = await order_line(client, market, order)
    await create_user(runtime, "eve@example.com", Role.BUYER, "Eve")
    eve = await login(client, "eve@example.com")
    assert (await client.post(path, json=GOOD_REVIEW, headers=eve)).status_code == 404
    seller = market.headers("seller")
    assert (await client.post(path, json=GOOD_REVIEW, headers=seller)).status_code == 403
    assert (await client.post(path, json=GOOD_REVIEW)).status_code == 401
    wrong_line = f"{REVIEWS}/orders/{order['id']}/lines/{uuid.uuid4()}"
    buyer = market.headers("buyer")
    assert (await client.post(wrong_line, json=GOOD_REVIEW, headers=buyer)).status_code == 404
    assert await counts(runtime) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {**GOOD_REVIEW, "rating": 0},
        {**GOOD_REVIEW, "rating": 6},
        {**GOOD_REVIEW, "body": "   "},
        {**GOOD_REVIEW, "body": "x" * 4001},
        {**GOOD_REVIEW, "title": "t" * 121},
        {"rating": 4},
    ],
    ids=["zero", "six", "blank", "too-long", "long-title", "no-text"],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, body: dict
):
    order = await delivered_order(runtime, client, market)
    path = await order_line(client, market, order)
    response = await client.post(path, json=body, headers=market.headers("buyer"))
    assert response.status_code == 422
    assert await counts(runtime) == (0, 0, 0, 0)


async def test_the_seller_replies_once_and_no_other_seller_can(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    path = f"{REVIEWS}/{review['id']}/reply"
    body = {"body": "Thank you, glad it arrived safely!"}
    other = await client.post(path, json=body, headers=market.headers("other_seller"))
    assert other.status_code == 404
    buyer = await client.post(path, json=body, headers=market.headers("buyer"))
    assert buyer.status_code == 403
    first = await client.post(path, json=body, headers=market.headers("seller"))
    assert first.status_code == 201, first.text
    assert first.json()["reply"]["body"] == body["body"]
    second = await client.post(path, json={"body": "Again"}, headers=market.headers("seller"))
    assert second.status_code == 409
    assert await counts(runtime) == (1, 1, 0, 0)
    listed = await _listing_reviews(client, review["listing_id"])
    assert listed["items"][0]["reply"]["body"] == body["body"]
    shop = await client.get(f"{REVIEWS}/shop", headers=market.headers("seller"))
    assert [item["id"] for item in shop.json()["items"]] == [review["id"]]


async def test_anyone_signed_in_reports_once_not_their_own(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    path = f"{REVIEWS}/{review['id']}/reports"
    body = {"reason": "offensive", "note": "Insults the seller."}
    assert (await client.post(path, json=body)).status_code == 401
    own = await client.post(path, json=body, headers=market.headers("buyer"))
    assert own.status_code == 403
    first = await client.post(path, json=body, headers=market.headers("other_seller"))
    assert first.status_code == 201, first.text
    assert (first.json()["reason"], first.json()["status"]) == ("offensive", "open")
    again = await client.post(path, json=body, headers=market.headers("other_seller"))
    assert again.status_code == 409
    bad = await client.post(path, json={"reason": "boring"}, headers=market.headers("seller"))
    assert bad.status_code == 422
    assert await counts(runtime) == (1, 0, 1, 0)


async def _indexed_rating(runtime: Runtime, listing_id: str) -> tuple[int, int]:
    async with runtime.database.reading() as session:
        results = await search_service.search(session, SearchQuery())
    hit = next(item for item in results.items if str(item.listing_id) == listing_id)
    return hit.rating_count, hit.rating_tenths


async def test_moderation_hides_and_restores_and_ratings_follow(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    ratings = (5, 4, 4)  # 13 / 3 = 4.333… -> 4.3
    reviews = [
        await write_review(
            client, market, await delivered_order(runtime, client, market), rating=stars
        )
        for stars in ratings
    ]
    listing_id = reviews[0]["listing_id"]
    assert (await _listing_reviews(client, listing_id))["summary"]["average"] == "4.3"
    assert await _indexed_rating(runtime, listing_id) == (3, 43)
    target = reviews[0]["id"]
    await client.post(
        f"{REVIEWS}/{target}/reports", json={"reason": "fake"}, headers=market.headers("seller")
    )
    queue = await client.get(f"{REVIEWS}/moderation", headers=market.headers("support"))
    assert [(item["id"], item["open_reports"]) for item in queue.json()["items"]] == [(target, 1)]
    decision = {"action": "hide", "reason": "The seller's own account wrote it."}
    path = f"{REVIEWS}/{target}/decisions"
    refused = await client.post(path, json=decision, headers=market.headers("support"))
    assert refused.status_code == 403
    hidden = await client.post(path, json=decision, headers=market.headers("admin"))
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["status"] == "hidden"
    assert [r["status"] for r in hidden.json()["reports"]] == ["upheld"]
    summary = (await _listing_reviews(client, listing_id))["summary"]
    assert (summary["count"], summary["average"]) == (2, "4.0")
    assert await _indexed_rating(runtime, listing_id) == (2, 40)
    assert (
        await client.post(path, json=decision, headers=market.headers("admin"))
    ).status_code == 409
    restore = {"action": "restore", "reason": "Checked again: a genuine buyer."}
    restored = await client.post(path, json=restore, headers=market.headers("admin"))
    assert [d["action"] for d in restored.json()["decisions"]] == ["hide", "restore"]
    assert await _indexed_rating(runtime, listing_id) == (3, 43)
    assert await counts(runtime) == (3, 0, 1, 2)


async def test_dismissing_reports_keeps_the_review(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    path = f"{REVIEWS}/{review['id']}/decisions"
    dismiss = {"action": "dismiss", "reason": "Nothing wrong with it."}
    assert (
        await client.post(path, json=dismiss, headers=market.headers("admin"))
    ).status_code == 409
    await client.post(
        f"{REVIEWS}/{review['id']}/reports",
        json={"reason": "spam"},
        headers=market.headers("other_seller"),
    )
    done = await client.post(path, json=dismiss, headers=market.headers("admin"))
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["open_reports"]) == ("published", 0)
    queue = await client.get(f"{REVIEWS}/moderation", headers=market.headers("admin"))
    assert queue.json()["items"] == []


async def test_low_rated_orders_for_the_defect_rate(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    since = clock.now() - timedelta(days=1)
    low = await delivered_order(runtime, client, market)
    await write_review(client, market, low, rating=2)
    await write_review(client, market, await delivered_order(runtime, client, market), rating=3)
    async with runtime.database.reading() as session:
        found = await low_rated_order_ids(session, market.seller_id, since)
        later = await low_rated_order_ids(session, market.seller_id, clock.now() + timedelta(1))
    assert found == {uuid.UUID(low["id"])}
    assert later == set()
    sellers = await client.get(f"{REVIEWS}/sellers/{market.seller_id}")
    assert sellers.json()["summary"]["average"] == "2.5"
