"""Commission API: the authorization matrix (every endpoint, every role, nothing written on
denial), validation, rule versions, plans, the quote and an order's fee breakdown."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mercato.commission.models import (
    CommissionFeeLine,
    CommissionIncentive,
    CommissionPlan,
    CommissionRule,
    CommissionRuleVersion,
    CommissionSubscription,
)
from mercato.kit import clock
from mercato.kit.runtime import Runtime
from tests.commission.conftest import API, Market, paid_orders
from tests.fixtures.accounts import ROLES

C = f"{API}/commission"
TABLES = (
    CommissionRule,
    CommissionRuleVersion,
    CommissionPlan,
    CommissionSubscription,
    CommissionIncentive,
    CommissionFeeLine,
)


async def counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.database.reading() as session:
        return {
            t.__tablename__: (
                await session.execute(select(func.count()).select_from(t))
            ).scalar_one()
            for t in TABLES
        }


async def _plans(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    plans = {}
    for body in (
        {"code": "free", "name": "Free", "listing_limit": 2, "is_default": True},
        {
            "code": "pro",
            "name": "Pro",
            "monthly_fee_minor": 1900,
            "listing_limit": 50,
            "discount_bps": 300,
        },
        {"code": "biz", "name": "Business", "monthly_fee_minor": 9900, "rate_bps": 500},
    ):
        response = await client.post(f"{C}/plans", json=body, headers=admin)
        assert response.status_code == 201, response.text
        plans[body["code"]] = response.json()
    return plans


@pytest.fixture
async def setup(runtime: Runtime, client: httpx.AsyncClient, market: Market) -> dict[str, Any]:
    admin = market.headers("admin")
    plans = await _plans(client, admin)
    rules = (await client.get(f"{C}/rules", headers=admin)).json()
    incentive = await client.post(
        f"{C}/incentives",
        json={
            "name": "Spring",
            "kind": "campaign",
            "rate_bps": 0,
            "seller_ids": [str(market.other_seller_id)],
        },
        headers=admin,
    )
    assert incentive.status_code == 201, incentive.text
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1))
    listing = await client.get(f"{API}/catalog/my/listings", headers=market.headers("seller"))
    return {
        "plans": plans,
        "rule_id": rules[0]["id"],
        "incentive_id": incentive.json()["id"],
        "order_id": orders["seller"]["id"],
        "listing_id": listing.json()["items"][-1]["id"],
    }


def _requests(s: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None, set[str]]]:
    """(method, path, body, roles allowed); every other role is refused."""
    rule = {"name": "Books", "rate_bps": 800}
    plan = {"code": "x", "name": "X"}
    return [
        ("GET", "/rules", None, {"admin"}),
        ("POST", "/rules", rule, {"admin"}),
        ("GET", f"/rules/{s['rule_id']}", None, {"admin"}),
        ("POST", f"/rules/{s['rule_id']}/versions", {"rate_bps": 900}, {"admin"}),
        ("POST", f"/rules/{s['rule_id']}/end", None, {"admin"}),
        ("GET", "/plans", None, {"admin", "seller", "other_seller"}),
        ("POST", "/plans", plan, {"admin"}),
        (
            "PUT",
            f"/plans/{s['plans']['pro']['id']}",
            {**s["plans"]["pro"], "name": "Pro+"},
            {"admin"},
        ),
        ("GET", "/incentives", None, {"admin"}),
        (
            "POST",
            "/incentives",
            {"name": "N", "kind": "new_seller", "rate_bps": 0, "new_seller_days": 30},
            {"admin"},
        ),
        ("PATCH", f"/incentives/{s['incentive_id']}", {"active": False}, {"admin"}),
        ("GET", "/my/plan", None, {"seller", "other_seller"}),
        ("PUT", "/my/plan", {"plan_code": "pro"}, {"seller", "other_seller"}),
        ("GET", f"/orders/{s['order_id']}", None, {"admin", "seller"}),
        (
            "GET",
            f"/quote?listing_id={s['listing_id']}&price_minor=1000&quantity=2",
            None,
            {"seller"},
        ),
    ]


def _expected_denial(role: str, allowed: set[str]) -> set[int]:
    if role == "anonymous":
        return {401}
    sellers = {"seller", "other_seller"}
    # a seller's own-resource endpoints answer "not found" to another seller
    if role in sellers and allowed & sellers:
        return {404}
    return {403}


@pytest.mark.parametrize("role", ROLES)
async def test_authorization_matrix(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, setup: dict[str, Any], role: str
) -> None:
    for method, path, body, allowed in _requests(setup):
        before = await counts(runtime)
        response = await client.request(
            method, f"{C}{path}", json=body, headers=market.headers(role)
        )
        if role in allowed:
            assert response.status_code in (200, 201), (method, path, response.text)
        else:
            assert response.status_code in _expected_denial(role, allowed), (method, path, role)
            assert await counts(runtime) == before, (method, path, role)


async def test_order_fees_breakdown_and_quote_use_same_terms(
    client: httpx.AsyncClient, market: Market, setup: dict[str, Any]
) -> None:
    fees = await client.get(f"{C}/orders/{setup['order_id']}", headers=market.headers("seller"))
    assert fees.json()["fee_minor"] == 180 and fees.json()["net_minor"] == 1620
    quote = await client.get(
        f"{C}/quote?listing_id={setup['listing_id']}&price_minor=1800&quantity=1",
        headers=market.headers("seller"),
    )
    body = quote.json()
    assert (body["gross_minor"], body["fee_minor"], body["net_minor"]) == (1800, 180, 1620)
    assert body["plan_name"] == "Free" and body["trailing_gmv_minor"] == 1800
    # Pro takes 3 points off the 10% standard rule.
    chosen = await client.put(
        f"{C}/my/plan", json={"plan_code": "pro"}, headers=market.headers("seller")
    )
    assert chosen.status_code == 200
    quote = await client.get(
        f"{C}/quote?listing_id={setup['listing_id']}&price_minor=1800&quantity=1",
        headers=market.headers("seller"),
    )
    assert quote.json()["fee_minor"] == 126
    assert quote.json()["explanation"] == "Standard commission - Pro discount 7%"


async def test_rule_versions_never_change_paid_fees(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, setup: dict[str, Any]
) -> None:
    admin = market.headers("admin")
    revised = await client.post(
        f"{C}/rules/{setup['rule_id']}/versions", json={"rate_bps": 1500}, headers=admin
    )
    assert revised.status_code == 201, revised.text
    versions = revised.json()["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["effective_to"] == versions[0]["effective_from"]
    assert revised.json()["current"]["rate_bps"] == 1500
    paid = await client.get(f"{C}/orders/{setup['order_id']}", headers=admin)
    assert paid.json()["fee_minor"] == 180
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    again = await client.get(f"{C}/orders/{orders['seller']['id']}", headers=admin)
    assert again.json()["fee_minor"] == 270
    # the campaign for the other seller (an incentive) beats the default rule: 0%
    other = await client.get(f"{C}/orders/{orders['other_seller']['id']}", headers=admin)
    line = other.json()["lines"][0]
    assert (line["fee_minor"], line["net_minor"], line["explanation"]) == (0, 4000, "Spring 0%")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Neg", "rate_bps": -1}, "rate_bps"),
        ({"name": "Big", "rate_bps": 10_001}, "rate_bps"),
        (
            {
                "name": "MinMax",
                "rate_bps": 100,
                "min_fee_minor": 500,
                "max_fee_minor": 100,
                "currency": "EUR",
            },
            "min_fee_minor",
        ),
        (
            {
                "name": "Tiers",
                "tiers": [{"from_minor": 0, "rate_bps": 1000}, {"from_minor": 0, "rate_bps": 800}],
                "currency": "EUR",
            },
            "tiers.1.from_minor",
        ),
        (
            {
                "name": "Unordered",
                "tiers": [
                    {"from_minor": 0, "rate_bps": 1000},
                    {"from_minor": 500, "rate_bps": 800},
                    {"from_minor": 100, "rate_bps": 5},
                ],
                "currency": "EUR",
            },
            "tiers.2.from_minor",
        ),
        (
            {"name": "Window", "rate_bps": 100, "effective_to": "2000-01-01T00:00:00Z"},
            "effective_to",
        ),
        (
            {"name": "Cat", "scope": "category", "category_id": str(uuid.uuid4()), "rate_bps": 700},
            "category_id",
        ),
        ({"name": "Fixed", "fixed_per_item_minor": 30}, "currency"),
    ],
)
async def test_bad_rules_are_refused(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, body: dict[str, Any], field: str
) -> None:
    before = await counts(runtime)
    response = await client.post(f"{C}/rules", json=body, headers=market.headers("admin"))
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await counts(runtime) == before


async def test_downgrade_over_listing_limit_and_publish_limit(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, setup: dict[str, Any]
) -> None:
    seller = market.headers("seller")
    assert (
        await client.put(f"{C}/my/plan", json={"plan_code": "pro"}, headers=seller)
    ).status_code == 200
    await client.post(
        f"{C}/plans",
        json={"code": "tiny", "name": "Tiny", "listing_limit": 1},
        headers=market.headers("admin"),
    )
    before = await counts(runtime)
    refused = await client.put(f"{C}/my/plan", json={"plan_code": "tiny"}, headers=seller)
    assert refused.status_code == 422
    assert "allows 1 live listings and you have 2" in refused.json()["detail"]
    assert await counts(runtime) == before
    # on Free (limit 2) with 2 live listings, publishing a third is refused
    assert (
        await client.put(f"{C}/my/plan", json={"plan_code": "free"}, headers=seller)
    ).status_code == 200
    listings = (await client.get(f"{API}/catalog/my/listings", headers=seller)).json()["items"]
    await client.post(f"{API}/catalog/my/listings/{listings[0]['id']}/archive", headers=seller)
    assert (
        await client.post(f"{API}/catalog/my/listings/{listings[0]['id']}/publish", headers=seller)
    ).status_code == 200
    await client.put(
        f"{C}/plans/{setup['plans']['free']['id']}",
        json={**setup["plans"]["free"], "listing_limit": 1},
        headers=market.headers("admin"),
    )
    await client.post(f"{API}/catalog/my/listings/{listings[0]['id']}/archive", headers=seller)
    blocked = await client.post(
        f"{API}/catalog/my/listings/{listings[0]['id']}/publish", headers=seller
    )
    assert blocked.status_code == 422 and "allows 1 live listings" in blocked.json()["detail"]


async def test_new_version_cannot_start_in_the_past(
    client: httpx.AsyncClient, market: Market
) -> None:
    rules = (await client.get(f"{C}/rules", headers=market.headers("admin"))).json()
    past = (clock.now() - timedelta(days=1)).isoformat()
    response = await client.post(
        f"{C}/rules/{rules[0]['id']}/versions",
        json={"rate_bps": 1, "effective_from": past},
        headers=market.headers("admin"),
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "effective_from"
