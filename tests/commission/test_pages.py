"""Commission pages: who may open and post to them (nothing written on denial), and the
calculator's htmx answer."""

from __future__ import annotations

import httpx
import pytest

from mercato.kit.runtime import Runtime
from tests.commission.conftest import Market
from tests.commission.test_api import counts
from tests.fixtures.accounts import ROLES
from tests.orders.test_buyer_pages import csrf_of

PAGES = {
    "/admin/commission": {"admin"},
    "/seller/fees": {"seller", "other_seller"},
}
POSTS = {
    "/admin/commission/rules": ({"name": "Books", "rate_bps": "800"}, {"admin"}),
    "/admin/commission/plans": ({"code": "p", "name": "P"}, {"admin"}),
    "/admin/commission/incentives": (
        {"name": "I", "kind": "new_seller", "rate_bps": "0", "new_seller_days": "30"},
        {"admin"},
    ),
    "/seller/fees/plan": ({"plan_code": "nope"}, set()),
}


@pytest.mark.parametrize("role", ROLES)
async def test_pages_by_role(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, role: str
) -> None:
    headers = market.headers(role)
    for path, allowed in PAGES.items():
        response = await client.get(path, headers=headers, follow_redirects=False)
        if role in allowed:
            assert response.status_code == 200, (path, response.text[:300])
        elif role == "anonymous":
            assert response.status_code in (303, 401), path
        else:
            assert response.status_code == 403, (path, role)
    token = await csrf_of(client, "/login")
    for path, (form, allowed) in POSTS.items():
        before = await counts(runtime)
        response = await client.post(
            path, data=form, headers={**headers, "X-CSRF-Token": token}, follow_redirects=False
        )
        if role in allowed:
            assert response.status_code == 303, (path, role, response.text[:300])
            assert await counts(runtime) != before, (path, role)
        else:
            seller_form = path.startswith("/seller") and role in ("seller", "other_seller")
            expected = {303, 401} if role == "anonymous" else {422} if seller_form else {403}
            assert response.status_code in expected, (path, role)
            assert await counts(runtime) == before, (path, role)


async def test_calculator_answers_htmx(client: httpx.AsyncClient, market: Market) -> None:
    listings = await client.get("/api/v1/catalog/my/listings", headers=market.headers("seller"))
    listing_id = listings.json()["items"][0]["id"]
    response = await client.get(
        f"/seller/fees/quote?listing_id={listing_id}&price=18.00&quantity=2",
        headers={**market.headers("seller"), "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="quote-net">€32.40<' in response.text
    bad = await client.get(
        f"/seller/fees/quote?listing_id={listing_id}&price=abc&quantity=2",
        headers={**market.headers("seller"), "HX-Request": "true"},
    )
    assert "A price in EUR, such as 19.90." in bad.text
