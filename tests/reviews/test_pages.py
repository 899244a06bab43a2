"""The reviews pages: the order page's review panel (empty for anyone but the buyer of a
delivered order), the review form's errors, the product page's reviews and report button, the
seller's reply form and the moderation queue."""

from __future__ import annotations

import httpx
import pytest

from mercato.kit.runtime import Runtime
from tests.orders.test_seller_pages import browser_like, post, sign_in_as  # noqa: F401
from tests.reviews.conftest import (
    REVIEWS,
    Market,
    counts,
    delivered_order,
    order_line,
    write_review,
)
from tests.settlement.conftest import paid_orders


async def as_role(client: httpx.AsyncClient, market: Market, role: str) -> None:
    client.cookies.clear()
    if role != "anonymous":
        await sign_in_as(client, market, role)


@pytest.mark.parametrize("role", ["anonymous", "seller", "other_seller", "support", "admin"])
async def test_the_panel_is_empty_for_anyone_but_the_buyer(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, role: str
):
    order = await delivered_order(runtime, client, market)
    await as_role(client, market, role)
    response = await client.get(f"/reviews/orders/{order['id']}/panel")
    assert (response.status_code, response.text) == (200, "")


async def test_the_panel_is_empty_before_delivery(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1))
    await as_role(client, market, "buyer")
    response = await client.get(f"/reviews/orders/{orders['seller']['id']}/panel")
    assert (response.status_code, response.text) == (200, "")


async def test_the_buyer_writes_a_review_from_the_panel(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = await delivered_order(runtime, client, market)
    await as_role(client, market, "buyer")
    panel = await client.get(f"/reviews/orders/{order['id']}/panel")
    assert "Write a review" in panel.text
    path = (await order_line(client, market, order)).removeprefix("/api/v1")
    refused = await post(client, path, {"rating": "9", "body": ""}, headers={"hx-request": "true"})
    assert refused.status_code == 422
    assert "aria-invalid" in refused.text or "field__error" in refused.text
    assert await counts(runtime) == (0, 0, 0, 0)
    done = await post(client, path, {"rating": "4", "title": "Nice", "body": "Sturdy and pretty."})
    assert done.status_code == 303
    assert done.headers["location"] == f"/orders/{order['id']}"
    panel = await client.get(f"/reviews/orders/{order['id']}/panel")
    assert "Sturdy and pretty." in panel.text and "Write a review" not in panel.text
    mine = await client.get(f"{REVIEWS}/mine", headers=market.headers("buyer"))
    product = await client.get(f"/products/{mine.json()['items'][0]['listing_id']}")
    assert "Sturdy and pretty." in product.text


async def test_product_page_shows_reviews_and_replies(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    await as_role(client, market, "anonymous")
    before = await client.get(f"/products/{review['listing_id']}")  # cached for visitors
    assert "Beautiful glaze" in before.text and "Thanks a lot!" not in before.text
    await client.post(
        f"{REVIEWS}/{review['id']}/reply",
        json={"body": "Thanks a lot!"},
        headers=market.headers("seller"),
    )
    page = await client.get(f"/products/{review['listing_id']}")
    assert page.status_code == 200
    assert "Beautiful glaze" in page.text and "Thanks a lot!" in page.text
    assert 'data-testid="product-rating"' in page.text
    assert "Send report" not in page.text  # visitors sign in to report
    await as_role(client, market, "other_seller")
    page = await client.get(f"/products/{review['listing_id']}")
    assert "Send report" in page.text
    reported = await post(
        client,
        f"/reviews/{review['id']}/report",
        {"reason": "spam", "listing_id": review["listing_id"]},
    )
    assert reported.status_code == 303
    assert reported.headers["location"] == f"/products/{review['listing_id']}#reviews"
    assert await counts(runtime) == (1, 1, 1, 0)
    shop = await client.get(f"/shops/{market.seller_id}")
    assert 'data-testid="shop-rating"' in shop.text


async def test_seller_replies_from_the_portal(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    await as_role(client, market, "seller")
    page = await client.get("/seller/reviews")
    assert page.status_code == 200 and "Beautiful glaze" in page.text
    path = f"/seller/reviews/{review['id']}/reply"
    empty = await post(client, path, {"body": "  "})
    assert empty.status_code == 422 and "field__error" in empty.text
    done = await post(client, path, {"body": "Glad you like it."})
    assert done.status_code == 303
    assert await counts(runtime) == (1, 1, 0, 0)
    await as_role(client, market, "other_seller")
    other = await post(client, path, {"body": "Not mine."})
    assert other.status_code == 404
    assert await counts(runtime) == (1, 1, 0, 0)


async def test_admin_hides_a_reported_review_support_only_reads(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    review = await write_review(client, market, await delivered_order(runtime, client, market))
    await client.post(
        f"{REVIEWS}/{review['id']}/reports",
        json={"reason": "offensive"},
        headers=market.headers("other_seller"),
    )
    await as_role(client, market, "support")
    queue = await client.get("/admin/reviews")
    assert queue.status_code == 200 and "Beautiful glaze" in queue.text
    assert "Hide review" not in queue.text
    await as_role(client, market, "admin")
    path = f"/admin/reviews/{review['id']}/decisions"
    no_reason = await post(client, path, {"action": "hide", "reason": ""})
    assert no_reason.status_code == 303
    assert await counts(runtime) == (1, 0, 1, 0)
    hidden = await post(client, path, {"action": "hide", "reason": "Abusive language."})
    assert hidden.status_code == 303
    assert await counts(runtime) == (1, 0, 1, 1)
    page = await client.get(f"/products/{review['listing_id']}")
    assert "Beautiful glaze" not in page.text
    await as_role(client, market, "buyer")
    assert (await client.get("/admin/reviews")).status_code == 403
