"""The authorization matrix: every API endpoint against every role.

Each case states the status each role gets. A refused call (401/403/404) must write nothing. A
test below fails when an API route exists that the matrix does not cover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from mercato.kit.db import Base
from tests.fixtures.accounts import PASSWORD, ROLES, actors

ANON, BUYER, SELLER, OTHER, SUPPORT, ADMIN = ROLES
SIGNED_IN = (BUYER, SELLER, OTHER, SUPPORT, ADMIN)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: dict[str, int]
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int, **overrides: int) -> dict[str, int]:
    return {ANON: 401, **dict.fromkeys(SIGNED_IN, status), **overrides}


def staff_only(status: int, *, support: int | None = None) -> dict[str, int]:
    return {
        ANON: 401,
        BUYER: 403,
        SELLER: 403,
        OTHER: 403,
        SUPPORT: status if support is None else support,
        ADMIN: status,
    }


ADDRESS = {
    "label": "Matrix",
    "full_name": "Matrix Person",
    "line1": "1 Test Street",
    "city": "Paris",
    "postal_code": "75001",
    "country": "FR",
}

CASES = [
    Case("GET", "/api/v1", everyone(200)),
    Case(
        "POST",
        "/api/v1/auth/signup",
        everyone(201),
        json={"email": "fresh@example.com", "password": "a-long-passphrase", "display_name": "F"},
    ),
    Case("POST", "/api/v1/auth/verify-email", everyone(422), json={"token": "x" * 43}),
    Case("POST", "/api/v1/auth/resend-verification", signed_in(409)),
    Case("POST", "/api/v1/auth/password-reset", everyone(202), json={"email": "a@example.com"}),
    Case(
        "POST",
        "/api/v1/auth/password-reset/confirm",
        everyone(422),
        json={"token": "x" * 43, "password": "a-long-passphrase"},
    ),
    Case(
        "POST",
        "/api/v1/auth/token",
        everyone(200),
        form={"username": "buyer@example.com", "password": PASSWORD},
    ),
    Case(
        "POST",
        "/api/v1/auth/token/mfa",
        everyone(422),
        json={"mfa_token": "x" * 43, "code": "123456"},
    ),
    Case("POST", "/api/v1/auth/token/refresh", everyone(401), json={"refresh_token": "x" * 43}),
    Case("POST", "/api/v1/auth/logout", everyone(204), json={"refresh_token": "x" * 43}),
    Case("GET", "/api/v1/me", signed_in(200)),
    Case("PATCH", "/api/v1/me", signed_in(200), json={"display_name": "Renamed"}),
    Case(
        "POST",
        "/api/v1/me/password",
        signed_in(204),
        json={"current_password": PASSWORD, "new_password": "another-passphrase"},
    ),
    Case("POST", "/api/v1/me/2fa/setup", signed_in(200)),
    Case("POST", "/api/v1/me/2fa/confirm", signed_in(409), json={"code": "123456"}),
    Case("POST", "/api/v1/me/2fa/recovery-codes", signed_in(409), json={"code": "123456"}),
    Case("POST", "/api/v1/me/2fa/disable", signed_in(409), form={"password": PASSWORD}),
    Case("GET", "/api/v1/me/addresses", signed_in(200)),
    Case("POST", "/api/v1/me/addresses", signed_in(201), json=ADDRESS),
    # Object level: only the buyer owns this address; everyone else is told it does not exist.
    Case("PUT", "/api/v1/me/addresses/{buyer_address}", signed_in(404, buyer=200), json=ADDRESS),
    Case("DELETE", "/api/v1/me/addresses/{buyer_address}", signed_in(404, buyer=204)),
    Case("GET", "/api/v1/sellers/me", {**staff_only(403), SELLER: 200, OTHER: 200}),
    Case("GET", "/api/v1/admin/users", staff_only(200)),
    Case("GET", "/api/v1/admin/users/{buyer_id}", staff_only(200)),
    Case(
        "PATCH",
        "/api/v1/admin/users/{buyer_id}",
        staff_only(200, support=403),
        json={"role": "seller"},
    ),
    Case("GET", "/api/v1/admin/mail", staff_only(200, support=403)),
    Case("GET", "/api/v1/admin/mail/{mail_id}", staff_only(200, support=403)),
]


def _case_id(case: Case) -> str:
    return f"{case.method} {case.path}"


async def _row_counts(runtime) -> dict[str, int]:
    async with runtime.database.reading() as session:
        counts = {}
        for table in Base.metadata.sorted_tables:
            counts[table.name] = (
                await session.execute(select(func.count()).select_from(table))
            ).scalar_one()
        return counts


async def _placeholders(client, people) -> dict[str, str]:
    buyer = people[BUYER].headers
    address = await client.post(
        "/api/v1/me/addresses", json=ADDRESS | {"label": "B"}, headers=buyer
    )
    mail = await client.get("/api/v1/admin/mail", headers=people[ADMIN].headers)
    await client.post("/api/v1/auth/password-reset", json={"email": "buyer@example.com"})
    mail = await client.get("/api/v1/admin/mail", headers=people[ADMIN].headers)
    return {
        "buyer_address": address.json()["id"],
        "buyer_id": people[BUYER].user_id or "",
        "mail_id": mail.json()["items"][0]["id"],
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
async def test_authorization_matrix(client, runtime, case: Case, role: str):
    people = await actors(runtime, client)
    path = case.path.format(**await _placeholders(client, people))
    before = await _row_counts(runtime)
    response = await client.request(
        case.method, path, json=case.json, data=case.form, headers=people[role].headers
    )
    assert response.status_code == case.expected[role], response.text
    if response.status_code in (401, 403, 404):
        assert response.headers["content-type"] == "application/problem+json"
        assert await _row_counts(runtime) == before


def test_every_api_route_is_in_the_matrix(settings):
    from mercato.app import create_app

    app = create_app(settings)
    covered = {(c.method, c.path.split("{")[0]) for c in CASES}
    missing = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/api/v1") or path.endswith("openapi.json"):
            continue
        for method in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}:
            if (method, path.split("{")[0]) not in covered:
                missing.append(f"{method} {path}")
    assert missing == []
