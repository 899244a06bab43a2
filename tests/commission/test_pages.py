"""Commission pages: who may open and post to them (nothing written on denial), the admin
forms in percent and major units (stored in basis points and minor units, shown back the same
way, every bad value refused beside its field with nothing written), and the calculator's htmx
answer."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from mercato.commission.forms import PERCENT_MESSAGE
from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from tests.commission.conftest import Market
from tests.commission.test_api import C, counts
from tests.fixtures.accounts import ROLES, create_user, login
from tests.orders.test_buyer_pages import csrf_of

EUR_AMOUNT = "Use an amount in EUR of 0 or more with at most 2 decimals, such as 0.50."

PAGES = {
    "/admin/commission": {"admin"},
    "/seller/fees": {"seller", "other_seller"},
}
POSTS = {
    "/admin/commission/rules": ({"name": "Books", "rate": "8"}, {"admin"}),
    "/admin/commission/plans": ({"code": "p", "name": "P", "currency": "EUR"}, {"admin"}),
    "/admin/commission/incentives": (
        {"name": "I", "kind": "new_seller", "rate": "0", "new_seller_days": "30"},
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


# --- the admin forms in percent and major units --------------------------------------------------


class Admin:
    """An admin posting the commission forms as a browser would (CSRF token, form encoding)."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], token: str) -> None:
        self.client, self.headers, self.token = client, headers, token

    async def post(self, path: str, form: dict[str, str]) -> httpx.Response:
        return await self.client.post(
            f"/admin/commission{path}",
            data=form,
            headers={**self.headers, "X-CSRF-Token": self.token},
            follow_redirects=False,
        )

    async def page(self) -> str:
        response = await self.client.get("/admin/commission", headers=self.headers)
        assert response.status_code == 200, response.text[:300]
        return response.text

    async def api(self, path: str) -> Any:
        response = await self.client.get(f"{C}{path}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient) -> Admin:
    await create_user(runtime, "admin@example.com", Role.ADMIN, "Admin")
    headers = await login(client, "admin@example.com")
    return Admin(client, headers, await csrf_of(client, "/login"))


def error_of(page: str, field_id: str) -> str | None:
    """The message shown beside the field with this id, if any."""
    found = re.search(rf'id="{field_id}-error"><span aria-hidden="true">⚠</span> ([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else None


def value_of(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}" name="[a-z_]+" type="[a-z-]+" value="([^"]*)"', page)
    assert found, f"no field {field_id}"
    return html.unescape(found.group(1))


def textarea_of(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}" name="tiers"[^>]*>([^<]*)</textarea>', page)
    assert found, f"no textarea {field_id}"
    return html.unescape(found.group(1))


RULE = {
    "name": "Books",
    "rate": "12.5",
    "currency": "eur",
    "fixed_per_item": "0.50",
    "fixed_per_order": "",
    "min_fee": "0.30",
    "max_fee": "25",
    "tiers": "",
    "tier_mode": "marginal",
}


async def test_rule_form_in_percent_and_major_units(admin: Admin) -> None:
    created = await admin.post("/rules", RULE)
    assert created.status_code == 303, created.text[:500]
    tiered = {**RULE, "name": "Volume", "rate": "0", "tiers": "0 12\r\n\r\n1000.00 9.5\r\n"}
    assert (await admin.post("/rules", tiered)).status_code == 303
    rules = {r["name"]: r["current"] for r in await admin.api("/rules")}
    books, volume = rules["Books"], rules["Volume"]
    assert (books["rate_bps"], books["currency"], books["tiers"]) == (1250, "EUR", [])
    assert (books["fixed_per_item_minor"], books["fixed_per_order_minor"]) == (50, 0)
    assert (books["min_fee_minor"], books["max_fee_minor"]) == (30, 2500)
    assert volume["tiers"] == [
        {"from_minor": 0, "rate_bps": 1200},
        {"from_minor": 100000, "rate_bps": 950},
    ]

    # Each rule's edit form shows the terms the way they were typed, not in bps or cents.
    page = await admin.page()
    rules_out = {r["name"]: r["id"] for r in await admin.api("/rules")}
    prefix = f"v-{rules_out['Books']}"
    shown = {name: value_of(page, f"{prefix}-{name}") for name in ("rate", "currency", "item")}
    assert shown == {"rate": "12.5", "currency": "EUR", "item": "0.50"}
    assert (value_of(page, f"{prefix}-min"), value_of(page, f"{prefix}-max")) == ("0.30", "25.00")
    assert textarea_of(page, f"v-{rules_out['Volume']}-tiers") == "0.00 12\n1000.00 9.5\n"
    assert "bps" not in page and "minor units" not in page


async def test_rule_version_form_in_percent(admin: Admin) -> None:
    assert (await admin.post("/rules", RULE)).status_code == 303
    (rule,) = [r for r in await admin.api("/rules") if r["name"] == "Books"]
    terms = {k: v for k, v in RULE.items() if k not in ("name",)}
    revised = await admin.post(f"/rules/{rule['id']}/versions", {**terms, "rate": "9.75"})
    assert revised.status_code == 303, revised.text[:500]
    (rule,) = [r for r in await admin.api("/rules") if r["name"] == "Books"]
    assert [v["rate_bps"] for v in rule["versions"]] == [975, 1250]
    page = await admin.page()
    assert value_of(page, f"v-{rule['id']}-rate") == "9.75"


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"rate": "12.345"}, "rule-rate", PERCENT_MESSAGE),
        ({"rate": "-5"}, "rule-rate", PERCENT_MESSAGE),
        ({"rate": "101"}, "rule-rate", PERCENT_MESSAGE),
        ({"rate": "ten"}, "rule-rate", PERCENT_MESSAGE),
        ({"fixed_per_item": "0.505"}, "rule-item", EUR_AMOUNT),
        ({"fixed_per_order": "-1"}, "rule-order", EUR_AMOUNT),
        ({"min_fee": "abc"}, "rule-min", EUR_AMOUNT),
        (
            {"currency": "", "fixed_per_item": "0.50"},
            "rule-item",
            "An amount needs a currency: fill in the currency.",
        ),
        (
            {"currency": "", "max_fee": "3"},
            "rule-currency",
            "Give the currency of the amounts, such as EUR.",
        ),
        (
            {"currency": "JPY", "fixed_per_item": "0.5"},
            "rule-item",
            "Use an amount in JPY of 0 or more with no decimals, such as 50.",
        ),
        # The service's own checks land beside the field typed, too.
        (
            {"min_fee": "2.00", "max_fee": "1.00"},
            "rule-min",
            "The minimum fee cannot exceed the maximum.",
        ),
        (
            {"tiers": "0 12\n1000.00 9\n500.00 8"},
            "rule-tiers",
            "Tiers must be in increasing order without overlap.",
        ),
        ({"tiers": "10.00 12"}, "rule-tiers", "The first tier must start at 0."),
        (
            {"tiers": "0 12\n1000.00"},
            "rule-tiers",
            "Line 2: write the sales it starts from and its percentage, such as 1000.00 9.",
        ),
        ({"tiers": "0 12\n1000.00 9.123"}, "rule-tiers", f"Line 2: {PERCENT_MESSAGE}"),
    ],
)
async def test_rule_form_refuses_bad_values(
    runtime: Runtime, admin: Admin, changes: dict[str, str], field_id: str, message: str
) -> None:
    before = await counts(runtime)
    refused = await admin.post("/rules", {**RULE, **changes})
    assert refused.status_code == 422, refused.text[:500]
    assert error_of(refused.text, field_id) == message
    assert "<details open>\n    <summary>New rule</summary>" in refused.text
    assert await counts(runtime) == before
    for name, typed in changes.items():  # what was typed stays for correcting
        if name != "tiers":
            assert value_of(refused.text, f"rule-{_ID[name]}") == typed


_ID = {
    "rate": "rate",
    "currency": "currency",
    "fixed_per_item": "item",
    "fixed_per_order": "order",
    "min_fee": "min",
    "max_fee": "max",
}

PLAN = {"code": "pro", "name": "Pro", "currency": "EUR", "monthly_fee": "19.00", "discount": "2"}


async def test_plan_forms_in_percent_and_major_units(runtime: Runtime, admin: Admin) -> None:
    assert (await admin.post("/plans", PLAN)).status_code == 303
    (plan,) = await admin.api("/plans")
    assert (plan["monthly_fee_minor"], plan["rate_bps"], plan["discount_bps"]) == (1900, None, 200)
    page = await admin.page()
    prefix = f"plan-{plan['id']}"
    shown = {name: value_of(page, f"{prefix}-{name}") for name in ("fee", "rate", "discount")}
    assert shown == {"fee": "19.00", "rate": "", "discount": "2"}

    edit = {**PLAN, "plan_id": plan["id"], "rate": "5.5", "discount": "0", "active": "true"}
    assert (await admin.post("/plans", edit)).status_code == 303
    (plan,) = await admin.api("/plans")
    assert (plan["rate_bps"], plan["discount_bps"], plan["active"]) == (550, 0, True)

    before = await counts(runtime)
    refused = await admin.post("/plans", {**edit, "monthly_fee": "19.999", "discount": "x"})
    assert refused.status_code == 422
    assert error_of(refused.text, f"{prefix}-fee") == EUR_AMOUNT
    assert error_of(refused.text, f"{prefix}-discount") == PERCENT_MESSAGE
    assert error_of(refused.text, "plan-fee") is None  # the new-plan form is not the one refused
    assert await counts(runtime) == before

    refused = await admin.post("/plans", {**PLAN, "code": "max", "rate": "100.5"})
    assert error_of(refused.text, "plan-rate") == PERCENT_MESSAGE
    assert await counts(runtime) == before


INCENTIVE = {"name": "First sales", "kind": "volume", "rate": "2.5", "currency": "EUR"}


async def test_incentive_form_in_percent_and_major_units(runtime: Runtime, admin: Admin) -> None:
    created = await admin.post("/incentives", {**INCENTIVE, "volume_cap": "1000.00"})
    assert created.status_code == 303, created.text[:500]
    (incentive,) = await admin.api("/incentives")
    assert (incentive["rate_bps"], incentive["volume_cap_minor"]) == (250, 100000)

    before = await counts(runtime)
    refused = await admin.post("/incentives", {**INCENTIVE, "currency": "", "volume_cap": "500"})
    assert refused.status_code == 422
    assert error_of(refused.text, "inc-cap") == "An amount needs a currency: fill in the currency."
    assert (
        error_of(refused.text, "inc-currency") == "Give the currency of the amounts, such as EUR."
    )
    refused = await admin.post("/incentives", {**INCENTIVE, "rate": "", "volume_cap": "500"})
    assert error_of(refused.text, "inc-rate") == PERCENT_MESSAGE
    assert await counts(runtime) == before


async def test_unknown_plan_id_is_not_found(runtime: Runtime, admin: Admin) -> None:
    before = await counts(runtime)
    response = await admin.post("/plans", {**PLAN, "plan_id": "not-a-plan"})
    assert response.status_code == 404
    assert await counts(runtime) == before
