"""A buyer edits their own review: through the API (who may, bad input, the ratings and the
search index following, the seller's reply kept, a hidden review staying hidden) and from the
order page's card; the product page marks one's own review and offers no Report button on it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from mercato.kit.auth import Role
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.reviews.models import Review
from tests.fixtures.accounts import create_user, login
from tests.orders.test_seller_pages import browser_like, post
from tests.reviews.conftest import REVIEWS, Market, counts, delivered_order, write_review
from tests.reviews.test_api import _indexed_rating, _listing_reviews
from tests.reviews.test_pages import as_role

__all__ = ["browser_like"]
EDIT = {"rating": 2, "title": "Chipped after a week", "body": "The glaze chipped in the sink."}


@pytest.fixture
def clock(frozen_clock: FrozenClock) -> FrozenClock:
    return frozen_clock


async def _stored(runtime: Runtime, review_id: str) -> tuple:
    async with runtime.database.reading() as session:
        row = (
            await session.execute(
                select(Review.rating, Review.title, Review.body, Review.edited_at).where(
                    Review.id == uuid.UUID(review_id)
                )
            )
        ).one()
    return tuple(row)


async def test_the_buyer_edits_and_the_ratings_follow_the_reply_stays(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    await write_review(client, market, await delivered_order(runtime, client, market), rating=4)
    listing_id = review["listing_id"]
    assert await _indexed_rating(runtime, listing_id) == (2, 45)
    reply = {"body": "Thank you, glad it arrived safely!"}
    replied = await client.post(
        f"{REVIEWS}/{review['id']}/reply", json=reply, headers=market.headers("seller")
    )
    assert replied.status_code == 201
    written_at = clock.now()
    clock.advance(timedelta(days=3))
    edited = await client.put(
        f"{REVIEWS}/{review['id']}", json=EDIT, headers=market.headers("buyer")
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["rating"], body["title"], body["body"]) == (2, EDIT["title"], EDIT["body"])
    assert body["edited_at"] is not None and body["reply"]["body"] == reply["body"]
    assert body["mine"] is True
    assert await _stored(runtime, review["id"]) == (2, EDIT["title"], EDIT["body"], clock.now())
    assert written_at < clock.now()
    listed = await _listing_reviews(client, listing_id)
    assert listed["summary"]["average"] == "3.0"  # (2 + 4) / 2
    assert (
        listed["summary"]["distribution"]["2"] == 1 and listed["summary"]["distribution"]["5"] == 0
    )
    assert await _indexed_rating(runtime, listing_id) == (2, 30)
    assert await counts(runtime) == (2, 1, 0, 0)
    # The same again changes nothing, not even the date it was edited.
    clock.advance(timedelta(days=1))
    again = await client.put(
        f"{REVIEWS}/{review['id']}", json=EDIT, headers=market.headers("buyer")
    )
    assert again.status_code == 200
    assert (await _stored(runtime, review["id"]))[3] == clock.now() - timedelta(days=1)


async def test_only_the_author_edits_bad_input_changes_nothing(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    path = f"{REVIEWS}/{review['id']}"
    before = await _stored(runtime, review["id"])
    await create_user(runtime, "eve@example.com", Role.BUYER, "Eve")
    eve = await login(client, "eve@example.com")
    assert (await client.put(path, json=EDIT, headers=eve)).status_code == 404
    for who, status in (("seller", 403), ("other_seller", 403), ("admin", 403)):
        assert (await client.put(path, json=EDIT, headers=market.headers(who))).status_code == (
            status
        )
    assert (await client.put(path, json=EDIT)).status_code == 401
    for bad, field in (
        ({**EDIT, "rating": 6}, "rating"),
        ({**EDIT, "rating": 0}, "rating"),
        ({**EDIT, "body": " "}, "body"),
        ({**EDIT, "title": "t" * 121}, "title"),
    ):
        refused = await client.put(path, json=bad, headers=market.headers("buyer"))
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in refused.json()["errors"]] == [field]
    assert await _stored(runtime, review["id"]) == before


async def test_a_hidden_review_cannot_be_edited_back_into_view(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    hidden = await client.post(
        f"{REVIEWS}/{review['id']}/decisions",
        json={"action": "hide", "reason": "Abusive language."},
        headers=market.headers("admin"),
    )
    assert hidden.status_code == 200
    before = await _stored(runtime, review["id"])
    refused = await client.put(
        f"{REVIEWS}/{review['id']}", json=EDIT, headers=market.headers("buyer")
    )
    assert refused.status_code == 409
    assert "cannot be edited" in refused.json()["detail"]
    assert await _stored(runtime, review["id"]) == before
    mine = await client.get(f"{REVIEWS}/mine", headers=market.headers("buyer"))
    assert mine.json()["items"][0]["status"] == "hidden"
    assert (await _listing_reviews(client, review["listing_id"]))["summary"]["count"] == 0


async def test_the_buyer_edits_from_the_order_page(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, browser_like: None
):
    order = await delivered_order(runtime, client, market)
    review = await write_review(client, market, order)
    await as_role(client, market, "buyer")
    panel = await client.get(f"/reviews/orders/{order['id']}/panel")
    assert "Edit your review" in panel.text and "Edited" not in panel.text
    path = f"/reviews/{review['id']}/edit"
    form = {"order_id": order["id"], "review_id": review["id"]}
    refused = await post(
        client, path, form | {"rating": "4", "body": ""}, headers={"hx-request": "true"}
    )
    assert refused.status_code == 422
    assert 'id="reviews-panel"' in refused.text and "field__error" in refused.text
    assert (await _stored(runtime, review["id"]))[3] is None
    saved = await post(
        client,
        path,
        form | {"rating": "3", "title": "", "body": "Nice, but smaller than I thought."},
        headers={"hx-request": "true"},
    )
    assert saved.status_code == 200
    assert "Your review is updated." in saved.text
    assert 'data-testid="review-edited"' in saved.text
    assert "Nice, but smaller than I thought." in saved.text
    stored = await _stored(runtime, review["id"])
    assert stored[:3] == (3, None, "Nice, but smaller than I thought.")
    product = await client.get(f"/products/{review['listing_id']}")
    assert 'data-testid="review-edited"' in product.text


async def test_no_report_button_on_ones_own_review(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, browser_like: None
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    await as_role(client, market, "buyer")
    own = await client.get(f"/products/{review['listing_id']}")
    assert "Beautiful glaze" in own.text
    assert "Send report" not in own.text and "Your review" in own.text
    listed = await client.get(
        f"{REVIEWS}/listings/{review['listing_id']}", headers=market.headers("buyer")
    )
    assert [item["mine"] for item in listed.json()["items"]] == [True]
    await as_role(client, market, "other_seller")
    theirs = await client.get(f"/products/{review['listing_id']}")
    assert "Send report" in theirs.text and "Your review" not in theirs.text
    anonymous = await client.get(f"{REVIEWS}/listings/{review['listing_id']}")
    assert [item["mine"] for item in anonymous.json()["items"]] == [False]
