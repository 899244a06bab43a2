"""Accounts API: sign-up, email verification, password reset, tokens, 2FA, profile, addresses."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select, text

from mercato.accounts.models import User
from mercato.kit.auth import Role
from tests.fixtures.accounts import PASSWORD, create_user, last_mail_to, login, token_in

SIGNUP = {"email": "new.buyer@example.com", "password": "a-long-passphrase", "display_name": "Nia"}


async def count_users(runtime) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(User))).scalar_one()


async def sign_up(client, **changes):
    return await client.post("/api/v1/auth/signup", json={**SIGNUP, **changes})


# --- sign-up ------------------------------------------------------------------------------


async def test_buyer_signs_up_and_gets_a_verification_email(client, runtime):
    response = await sign_up(client)
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["email_verified"]) == (
        "new.buyer@example.com",
        "buyer",
        False,
    )
    mail = await last_mail_to(runtime, "new.buyer@example.com")
    assert mail.subject == "Confirm your email address"
    assert mail.status == "outbox"
    assert "http://testserver/verify-email?token=" in mail.body_text


async def test_seller_sign_up_opens_an_application_in_applying_state(client):
    response = await sign_up(client, account_type="seller", business_name="Nia's Ceramics")
    assert response.status_code == 201
    assert response.json()["role"] == "seller"
    headers = await login(client, SIGNUP["email"], SIGNUP["password"])
    seller = await client.get("/api/v1/sellers/me", headers=headers)
    assert seller.status_code == 200
    assert seller.json()["status"] == "applying"
    assert seller.json()["business_name"] == "Nia's Ceramics"


async def test_seller_sign_up_requires_a_business_name(client, runtime):
    response = await sign_up(client, account_type="seller")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "business_name", "message": "Sellers must give their business name."}
    ]
    assert await count_users(runtime) == 0


async def test_duplicate_email_is_a_conflict_and_writes_nothing(client, runtime):
    assert (await sign_up(client)).status_code == 201
    again = await sign_up(client, email="New.Buyer@Example.com", display_name="Other")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["errors"][0]["field"] == "email"
    assert await count_users(runtime) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Use at least 10 characters."),
        ("password123", "This password is too common; choose something harder to guess."),
        ("new.buyer-secret", "The password must not contain your email address."),
        ("aaaaaaaaaaaa", "This password is too common; choose something harder to guess."),
    ],
)
async def test_weak_passwords_are_refused(client, runtime, password, message):
    response = await sign_up(client, password=password)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "password", "message": message}]
    assert await count_users(runtime) == 0


async def test_personal_data_is_encrypted_at_rest(client, runtime):
    await sign_up(client, display_name="Nia Secretname")
    async with runtime.database.reading() as session:
        raw = (await session.execute(text("SELECT display_name FROM accounts_user"))).scalar_one()
    assert raw.startswith("v2$")
    assert "Secretname" not in raw


# --- email verification -------------------------------------------------------------------


async def test_email_verification_link_works_once(client, runtime):
    await sign_up(client)
    token = token_in(await last_mail_to(runtime, SIGNUP["email"]))
    first = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert first.status_code == 200
    assert first.json()["email_verified"] is True
    again = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "token", "message": "This link or code has already been used."}
    ]


async def test_expired_and_unknown_verification_tokens_are_refused(client, runtime, frozen_clock):
    await sign_up(client)
    token = token_in(await last_mail_to(runtime, SIGNUP["email"]))
    frozen_clock.advance(timedelta(hours=24, seconds=1))
    expired = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert expired.status_code == 422
    assert "expired" in expired.json()["detail"]
    unknown = await client.post("/api/v1/auth/verify-email", json={"token": "x" * 43})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "This link or code is not valid."


async def test_resending_verification_invalidates_the_previous_link(client, runtime):
    await sign_up(client)
    first = token_in(await last_mail_to(runtime, SIGNUP["email"]))
    headers = await login(client, SIGNUP["email"], SIGNUP["password"])
    assert (
        await client.post("/api/v1/auth/resend-verification", headers=headers)
    ).status_code == 204
    second = token_in(await last_mail_to(runtime, SIGNUP["email"]))
    assert first != second
    assert (
        await client.post("/api/v1/auth/verify-email", json={"token": first})
    ).status_code == 422
    assert (
        await client.post("/api/v1/auth/verify-email", json={"token": second})
    ).status_code == 200


# --- password reset -----------------------------------------------------------------------


async def test_password_reset_for_unknown_email_reveals_nothing(client, runtime):
    response = await client.post(
        "/api/v1/auth/password-reset", json={"email": "nobody@example.com"}
    )
    assert response.status_code == 202
    async with runtime.database.reading() as session:
        mails = (await session.execute(text("SELECT count(*) FROM notifications_mail"))).scalar()
    assert mails == 0


async def test_password_reset_changes_the_password_and_revokes_tokens(client, runtime):
    await create_user(runtime, "reset.me@example.com", Role.BUYER)
    old_tokens = await client.post(
        "/api/v1/auth/token", data={"username": "reset.me@example.com", "password": PASSWORD}
    )
    refresh = old_tokens.json()["refresh_token"]
    await client.post("/api/v1/auth/password-reset", json={"email": "reset.me@example.com"})
    token = token_in(await last_mail_to(runtime, "reset.me@example.com"))
    confirm = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": "brand-new-passphrase"},
    )
    assert confirm.status_code == 204
    await login(client, "reset.me@example.com", "brand-new-passphrase")
    old = await client.post(
        "/api/v1/auth/token", data={"username": "reset.me@example.com", "password": PASSWORD}
    )
    assert old.status_code == 401
    stale = await client.post("/api/v1/auth/token/refresh", json={"refresh_token": refresh})
    assert stale.status_code == 401
    reused = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": "another-new-passphrase"},
    )
    assert reused.status_code == 422


async def test_password_reset_link_expires(client, runtime, frozen_clock):
    await create_user(runtime, "late@example.com", Role.BUYER)
    await client.post("/api/v1/auth/password-reset", json={"email": "late@example.com"})
    token = token_in(await last_mail_to(runtime, "late@example.com"))
    frozen_clock.advance(timedelta(minutes=61))
    response = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": "brand-new-passphrase"},
    )
    assert response.status_code == 422
    await login(client, "late@example.com", PASSWORD)


# --- sign in, brute force, refresh --------------------------------------------------------


async def test_wrong_password_and_unknown_email_get_the_same_answer(client, runtime):
    await create_user(runtime, "known@example.com", Role.BUYER)
    wrong = await client.post(
        "/api/v1/auth/token", data={"username": "known@example.com", "password": "nope-nope-nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/token", data={"username": "ghost@example.com", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_sign_in_is_throttled_per_account(client, runtime):
    await create_user(runtime, "target@example.com", Role.BUYER)
    for _ in range(5):
        response = await client.post(
            "/api/v1/auth/token", data={"username": "target@example.com", "password": "guess-guess"}
        )
        assert response.status_code == 401
    blocked = await client.post(
        "/api/v1/auth/token", data={"username": "target@example.com", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert blocked.json()["detail"] == "Too many sign-in attempts. Try again in 15 minutes."
    assert int(blocked.headers["retry-after"]) > 800


async def test_unknown_emails_are_throttled_too(client):
    for _ in range(5):
        await client.post(
            "/api/v1/auth/token", data={"username": "ghost@example.com", "password": "guess-guess"}
        )
    blocked = await client.post(
        "/api/v1/auth/token", data={"username": "ghost@example.com", "password": "guess-guess"}
    )
    assert blocked.status_code == 429


async def test_sign_in_is_throttled_per_ip_across_accounts(client, runtime):
    runtime.settings.login_attempts_per_ip = 3
    for index in range(3):
        await client.post(
            "/api/v1/auth/token",
            data={"username": f"spray{index}@example.com", "password": "guess-guess"},
        )
    blocked = await client.post(
        "/api/v1/auth/token", data={"username": "spray9@example.com", "password": "guess-guess"}
    )
    assert blocked.status_code == 429


async def test_refresh_tokens_rotate_and_reuse_revokes_the_family(client, runtime):
    await create_user(runtime, "rotate@example.com", Role.BUYER)
    first = await client.post(
        "/api/v1/auth/token", data={"username": "rotate@example.com", "password": PASSWORD}
    )
    refresh1 = first.json()["refresh_token"]
    second = await client.post("/api/v1/auth/token/refresh", json={"refresh_token": refresh1})
    assert second.status_code == 200
    refresh2 = second.json()["refresh_token"]
    assert refresh2 != refresh1
    replay = await client.post("/api/v1/auth/token/refresh", json={"refresh_token": refresh1})
    assert replay.status_code == 401
    # The legitimate holder's newer token was revoked too: the family is burnt.
    after = await client.post("/api/v1/auth/token/refresh", json={"refresh_token": refresh2})
    assert after.status_code == 401


async def test_expired_or_forged_access_tokens_are_refused(client, runtime, frozen_clock):
    import jwt

    await create_user(runtime, "expire@example.com", Role.BUYER)
    headers = await login(client, "expire@example.com")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    forged = jwt.encode(
        {"sub": "x", "typ": "access", "exp": 2**40}, "a-wrong-key-of-32-bytes-or-more!!", "HS256"
    )
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    frozen_clock.advance(timedelta(minutes=15))
    expired = await client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["detail"] == "The access token is invalid or expired."


async def test_logout_revokes_the_refresh_token(client, runtime):
    await create_user(runtime, "bye@example.com", Role.BUYER)
    tokens = await client.post(
        "/api/v1/auth/token", data={"username": "bye@example.com", "password": PASSWORD}
    )
    refresh = tokens.json()["refresh_token"]
    assert (
        await client.post("/api/v1/auth/logout", json={"refresh_token": refresh})
    ).status_code == 204
    again = await client.post("/api/v1/auth/token/refresh", json={"refresh_token": refresh})
    assert again.status_code == 401


# --- two-factor authentication ------------------------------------------------------------


async def enable_2fa(client, headers, clock) -> tuple[str, list[str]]:
    setup = await client.post("/api/v1/me/2fa/setup", headers=headers)
    assert setup.status_code == 200
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/Mercato:")
    code = pyotp.TOTP(secret).at(clock.now())
    confirm = await client.post("/api/v1/me/2fa/confirm", json={"code": code}, headers=headers)
    assert confirm.status_code == 200, confirm.text
    return secret, confirm.json()["recovery_codes"]


async def test_two_factor_sign_in_with_totp_and_recovery_codes(client, runtime, frozen_clock):
    await create_user(runtime, "mfa@example.com", Role.BUYER)
    headers = await login(client, "mfa@example.com")
    secret, recovery = await enable_2fa(client, headers, frozen_clock)
    assert len(recovery) == 10
    me = await client.get("/api/v1/me", headers=headers)
    assert me.json()["two_factor_enabled"] is True

    challenge = await client.post(
        "/api/v1/auth/token", data={"username": "mfa@example.com", "password": PASSWORD}
    )
    assert challenge.status_code == 401
    assert challenge.json()["type"] == "/problems/mfa-required"
    mfa_token = challenge.json()["mfa_token"]
    wrong = await client.post(
        "/api/v1/auth/token/mfa", json={"mfa_token": mfa_token, "code": "000000"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"field": "code", "message": "The code is not correct."}]
    frozen_clock.advance(timedelta(seconds=30))
    code = pyotp.TOTP(secret).at(frozen_clock.now())
    ok = await client.post("/api/v1/auth/token/mfa", json={"mfa_token": mfa_token, "code": code})
    assert ok.status_code == 200, ok.text
    assert ok.json()["access_token"]

    # The same code cannot be replayed, but a recovery code works exactly once.
    second = await client.post(
        "/api/v1/auth/token", data={"username": "mfa@example.com", "password": PASSWORD}
    )
    token2 = second.json()["mfa_token"]
    replay = await client.post("/api/v1/auth/token/mfa", json={"mfa_token": token2, "code": code})
    assert replay.status_code == 422
    with_recovery = await client.post(
        "/api/v1/auth/token/mfa", json={"mfa_token": token2, "code": recovery[0]}
    )
    assert with_recovery.status_code == 200
    third = await client.post(
        "/api/v1/auth/token", data={"username": "mfa@example.com", "password": PASSWORD}
    )
    reused = await client.post(
        "/api/v1/auth/token/mfa",
        json={"mfa_token": third.json()["mfa_token"], "code": recovery[0]},
    )
    assert reused.status_code == 422


async def test_mfa_token_is_single_use_and_expires(client, runtime, frozen_clock):
    await create_user(runtime, "mfa2@example.com", Role.BUYER)
    headers = await login(client, "mfa2@example.com")
    secret, _ = await enable_2fa(client, headers, frozen_clock)
    challenge = await client.post(
        "/api/v1/auth/token", data={"username": "mfa2@example.com", "password": PASSWORD}
    )
    frozen_clock.advance(timedelta(minutes=6))
    code = pyotp.TOTP(secret).at(frozen_clock.now())
    late = await client.post(
        "/api/v1/auth/token/mfa",
        json={"mfa_token": challenge.json()["mfa_token"], "code": code},
    )
    assert late.status_code == 422
    assert late.json()["errors"][0]["field"] == "mfa_token"


async def test_wrong_confirmation_code_does_not_enable_2fa(client, runtime, frozen_clock):
    await create_user(runtime, "nofa@example.com", Role.BUYER)
    headers = await login(client, "nofa@example.com")
    await client.post("/api/v1/me/2fa/setup", headers=headers)
    wrong = await client.post("/api/v1/me/2fa/confirm", json={"code": "123456"}, headers=headers)
    assert wrong.status_code == 422
    me = await client.get("/api/v1/me", headers=headers)
    assert me.json()["two_factor_enabled"] is False


async def test_disabling_2fa_needs_the_password(client, runtime, frozen_clock):
    await create_user(runtime, "off@example.com", Role.BUYER)
    headers = await login(client, "off@example.com")
    await enable_2fa(client, headers, frozen_clock)
    wrong = await client.post(
        "/api/v1/me/2fa/disable", data={"password": "not-my-password"}, headers=headers
    )
    assert wrong.status_code == 422
    ok = await client.post("/api/v1/me/2fa/disable", data={"password": PASSWORD}, headers=headers)
    assert ok.status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).json()["two_factor_enabled"] is False


async def test_roles_that_require_2fa_can_only_enrol_until_they_do(client, runtime, frozen_clock):
    runtime.settings.require_2fa_roles = "seller,admin"
    await create_user(runtime, "must@example.com", Role.SELLER)
    headers = await login(client, "must@example.com")
    blocked = await client.get("/api/v1/sellers/me", headers=headers)
    assert blocked.status_code == 403
    assert blocked.json()["detail"] == "Enable two-factor authentication to continue."
    await enable_2fa(client, headers, frozen_clock)
    assert (await client.get("/api/v1/sellers/me", headers=headers)).status_code == 200
    cannot = await client.post(
        "/api/v1/me/2fa/disable", data={"password": PASSWORD}, headers=headers
    )
    assert cannot.status_code == 409


# --- profile and addresses ----------------------------------------------------------------


ADDRESS = {
    "label": "Home",
    "full_name": "Nia Okafor",
    "line1": "12 rue des Lilas",
    "city": "Lyon",
    "postal_code": "69003",
    "country": "fr",
    "phone": "+33 4 72 00 00 00",
}


async def test_profile_update_and_password_change(client, runtime):
    await create_user(runtime, "me@example.com", Role.BUYER)
    headers = await login(client, "me@example.com")
    updated = await client.patch(
        "/api/v1/me",
        json={"display_name": "Me Myself", "phone": "+44 20 7946 0000"},
        headers=headers,
    )
    assert updated.status_code == 200
    assert (updated.json()["display_name"], updated.json()["phone"]) == (
        "Me Myself",
        "+44 20 7946 0000",
    )
    bad_phone = await client.patch("/api/v1/me", json={"phone": "call me"}, headers=headers)
    assert bad_phone.status_code == 422
    wrong = await client.post(
        "/api/v1/me/password",
        json={"current_password": "not-it-at-all", "new_password": "a-fresh-passphrase"},
        headers=headers,
    )
    assert wrong.status_code == 422
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a-fresh-passphrase"},
        headers=headers,
    )
    assert changed.status_code == 204
    await login(client, "me@example.com", "a-fresh-passphrase")


async def test_address_book(client, runtime):
    await create_user(runtime, "home@example.com", Role.BUYER)
    headers = await login(client, "home@example.com")
    created = await client.post("/api/v1/me/addresses", json=ADDRESS, headers=headers)
    assert created.status_code == 201
    first = created.json()
    assert (first["country"], first["is_default"]) == ("FR", True)
    office = {**ADDRESS, "label": "Office", "postal_code": "69002", "is_default": True}
    second = (await client.post("/api/v1/me/addresses", json=office, headers=headers)).json()
    listed = (await client.get("/api/v1/me/addresses", headers=headers)).json()
    assert [(a["label"], a["is_default"]) for a in listed] == [("Office", True), ("Home", False)]
    edit = await client.put(
        f"/api/v1/me/addresses/{first['id']}",
        json={**ADDRESS, "city": "Villeurbanne"},
        headers=headers,
    )
    assert edit.json()["city"] == "Villeurbanne"
    assert (
        await client.delete(f"/api/v1/me/addresses/{second['id']}", headers=headers)
    ).status_code == 204
    listed = (await client.get("/api/v1/me/addresses", headers=headers)).json()
    assert [(a["label"], a["is_default"]) for a in listed] == [("Home", True)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postal_code": "ABC"}, "postal_code"),
        ({"country": "XX"}, "country"),
        ({"phone": "nope"}, "phone"),
        ({"surprise": "field"}, "surprise"),
        ({"line1": ""}, "line1"),
    ],
)
async def test_invalid_addresses_are_refused(client, runtime, changes, field):
    await create_user(runtime, "bad.address@example.com", Role.BUYER)
    headers = await login(client, "bad.address@example.com")
    response = await client.post(
        "/api/v1/me/addresses", json={**ADDRESS, **changes}, headers=headers
    )
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await client.get("/api/v1/me/addresses", headers=headers)).json() == []


async def test_someone_elses_address_is_not_found(client, runtime):
    await create_user(runtime, "owner@example.com", Role.BUYER)
    await create_user(runtime, "snoop@example.com", Role.BUYER)
    owner = await login(client, "owner@example.com")
    snoop = await login(client, "snoop@example.com")
    address = (await client.post("/api/v1/me/addresses", json=ADDRESS, headers=owner)).json()
    url = f"/api/v1/me/addresses/{address['id']}"
    assert (await client.put(url, json=ADDRESS, headers=snoop)).status_code == 404
    assert (await client.delete(url, headers=snoop)).status_code == 404
    assert len((await client.get("/api/v1/me/addresses", headers=owner)).json()) == 1


# --- admin --------------------------------------------------------------------------------


async def test_admin_searches_changes_roles_and_disables(client, runtime):
    await create_user(runtime, "boss@example.com", Role.ADMIN)
    target_id = await create_user(runtime, "target.user@example.com", Role.BUYER)
    await create_user(runtime, "someone@example.com", Role.BUYER)
    admin = await login(client, "boss@example.com")
    target = await login(client, "target.user@example.com")
    found = await client.get("/api/v1/admin/users", params={"q": "target"}, headers=admin)
    assert [u["email"] for u in found.json()["items"]] == ["target.user@example.com"]
    buyers = await client.get("/api/v1/admin/users", params={"role": "buyer"}, headers=admin)
    assert len(buyers.json()["items"]) == 2
    promoted = await client.patch(
        f"/api/v1/admin/users/{target_id}", json={"role": "support"}, headers=admin
    )
    assert promoted.json()["role"] == "support"
    disabled = await client.patch(
        f"/api/v1/admin/users/{target_id}", json={"is_active": False}, headers=admin
    )
    assert disabled.json()["is_active"] is False
    assert (await client.get("/api/v1/me", headers=target)).status_code == 401
    refused = await client.post(
        "/api/v1/auth/token", data={"username": "target.user@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 403


async def test_admin_cannot_demote_or_disable_themselves(client, runtime):
    admin_id = await create_user(runtime, "solo@example.com", Role.ADMIN)
    admin = await login(client, "solo@example.com")
    for change in ({"role": "buyer"}, {"is_active": False}):
        response = await client.patch(f"/api/v1/admin/users/{admin_id}", json=change, headers=admin)
        assert response.status_code == 409


async def test_user_list_paginates_with_a_cursor(client, runtime):
    await create_user(runtime, "pager@example.com", Role.ADMIN)
    for index in range(5):
        await create_user(runtime, f"page{index}@example.com", Role.BUYER)
    admin = await login(client, "pager@example.com")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/admin/users", params=params, headers=admin)).json()
        seen += [u["email"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 6 == len(set(seen))
    bad = await client.get("/api/v1/admin/users", params={"cursor": "!!"}, headers=admin)
    assert bad.status_code == 422
