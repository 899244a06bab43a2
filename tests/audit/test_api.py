"""What the running app writes to the audit log (sign-ins, failed sign-ins, sign-outs, 2FA, role
changes, every staff request that changed something) and the admin-only audit API."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pyotp
from sqlalchemy import select

from mercato.audit.models import AuditEntry
from mercato.kit.auth import Role
from tests.fixtures.accounts import PASSWORD, create_user, login

API = "/api/v1"


async def entries(runtime, prefix: str = "") -> list[AuditEntry]:
    async with runtime.database.reading() as session:
        statement = select(AuditEntry).where(AuditEntry.action.startswith(prefix))
        rows = list((await session.execute(statement.order_by(AuditEntry.seq))).scalars())
        session.expunge_all()
        return rows


async def test_sign_ins_are_recorded_and_never_their_password(client, runtime):
    user_id = await create_user(runtime, "ann@example.com", Role.BUYER)
    await login(client, "ann@example.com")
    wrong = await client.post(
        f"{API}/auth/token", data={"username": "ann@example.com", "password": "not-my-password"}
    )
    unknown = await client.post(
        f"{API}/auth/token", data={"username": "Nobody@Example.com", "password": "guessing-123"}
    )
    assert (wrong.status_code, unknown.status_code) == (401, 401)
    logged = await entries(runtime, "accounts.login")
    assert [(e.action, e.actor_role, e.actor_email, e.subject_id) for e in logged] == [
        ("accounts.login", "buyer", "ann@example.com", user_id),
        ("accounts.login_failed", "buyer", "ann@example.com", user_id),
        ("accounts.login_failed", "anonymous", "nobody@example.com", None),
    ]
    assert [e.detail for e in logged] == [
        {"method": "password"},
        {"email": "ann@example.com", "reason": "wrong_password"},
        {"email": "nobody@example.com", "reason": "unknown_email"},
    ]
    assert all(e.ip_address == "127.0.0.1" and e.request_id for e in logged)
    stored = json.dumps([e.detail for e in await entries(runtime)])
    assert "not-my-password" not in stored and "guessing-123" not in stored


async def test_two_factor_changes_and_second_factor_sign_ins(client, runtime, frozen_clock):
    await create_user(runtime, "mfa@example.com", Role.SUPPORT)
    headers = await login(client, "mfa@example.com")
    setup = await client.post(f"{API}/me/2fa/setup", headers=headers)
    secret = setup.json()["secret"]
    code = pyotp.TOTP(secret).at(frozen_clock.now())
    confirmed = await client.post(f"{API}/me/2fa/confirm", json={"code": code}, headers=headers)
    assert confirmed.status_code == 200
    challenge = await client.post(
        f"{API}/auth/token", data={"username": "mfa@example.com", "password": PASSWORD}
    )
    mfa_token = challenge.json()["mfa_token"]
    wrong = await client.post(
        f"{API}/auth/token/mfa", json={"mfa_token": mfa_token, "code": "000000"}
    )
    assert wrong.status_code == 422
    frozen_clock.advance(timedelta(seconds=30))
    code = pyotp.TOTP(secret).at(frozen_clock.now())
    ok = await client.post(f"{API}/auth/token/mfa", json={"mfa_token": mfa_token, "code": code})
    assert ok.status_code == 200
    disabled = await client.post(
        f"{API}/me/2fa/disable",
        data={"password": PASSWORD},
        headers={"Authorization": f"Bearer {ok.json()['access_token']}"},
    )
    assert disabled.status_code == 204, disabled.text
    actions = [e.action for e in await entries(runtime, "accounts.")]
    assert actions == [
        "accounts.login",
        "accounts.2fa_enabled",
        "accounts.login_failed",
        "accounts.login",
        "accounts.2fa_disabled",
    ]
    # The support member's own POSTs were staff requests that changed something.
    staff = [e.action for e in await entries(runtime, "http.")]
    assert staff == [
        "http.POST /api/v1/me/2fa/setup",
        "http.POST /api/v1/me/2fa/confirm",
        "http.POST /api/v1/me/2fa/disable",
    ]


async def test_a_staff_change_is_recorded_with_its_route_and_request_id(client, runtime):
    buyer_id = await create_user(runtime, "bea@example.com", Role.BUYER)
    await create_user(runtime, "root@example.com", Role.ADMIN)
    admin = await login(client, "root@example.com")
    changed = await client.patch(
        f"{API}/admin/users/{buyer_id}",
        json={"role": "seller"},
        headers={**admin, "X-Request-ID": "req-role-change-1"},
    )
    assert changed.status_code == 200, changed.text
    recorded = await entries(runtime, "")
    role, request = recorded[-2], recorded[-1]
    assert (role.action, role.subject_id, role.detail) == (
        "accounts.role_changed",
        buyer_id,
        {"old": "buyer", "new": "seller"},
    )
    assert (request.action, request.subject_type, request.subject_id) == (
        "http.PATCH /api/v1/admin/users/{user_id}",
        "user",
        buyer_id,
    )
    assert request.detail == {
        "path": f"/api/v1/admin/users/{buyer_id}",
        "status": 200,
        "params": {"user_id": buyer_id},
    }
    assert (request.actor_role, request.actor_email) == ("admin", "root@example.com")
    assert role.request_id == request.request_id == "req-role-change-1"


async def test_refused_staff_requests_and_other_users_requests_are_not_recorded(client, runtime):
    buyer_id = await create_user(runtime, "bob@example.com", Role.BUYER)
    await create_user(runtime, "help@example.com", Role.SUPPORT)
    support = await login(client, "help@example.com")
    buyer = await login(client, "bob@example.com")
    refused = await client.patch(
        f"{API}/admin/users/{buyer_id}", json={"role": "admin"}, headers=support
    )
    assert refused.status_code == 403
    renamed = await client.patch(f"{API}/me", json={"display_name": "Bobby"}, headers=buyer)
    assert renamed.status_code == 200
    read = await client.get(f"{API}/admin/users", headers=support)
    assert read.status_code == 200
    assert await entries(runtime, "http.") == []


async def test_a_failed_page_sign_in_is_recorded(client, runtime):
    await create_user(runtime, "page@example.com", Role.BUYER)
    client.headers["accept"] = "text/html"
    home = await client.get("/login")
    token = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', home.text)
    assert token
    data = {"csrf_token": token.group(1), "email": "page@example.com", "password": "wrong-one-1"}
    refused = await client.post("/login", data=data)
    assert refused.status_code == 401
    assert "The email or password is not correct." in refused.text
    logged = await entries(runtime, "accounts.")
    assert [(e.action, e.detail["reason"]) for e in logged] == [
        ("accounts.login_failed", "wrong_password")
    ]


async def test_admins_search_and_verify_through_the_api(client, runtime):
    await create_user(runtime, "root@example.com", Role.ADMIN)
    await create_user(runtime, "help@example.com", Role.SUPPORT)
    admin = await login(client, "root@example.com")
    support = await login(client, "help@example.com")
    found = await client.get(
        f"{API}/audit/entries", params={"action": "accounts.", "limit": 1}, headers=admin
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert [e["actor_email"] for e in body["items"]] == ["help@example.com"]
    assert body["next_cursor"] == str(body["items"][0]["seq"])
    older = await client.get(
        f"{API}/audit/entries",
        params={"action": "accounts.", "cursor": body["next_cursor"]},
        headers=admin,
    )
    assert [e["actor_email"] for e in older.json()["items"]] == ["root@example.com"]
    bad = await client.get(
        f"{API}/audit/entries", params={"since": "2026-02-02", "until": "2026-02-01"}, headers=admin
    )
    assert bad.status_code == 422
    verified = await client.get(f"{API}/audit/verification", headers=admin)
    assert verified.json() == {
        "ok": True,
        "checked": 2,
        "last_seq": 2,
        "last_hash": body["items"][0]["hash"],
        "broken": None,
    }
    denied = await client.get(f"{API}/audit/verification", headers=support)
    assert denied.status_code == 403
