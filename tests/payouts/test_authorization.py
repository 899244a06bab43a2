"""Who may do what with payouts, endpoint by endpoint and role by role (API and pages). A
denied request writes nothing: the payout and journal counts stay the same."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mercato.kit.runtime import Runtime
from tests.fixtures.accounts import PASSWORD, ROLES
from tests.payouts.conftest import API, BankDouble, Sellers, fund, row_counts


@dataclass
class Payouts:
    paid: str  # the seller's paid payout
    failed: str  # the seller's failed payout (retryable)
    pending: str  # the seller's pending payout (cancelable)


async def make_payouts(
    runtime: Runtime, client: httpx.AsyncClient, sellers: Sellers, bank: BankDouble
) -> Payouts:
    await fund(runtime, sellers.seller_id, 30000, "f1")
    ids = []
    for answer, amount in (("paid", 5000), ("failed", 4000), (None, 3000)):
        bank.down, bank.answer = answer is None, answer or "paid"
        response = await client.post(
            API,
            json={"amount_minor": amount, "currency": "EUR"},
            headers={**sellers.headers("seller"), "Idempotency-Key": f"make-{amount}"},
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    bank.down = False
    return Payouts(*ids)


OUTCOMES = {
    # endpoint: expected status per role (anonymous, buyer, seller, other_seller, support, admin)
    "balance": (401, 403, 200, 200, 403, 403),
    "my_schedule": (401, 403, 200, 200, 403, 403),
    "save_my_schedule": (401, 403, 200, 200, 403, 403),
    "seller_schedule": (401, 403, 403, 403, 200, 200),
    "save_seller_schedule": (401, 403, 403, 403, 403, 200),
    "list": (401, 403, 200, 200, 200, 200),
    "request": (401, 403, 201, 201, 403, 403),
    "admin_create": (401, 403, 403, 403, 403, 201),
    "get": (401, 403, 200, 404, 200, 200),
    "statement": (401, 403, 200, 404, 200, 200),
    "statement_csv": (401, 403, 200, 404, 200, 200),
    "retry": (401, 403, 403, 403, 403, 201),
    "cancel": (401, 403, 403, 403, 403, 200),
}
WRITES = {"save_my_schedule", "save_seller_schedule", "request", "admin_create", "retry", "cancel"}


def call(name: str, sellers: Sellers, made: Payouts) -> tuple[str, str, dict[str, Any] | None]:
    schedule = {"interval": "weekly", "weekly_anchor": 2, "minimums": {"EUR": 500}}
    return {
        "balance": ("GET", f"{API}/balance", None),
        "my_schedule": ("GET", f"{API}/schedule", None),
        "save_my_schedule": ("PUT", f"{API}/schedule", schedule),
        "seller_schedule": ("GET", f"{API}/schedules/{sellers.seller_id}", None),
        "save_seller_schedule": ("PUT", f"{API}/schedules/{sellers.seller_id}", schedule),
        "list": ("GET", API, None),
        "request": ("POST", API, {"amount_minor": 1000, "currency": "EUR"}),
        "admin_create": (
            "POST",
            f"{API}/admin",
            {"seller_id": str(sellers.seller_id), "amount_minor": 1000, "currency": "EUR"},
        ),
        "get": ("GET", f"{API}/{made.paid}", None),
        "statement": ("GET", f"{API}/{made.paid}/statement", None),
        "statement_csv": ("GET", f"{API}/{made.paid}/statement.csv", None),
        "retry": ("POST", f"{API}/{made.failed}/retry", None),
        "cancel": ("POST", f"{API}/{made.pending}/cancel", None),
    }[name]


@pytest.mark.parametrize("endpoint", sorted(OUTCOMES))
async def test_api_matrix(runtime, client, sellers, bank, endpoint):
    made = await make_payouts(runtime, client, sellers, bank)
    for role, expected in zip(ROLES, OUTCOMES[endpoint], strict=True):
        method, path, body = call(endpoint, sellers, made)
        if role == "other_seller" and endpoint == "request":
            await fund(runtime, sellers.other_seller_id, 1000, "other")
        before = await row_counts(runtime)
        headers = {**sellers.headers(role), "Idempotency-Key": f"{endpoint}-{role}"}
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == expected, (role, response.text)
        if expected >= 400 and endpoint in WRITES:
            assert await row_counts(runtime) == before, role


async def test_seller_sees_only_its_own_payouts(runtime, client, sellers, bank):
    made = await make_payouts(runtime, client, sellers, bank)
    mine = await client.get(API, headers=sellers.headers("seller"))
    theirs = await client.get(API, headers=sellers.headers("other_seller"))
    everyone = await client.get(
        API, params={"status": "failed"}, headers=sellers.headers("support")
    )
    assert sorted(p["id"] for p in mine.json()["items"]) == sorted(
        [made.paid, made.failed, made.pending]
    )
    assert theirs.json()["items"] == []
    assert [p["id"] for p in everyone.json()["items"]] == [made.failed]


async def test_api_bad_input_is_a_clear_error(runtime, client, sellers):
    await fund(runtime, sellers.seller_id, 5000, "f1")
    headers = {**sellers.headers("seller"), "Idempotency-Key": "bad-1"}
    too_much = await client.post(
        API, json={"amount_minor": 5001, "currency": "EUR"}, headers=headers
    )
    assert too_much.status_code == 409
    assert too_much.json()["detail"] == "Only EUR 50.00 is available for payout."
    assert too_much.headers["content-type"] == "application/problem+json"
    no_key = await client.post(
        API, json={"amount_minor": 100, "currency": "EUR"}, headers=sellers.headers("seller")
    )
    assert no_key.status_code == 422
    assert no_key.json()["detail"] == "An Idempotency-Key header is required."
    first = await client.post(API, json={"amount_minor": 2000, "currency": "EUR"}, headers=headers)
    again = await client.post(API, json={"amount_minor": 2000, "currency": "EUR"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    csv = await client.get(f"{API}/{first.json()['id']}/statement.csv", headers=headers)
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text.splitlines()[-2].endswith(f",Payout,payout:{first.json()['id']},,,-20.00,EUR")


# --- pages --------------------------------------------------------------------------------------


async def csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/login", follow_redirects=True)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, sellers: Sellers, who: str) -> None:
    client.cookies.clear()
    if who == "anonymous":
        return
    form = {
        "csrf_token": await csrf(client),
        "email": sellers.people[who].email,
        "password": PASSWORD,
    }
    response = await client.post("/login", data=form)
    assert response.status_code == 303, response.text


PAGE_OUTCOMES = {
    "balance": (303, 403, 200, 200, 403, 403),
    "payouts": (303, 403, 200, 200, 403, 403),
    "statement": (303, 403, 200, 404, 403, 403),
    "statement_csv": (303, 403, 200, 404, 403, 403),
    "admin_list": (303, 403, 403, 403, 200, 200),
    "admin_statement": (303, 403, 403, 403, 200, 200),
    "admin_retry": (303, 403, 403, 403, 403, 303),
    "admin_cancel": (303, 403, 403, 403, 403, 303),
}


@pytest.mark.parametrize("page", sorted(PAGE_OUTCOMES))
async def test_page_matrix(runtime, client, sellers, bank, page):
    made = await make_payouts(runtime, client, sellers, bank)
    client.headers["accept"] = "text/html"
    path, method = {
        "balance": ("/seller/balance", "GET"),
        "payouts": ("/seller/payouts", "GET"),
        "statement": (f"/seller/payouts/{made.paid}", "GET"),
        "statement_csv": (f"/seller/payouts/{made.paid}/statement.csv", "GET"),
        "admin_list": ("/admin/payouts", "GET"),
        "admin_statement": (f"/admin/payouts/{made.paid}", "GET"),
        "admin_retry": (f"/admin/payouts/{made.failed}/retry", "POST"),
        "admin_cancel": (f"/admin/payouts/{made.pending}/cancel", "POST"),
    }[page]
    for role, expected in zip(ROLES, PAGE_OUTCOMES[page], strict=True):
        await sign_in(client, sellers, role)
        before = await row_counts(runtime)
        if method == "POST":
            response = await client.post(path, data={"csrf_token": await csrf(client)})
        else:
            response = await client.get(path)
        assert response.status_code == expected, (role, response.text[:300])
        if method == "POST" and role != "admin":  # every other role is refused
            assert await row_counts(runtime) == before, role


async def test_seller_requests_a_payout_and_reads_its_statement(runtime, client, sellers):
    await fund(runtime, sellers.seller_id, 2500, "f1")
    client.headers["accept"] = "text/html"
    await sign_in(client, sellers, "seller")
    page = await client.get("/seller/payouts")
    assert 'Available now: <strong data-testid="available">€25.00</strong>' in page.text
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', page.text)
    assert key
    form = {
        "csrf_token": await csrf(client),
        "amount": "30.00",
        "currency": "EUR",
        "request_key": key.group(1),
    }
    refused = await client.post("/seller/payouts/request", data=form)
    assert refused.status_code == 409
    assert "Only EUR 25.00 is available for payout." in refused.text
    assert await row_counts(runtime) == (0, 1)
    form["amount"] = "20.00"
    done = await client.post("/seller/payouts/request", data=form)
    twice = await client.post("/seller/payouts/request", data=form)  # a double click
    assert (done.status_code, twice.status_code) == (303, 303)
    assert done.headers["location"] == twice.headers["location"]
    statement = await client.get(done.headers["location"])
    assert statement.status_code == 200
    assert 'data-testid="payout-amount">-€20.00</td>' in statement.text
    assert "<code>test:f1</code>" in statement.text
    assert (await row_counts(runtime))[0] == 1


async def test_seller_saves_a_schedule_with_inline_errors(runtime, client, sellers):
    client.headers["accept"] = "text/html"
    await sign_in(client, sellers, "seller")
    token = await csrf(client)
    bad = await client.post(
        "/seller/payouts/schedule",
        data={"csrf_token": token, "interval": "monthly", "monthly_anchor": "", "minimum": "5"},
    )
    assert bad.status_code == 422
    assert "Choose the day of monthly payouts." in bad.text
    good = await client.post(
        "/seller/payouts/schedule",
        data={"csrf_token": token, "interval": "monthly", "monthly_anchor": "31", "minimum": "25"},
    )
    assert good.status_code == 303
    page = await client.get("/seller/payouts")
    assert "Monthly on day 31 (or the month&#39;s last day)" in page.text
    assert "minimum €25.00" in page.text
