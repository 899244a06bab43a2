"""Accounts web pages over HTTP: every form refuses a missing CSRF token and writes nothing,
shows validation errors next to their field, and the sign-in flows set the right cookies."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pyotp
import pytest
from sqlalchemy import func, select

from mercato.accounts.models import Address, BrowserSession, User
from mercato.accounts.pages._common import safe_next
from mercato.kit.auth import Role
from mercato.notifications.models import Mail
from tests.fixtures.accounts import PASSWORD, create_user, last_mail_to, token_in

NEW_PASSWORD = "a-fresh-passphrase"
SIGNUP = {
    "account_type": "buyer",
    "display_name": "Nia",
    "email": "nia@example.com",
    "password": "a-long-passphrase",
}
ADDRESS = {
    "label": "Home",
    "full_name": "Nia Okafor",
    "line1": "12 rue des Lilas",
    "line2": "",
    "city": "Lyon",
    "postal_code": "69003",
    "country": "FR",
    "phone": "",
}


@pytest.fixture(autouse=True)
def browser_like(client: httpx.AsyncClient) -> None:
    """Pages answer browsers: errors become pages and sign-in redirects, not problem+json."""
    client.headers["accept"] = "text/html"


# --- helpers ------------------------------------------------------------------------------


async def csrf(client: httpx.AsyncClient, path: str = "/") -> str:
    """The token every page carries (in the htmx headers of <body>; forms repeat it)."""
    page = await client.get(path)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def post(client: httpx.AsyncClient, path: str, data: dict[str, str], **kw) -> httpx.Response:
    """Submit a form the way the browser does: with the token of a page just loaded."""
    return await client.post(path, data={"csrf_token": await csrf(client), **data}, **kw)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> None:
    response = await post(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/account"


async def signed_in_as(runtime, client: httpx.AsyncClient, role: Role, email: str = "") -> str:
    email = email or f"{role.value}@example.com"
    user_id = await create_user(runtime, email, role, role.value.title())
    await sign_in(client, email)
    return user_id


async def count(runtime, model) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


def snapshot(row) -> SimpleNamespace:
    """The row's column values, readable after its (rolled back) reading session ends."""
    return SimpleNamespace(**{c.key: getattr(row, c.key) for c in row.__table__.columns})


async def load_user(runtime, email: str) -> SimpleNamespace:
    async with runtime.database.reading() as session:
        user = (await session.execute(select(User).where(User.email == email))).scalar_one()
        return snapshot(user)


def field_error(html: str, field: str, field_id: str = "") -> str:
    """The message shown under ``field`` and wired to its input with aria-describedby."""
    field_id = field_id or f"f-{field}"
    match = re.search(rf'<p class="field__error" id="{field_id}-error">.*?</span> (.*?)</p>', html)
    assert match, f"no error shown next to {field}"
    assert re.search(rf'name="{field}"[^>]*aria-describedby="[^"]*{field_id}-error', html)
    return match.group(1)


def cookie_header(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")


# --- layout -------------------------------------------------------------------------------


async def test_home_page_shows_the_storefront_and_sign_in_links(client):
    home = await client.get("/")
    assert home.status_code == 200
    assert "How Mercato works" in home.text
    assert 'href="/login"' in home.text
    assert '<script src="/static/js/htmx.min.js"' in home.text
    assert (await client.get("/static/css/mercato.css")).status_code == 200
    assert (await client.get("/static/js/htmx.min.js")).status_code == 200


async def test_signed_in_layout_has_the_user_menu_and_a_sign_out_form(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER)
    home = await client.get("/")
    assert "Your account" in home.text
    assert re.search(
        r'<form method="post" action="/logout">\s*<input type="hidden" name="csrf_token"', home.text
    )
    assert "Admin console" not in home.text


# --- sign-up ------------------------------------------------------------------------------


async def test_sign_up_signs_the_buyer_in_and_sends_the_verification_email(client, runtime):
    response = await post(client, "/signup", SIGNUP)
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = cookie_header(response, "mercato_session")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert f"Max-Age={14 * 24 * 3600}" in cookie
    assert "Secure" not in cookie  # http://testserver; Secure comes with an https base URL
    account = await client.get("/account")
    assert account.status_code == 200
    assert "We sent a link to nia@example.com" in account.text
    assert "Not confirmed yet" in account.text
    mail = await last_mail_to(runtime, "nia@example.com")
    assert mail.subject == "Confirm your email address"


async def test_session_cookie_is_secure_behind_https(client, runtime):
    runtime.settings.base_url = "https://shop.example"
    client.base_url = httpx.URL("https://testserver")  # Secure cookies travel over https only
    response = await post(client, "/signup", SIGNUP)
    assert "Secure" in cookie_header(response, "mercato_session")


async def test_seller_sign_up_opens_a_seller_account(client, runtime):
    form = await client.get("/signup?type=seller")
    assert re.search(r'value="seller" checked', form.text)
    response = await post(
        client, "/signup", {**SIGNUP, "account_type": "seller", "business_name": "Nia's Ceramics"}
    )
    assert response.status_code == 303
    assert (await load_user(runtime, "nia@example.com")).role == "seller"


async def test_seller_sign_up_needs_a_business_name(client, runtime):
    response = await post(client, "/signup", {**SIGNUP, "account_type": "seller"})
    assert response.status_code == 422
    assert field_error(response.text, "business_name") == "Sellers must give their business name."
    assert 'value="nia@example.com"' in response.text  # what was typed is kept
    assert await count(runtime, User) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password": "short"}, "password", "Use at least 10 characters."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address, like name@example.com."),
        ({"display_name": "  "}, "display_name", "This field is required."),
    ],
)
async def test_sign_up_errors_are_shown_next_to_their_field(
    client, runtime, changes, field, message
):
    response = await post(client, "/signup", {**SIGNUP, **changes})
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert 'aria-invalid="true"' in response.text
    assert "mercato_session" not in response.headers.get("set-cookie", "")
    assert await count(runtime, User) == 0
    assert await count(runtime, Mail) == 0


async def test_duplicate_email_is_a_conflict_shown_on_the_email_field(client, runtime):
    await create_user(runtime, "nia@example.com", Role.BUYER)
    response = await post(client, "/signup", SIGNUP)
    assert response.status_code == 409
    assert field_error(response.text, "email") == "An account with this email already exists."
    assert await count(runtime, User) == 1


async def test_sign_up_without_csrf_token_is_refused_and_writes_nothing(client, runtime):
    await client.get("/signup")  # the CSRF cookie is set, but the form field is missing
    response = await client.post("/signup", data=SIGNUP)
    assert response.status_code == 403
    assert "The form expired" in response.text
    forged = await client.post("/signup", data={**SIGNUP, "csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert await count(runtime, User) == 0


# --- sign-in, second factor, sign-out ------------------------------------------------------


async def test_sign_in_goes_to_the_next_page_with_a_session_cookie(client, runtime):
    await create_user(runtime, "ana@example.com", Role.BUYER)
    response = await post(
        client,
        "/login",
        {"email": "ana@example.com", "password": PASSWORD, "next": "/account/addresses?x=1"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account/addresses?x=1"
    assert "HttpOnly" in cookie_header(response, "mercato_session")
    assert (await client.get("/account/addresses")).status_code == 200
    assert await count(runtime, BrowserSession) == 1


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/steal",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/account\r\nSet-Cookie: x=1",
        "",
    ],
)
async def test_sign_in_refuses_to_redirect_off_site(client, runtime, target):
    await create_user(runtime, "ana@example.com", Role.BUYER)
    login_page = await client.get("/login", params={"next": target})
    assert 'name="next" value="/account"' in login_page.text
    response = await post(
        client, "/login", {"email": "ana@example.com", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"


def test_safe_next_keeps_only_same_site_paths():
    assert safe_next("/account/addresses?tab=1#top") == "/account/addresses?tab=1#top"
    for bad in ("//x.example", "https://x.example", "/\\x.example", "x", None, "/\x00"):
        assert safe_next(bad) == "/account"


async def test_wrong_password_shows_the_message_and_opens_no_session(client, runtime):
    await create_user(runtime, "ana@example.com", Role.BUYER)
    response = await post(client, "/login", {"email": "ana@example.com", "password": "nope-nope"})
    assert response.status_code == 401
    assert "The email or password is not correct." in response.text
    assert 'value="ana@example.com"' in response.text
    assert "mercato_session" not in response.headers.get("set-cookie", "")
    assert await count(runtime, BrowserSession) == 0


async def test_empty_sign_in_fields_are_flagged_without_counting_an_attempt(client, runtime):
    response = await post(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 422
    assert field_error(response.text, "email") == "This field is required."
    assert field_error(response.text, "password") == "This field is required."


async def test_too_many_attempts_are_rate_limited_with_a_message(client, runtime):
    await create_user(runtime, "ana@example.com", Role.BUYER)
    for _ in range(runtime.settings.login_attempts_per_account):
        wrong = await post(client, "/login", {"email": "ana@example.com", "password": "nope-nope"})
        assert wrong.status_code == 401
    limited = await post(client, "/login", {"email": "ana@example.com", "password": PASSWORD})
    assert limited.status_code == 429
    assert "Too many sign-in attempts. Try again in 15 minutes." in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert await count(runtime, BrowserSession) == 0


async def test_sign_out_ends_the_session(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER)
    response = await post(client, "/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert 'mercato_session=""' in cookie_header(response, "mercato_session")
    async with runtime.database.reading() as session:
        browser = snapshot((await session.execute(select(BrowserSession))).scalar_one())
    assert browser.revoked_at is not None
    account = await client.get("/account")
    assert account.status_code == 303
    assert account.headers["location"] == "/login?next=/account"


async def test_sign_out_without_csrf_token_keeps_the_session(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER)
    response = await client.post("/logout")
    assert response.status_code == 403
    assert (await client.get("/account")).status_code == 200


async def enable_two_factor(client, runtime, frozen_clock) -> tuple[str, list[str]]:
    """Enrol through the pages; returns the secret and the recovery codes."""
    setup = await post(client, "/account/security/2fa/setup", {})
    assert setup.status_code == 200
    assert setup.headers["cache-control"] == "no-store"
    assert "<svg" in setup.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', setup.text).group(1)
    uri = re.search(r'name="otpauth_uri" value="([^"]+)"', setup.text).group(1)
    code = pyotp.TOTP(secret).at(frozen_clock.now())
    confirmed = await post(
        client,
        "/account/security/2fa/confirm",
        {"code": code, "secret": secret, "otpauth_uri": uri},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.headers["cache-control"] == "no-store"
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", confirmed.text)
    assert len(codes) == 10
    return secret, codes


async def test_two_factor_sign_in_keeps_the_challenge_in_a_cookie(client, runtime, frozen_clock):
    await signed_in_as(runtime, client, Role.BUYER)
    secret, recovery = await enable_two_factor(client, runtime, frozen_clock)
    await post(client, "/logout", {})

    first = await post(client, "/login", {"email": "buyer@example.com", "password": PASSWORD})
    assert first.status_code == 303
    assert first.headers["location"] == "/login/2fa?next=%2Faccount"
    challenge = cookie_header(first, "mercato_mfa")
    assert "HttpOnly" in challenge
    assert "Path=/login" in challenge
    assert "mercato_session" not in first.headers.get("set-cookie", "")
    assert (await client.get("/account")).status_code == 303  # not signed in yet

    form = await client.get("/login/2fa?next=%2Faccount")
    assert form.status_code == 200
    wrong = await post(client, "/login/2fa", {"code": "000000", "next": "/account"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "code") == "The code is not correct."

    frozen_clock.advance(timedelta(seconds=30))
    code = pyotp.TOTP(secret).at(frozen_clock.now())
    done = await post(client, "/login/2fa", {"code": code, "next": "/account"})
    assert done.status_code == 303
    assert done.headers["location"] == "/account"
    assert "HttpOnly" in cookie_header(done, "mercato_session")
    assert 'mercato_mfa=""' in cookie_header(done, "mercato_mfa")
    assert (await client.get("/account")).status_code == 200

    # A recovery code works as the second factor too.
    await post(client, "/logout", {})
    await post(client, "/login", {"email": "buyer@example.com", "password": PASSWORD})
    with_recovery = await post(client, "/login/2fa", {"code": recovery[0], "next": "/account"})
    assert with_recovery.status_code == 303


async def test_an_expired_second_factor_step_starts_again(client, runtime, frozen_clock):
    await signed_in_as(runtime, client, Role.BUYER)
    secret, _ = await enable_two_factor(client, runtime, frozen_clock)
    await post(client, "/logout", {})
    await post(client, "/login", {"email": "buyer@example.com", "password": PASSWORD})
    frozen_clock.advance(timedelta(minutes=6))
    code = pyotp.TOTP(secret).at(frozen_clock.now())
    late = await post(client, "/login/2fa", {"code": code, "next": "/account"})
    assert late.status_code == 303
    assert late.headers["location"] == "/login"
    assert "The sign-in expired" in (await client.get("/login")).text
    assert (await client.get("/account")).status_code == 303


async def test_second_factor_page_without_a_pending_sign_in_starts_again(client):
    response = await client.get("/login/2fa")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    retry = await post(client, "/login/2fa", {"code": "123456"})
    assert retry.status_code == 303
    assert retry.headers["location"] == "/login"


# --- email verification -------------------------------------------------------------------


async def test_verification_link_needs_a_click_then_confirms(client, runtime):
    await post(client, "/signup", SIGNUP)
    token = token_in(await last_mail_to(runtime, "nia@example.com"))
    page = await client.get(f"/verify-email?token={token}")
    assert page.status_code == 200
    assert "Confirm my email address" in page.text
    assert (
        await load_user(runtime, "nia@example.com")
    ).email_verified_at is None  # GET spends nothing
    response = await post(client, "/verify-email", {"token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    assert (await load_user(runtime, "nia@example.com")).email_verified_at is not None
    assert "Your email address is confirmed" in (await client.get("/account")).text


async def test_verification_refuses_bad_tokens_and_missing_csrf(client, runtime):
    await post(client, "/signup", SIGNUP)
    token = token_in(await last_mail_to(runtime, "nia@example.com"))
    no_csrf = await client.post("/verify-email", data={"token": token})
    assert no_csrf.status_code == 403
    bad = await post(client, "/verify-email", {"token": "x" * 40})
    assert bad.status_code == 422
    assert "This link or code is not valid." in bad.text
    assert (await load_user(runtime, "nia@example.com")).email_verified_at is None


async def test_resend_verification_sends_a_new_link_once_per_click(client, runtime):
    await post(client, "/signup", SIGNUP)
    no_csrf = await client.post("/account/resend-verification")
    assert no_csrf.status_code == 403
    assert await count(runtime, Mail) == 1
    response = await post(client, "/account/resend-verification", {})
    assert response.status_code == 303
    assert await count(runtime, Mail) == 2
    assert "We sent a new confirmation link" in (await client.get("/account")).text


async def test_resend_verification_when_already_confirmed_says_so(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER)  # created verified
    response = await post(client, "/account/resend-verification", {})
    assert response.status_code == 303
    assert "Your email address is already verified." in (await client.get("/account")).text
    assert await count(runtime, Mail) == 0


# --- forgotten password -------------------------------------------------------------------


async def test_forgot_password_answers_the_same_for_unknown_emails(client, runtime):
    response = await post(client, "/forgot-password", {"email": "nobody@example.com"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "If an account uses nobody@example.com" in (await client.get("/login")).text
    assert await count(runtime, Mail) == 0


async def test_forgot_password_flags_an_invalid_email(client, runtime):
    response = await post(client, "/forgot-password", {"email": "nope"})
    assert response.status_code == 422
    assert field_error(response.text, "email").startswith("Enter a valid email address")
    no_csrf = await client.post("/forgot-password", data={"email": "ana@example.com"})
    assert no_csrf.status_code == 403


async def test_reset_password_through_the_link(client, runtime):
    await create_user(runtime, "ana@example.com", Role.BUYER)
    await post(client, "/forgot-password", {"email": "ana@example.com"})
    token = token_in(await last_mail_to(runtime, "ana@example.com"))
    page = await client.get(f"/reset-password?token={token}")
    assert page.status_code == 200
    assert f'name="token" value="{token}"' in page.text

    different = await post(
        client,
        "/reset-password",
        {"token": token, "password": NEW_PASSWORD, "password_confirm": "something-else"},
    )
    assert different.status_code == 422
    assert field_error(different.text, "password_confirm") == "The two passwords are different."
    weak = await post(
        client,
        "/reset-password",
        {"token": token, "password": "short", "password_confirm": "short"},
    )
    assert weak.status_code == 422
    assert field_error(weak.text, "password") == "Use at least 10 characters."
    no_csrf = await client.post(
        "/reset-password",
        data={"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert no_csrf.status_code == 403

    # Nothing was written by the refused attempts: the link still works.
    done = await post(
        client,
        "/reset-password",
        {"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    await sign_in(client, "ana@example.com", NEW_PASSWORD)
    reused = await post(
        client,
        "/reset-password",
        {"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert reused.status_code == 422
    assert "This link or code has already been used." in reused.text


# --- the account area ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/account", "/account/security", "/account/addresses", "/account/addresses/new"]
)
async def test_account_pages_send_visitors_to_sign_in(client, path):
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


async def test_profile_is_saved_and_errors_are_shown_next_to_the_field(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER)
    bad = await post(client, "/account/profile", {"display_name": "Nia O.", "phone": "call me"})
    assert bad.status_code == 422
    assert field_error(bad.text, "phone")
    assert 'value="call me"' in bad.text
    assert (await load_user(runtime, "buyer@example.com")).display_name == "Buyer"

    no_csrf = await client.post("/account/profile", data={"display_name": "Hacked"})
    assert no_csrf.status_code == 403
    assert (await load_user(runtime, "buyer@example.com")).display_name == "Buyer"

    ok = await post(
        client, "/account/profile", {"display_name": "Nia O.", "phone": "+33 6 12 34 56 78"}
    )
    assert ok.status_code == 303
    user = await load_user(runtime, "buyer@example.com")
    assert (user.display_name, user.phone) == ("Nia O.", "+33 6 12 34 56 78")
    assert "Your profile is saved." in (await client.get("/account")).text


async def test_change_password_checks_the_current_one_then_signs_out(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER)
    change = {
        "current_password": "not-the-password",
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    }
    wrong = await post(client, "/account/password", change)
    assert wrong.status_code == 422
    assert field_error(wrong.text, "current_password") == "The current password is not correct."
    assert (await client.get("/account")).status_code == 200  # still signed in

    ok = await post(client, "/account/password", {**change, "current_password": PASSWORD})
    assert ok.status_code == 303
    assert ok.headers["location"] == "/login"
    assert (await client.get("/account")).status_code == 303  # signed out everywhere
    await sign_in(client, "buyer@example.com", NEW_PASSWORD)


async def test_roles_requiring_2fa_are_sent_to_security_until_enrolled(
    client, runtime, frozen_clock
):
    runtime.settings.require_2fa_roles = "admin"
    await signed_in_as(runtime, client, Role.ADMIN)
    for path in ("/account", "/account/addresses", "/admin", "/admin/users", "/admin/mail"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/account/security"
    security = await client.get("/account/security")
    assert security.status_code == 200
    assert "Two-factor authentication is required for your role." in security.text
    assert "Your role requires two-factor authentication. Set it up to continue." in security.text

    await enable_two_factor(client, runtime, frozen_clock)
    assert (await client.get("/account")).status_code == 200
    assert (await client.get("/admin")).status_code == 200
    security = await client.get("/account/security")
    assert "it cannot be turned off" in security.text


async def test_two_factor_confirmation_errors_keep_the_qr_code(client, runtime, frozen_clock):
    await signed_in_as(runtime, client, Role.BUYER)
    setup = await post(client, "/account/security/2fa/setup", {})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', setup.text).group(1)
    uri = re.search(r'name="otpauth_uri" value="([^"]+)"', setup.text).group(1)
    wrong = await post(
        client,
        "/account/security/2fa/confirm",
        {"code": "000000", "secret": secret, "otpauth_uri": uri},
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "code").startswith("The code is not correct.")
    assert "<svg" in wrong.text and secret in wrong.text
    assert (await load_user(runtime, "buyer@example.com")).totp_enabled_at is None


async def test_recovery_codes_and_disabling_2fa(client, runtime, frozen_clock):
    await signed_in_as(runtime, client, Role.BUYER)
    secret, old_codes = await enable_two_factor(client, runtime, frozen_clock)

    wrong = await post(client, "/account/security/recovery-codes", {"code": "000000"})
    assert wrong.status_code == 422
    assert "The code is not correct." in wrong.text
    frozen_clock.advance(timedelta(seconds=30))
    fresh = await post(
        client,
        "/account/security/recovery-codes",
        {"code": pyotp.TOTP(secret).at(frozen_clock.now())},
    )
    assert fresh.status_code == 200
    new_codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", fresh.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)

    no_csrf = await client.post("/account/security/2fa/disable", data={"password": PASSWORD})
    assert no_csrf.status_code == 403
    bad = await post(client, "/account/security/2fa/disable", {"password": "not-it-at-all"})
    assert bad.status_code == 422
    assert field_error(bad.text, "password", "disable-password") == "The password is not correct."
    assert (await load_user(runtime, "buyer@example.com")).totp_enabled_at is not None
    off = await post(client, "/account/security/2fa/disable", {"password": PASSWORD})
    assert off.status_code == 303
    assert (await load_user(runtime, "buyer@example.com")).totp_enabled_at is None


# --- addresses ----------------------------------------------------------------------------


async def addresses_of(runtime) -> list[SimpleNamespace]:
    async with runtime.database.reading() as session:
        rows = (await session.execute(select(Address).order_by(Address.label))).scalars()
        return [snapshot(row) for row in rows]


async def test_add_an_address_and_see_errors_next_to_fields(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER)
    bad = await post(client, "/account/addresses", {**ADDRESS, "country": "XX"})
    assert bad.status_code == 422
    assert field_error(bad.text, "country") == "Use an ISO 3166 two-letter country code, e.g. FR."
    bad = await post(client, "/account/addresses", {**ADDRESS, "city": ""})
    assert field_error(bad.text, "city") == "This field is required."
    bad = await post(client, "/account/addresses", {**ADDRESS, "postal_code": "ABC"})
    assert bad.status_code == 422
    assert field_error(bad.text, "postal_code")
    no_csrf = await client.post("/account/addresses", data=ADDRESS)
    assert no_csrf.status_code == 403
    assert await addresses_of(runtime) == []

    ok = await post(client, "/account/addresses", ADDRESS)
    assert ok.status_code == 303
    assert ok.headers["location"] == "/account/addresses"
    (address,) = await addresses_of(runtime)
    assert (address.city, address.is_default, address.line2) == ("Lyon", True, None)
    listing = await client.get("/account/addresses")
    assert "The address “Home” is saved." in listing.text
    assert "12 rue des Lilas" in listing.text


async def test_edit_make_default_and_delete_addresses(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER)
    await post(client, "/account/addresses", ADDRESS)
    await post(client, "/account/addresses", {**ADDRESS, "label": "Office", "line1": "1 quai"})
    home, office = await addresses_of(runtime)
    assert (home.is_default, office.is_default) == (True, False)

    edit = await client.get(f"/account/addresses/{home.id}/edit")
    assert edit.status_code == 200
    assert 'value="12 rue des Lilas"' in edit.text
    changed = await post(
        client,
        f"/account/addresses/{home.id}",
        {**ADDRESS, "city": "Paris", "postal_code": "75001"},
    )
    assert changed.status_code == 303
    invalid = await post(client, f"/account/addresses/{home.id}", {**ADDRESS, "label": ""})
    assert invalid.status_code == 422
    assert field_error(invalid.text, "label") == "This field is required."

    # "Make default" from the list, through htmx: a plain 303 the browser follows.
    made = await post(
        client,
        f"/account/addresses/{office.id}",
        {**ADDRESS, "label": "Office", "line1": "1 quai", "is_default": "on", "intent": "default"},
        headers={"hx-request": "true"},
    )
    assert made.status_code == 303
    home, office = await addresses_of(runtime)
    assert (home.city, home.is_default, office.is_default) == ("Paris", False, True)
    assert "“Office” is now your default address." in (await client.get("/account/addresses")).text

    no_csrf = await client.post(f"/account/addresses/{office.id}/delete")
    assert no_csrf.status_code == 403
    deleted = await post(client, f"/account/addresses/{office.id}/delete", {})
    assert deleted.status_code == 303
    (left,) = await addresses_of(runtime)
    assert (left.label, left.is_default) == ("Home", True)


async def test_someone_elses_address_is_not_found(client, runtime):
    await signed_in_as(runtime, client, Role.BUYER, "owner@example.com")
    await post(client, "/account/addresses", ADDRESS)
    (address,) = await addresses_of(runtime)
    await post(client, "/logout", {})
    await signed_in_as(runtime, client, Role.BUYER, "other@example.com")
    assert (await client.get(f"/account/addresses/{address.id}/edit")).status_code == 404
    delete = await post(client, f"/account/addresses/{address.id}/delete", {})
    assert delete.status_code == 404
    assert len(await addresses_of(runtime)) == 1


# --- the admin console --------------------------------------------------------------------


ADMIN_PAGES = ["/admin", "/admin/users", "/admin/mail"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_admin_console_sends_visitors_to_sign_in(client, path):
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize("role", [Role.BUYER, Role.SELLER])
@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_admin_console_is_forbidden_to_buyers_and_sellers(client, runtime, role, path):
    await signed_in_as(runtime, client, role)
    response = await client.get(path)
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "You are not allowed to do this" in response.text


async def test_support_reads_users_but_cannot_change_them_or_read_mail(client, runtime):
    buyer_id = await create_user(runtime, "someone@example.com", Role.BUYER)
    await signed_in_as(runtime, client, Role.SUPPORT)
    dashboard = await client.get("/admin")
    assert dashboard.status_code == 200
    assert re.search(r'data-testid="count-buyer">1<', dashboard.text)
    assert re.search(r'data-testid="count-support">1<', dashboard.text)
    users = await client.get("/admin/users")
    assert users.status_code == 200
    assert "someone@example.com" in users.text
    assert 'name="is_active"' not in users.text and 'id="role-' not in users.text
    assert (await client.get("/admin/mail")).status_code == 403

    refused = await post(client, f"/admin/users/{buyer_id}", {"is_active": "false"})
    assert refused.status_code == 403
    assert (await load_user(runtime, "someone@example.com")).is_active is True


async def test_admin_disables_a_user_and_changes_a_role(client, runtime):
    buyer_id = await create_user(runtime, "someone@example.com", Role.BUYER)
    await signed_in_as(runtime, client, Role.ADMIN)
    no_csrf = await client.post(f"/admin/users/{buyer_id}", data={"is_active": "false"})
    assert no_csrf.status_code == 403
    assert (await load_user(runtime, "someone@example.com")).is_active is True

    disabled = await post(
        client,
        f"/admin/users/{buyer_id}",
        {"is_active": "false", "q": "someone", "role_filter": "buyer", "cursor": ""},
        headers={"hx-request": "true"},
    )
    assert disabled.status_code == 303
    assert disabled.headers["location"] == "/admin/users?q=someone&role=buyer"
    promoted = await post(client, f"/admin/users/{buyer_id}", {"role": "support"})
    assert promoted.status_code == 303
    user = await load_user(runtime, "someone@example.com")
    assert (user.is_active, user.role) == (False, "support")
    listing = await client.get("/admin/users?q=someone")
    assert "Saved someone@example.com: role support, account disabled." in listing.text


async def test_admin_cannot_demote_themselves(client, runtime):
    admin_id = await signed_in_as(runtime, client, Role.ADMIN)
    response = await post(client, f"/admin/users/{admin_id}", {"role": "buyer"})
    assert response.status_code == 303
    assert (
        "You cannot demote or disable your own account." in (await client.get("/admin/users")).text
    )
    assert (await load_user(runtime, "admin@example.com")).role == "admin"


async def test_user_search_filters_live_and_pages_with_a_cursor(client, runtime):
    for number in range(27):
        await create_user(runtime, f"shopper{number:02}@example.com", Role.BUYER)
    await create_user(runtime, "maker@example.com", Role.SELLER)
    await signed_in_as(runtime, client, Role.ADMIN)

    live = await client.get(
        "/admin/users",
        params={"q": "MAKER", "role": ""},
        headers={"hx-request": "true", "hx-target": "user-results"},
    )
    assert live.status_code == 200
    assert live.text.lstrip().startswith('<section id="user-results"')  # a partial
    assert "maker@example.com" in live.text and "shopper" not in live.text

    sellers = await client.get("/admin/users", params={"role": "seller"})
    assert "maker@example.com" in sellers.text and "shopper00" not in sellers.text

    first = await client.get("/admin/users", params={"q": "shopper"})
    assert first.text.count('<tr id="user-') == 25
    next_url = re.search(r'href="(/admin/users\?q=shopper&amp;cursor=[^"]+)"', first.text).group(1)
    second = await client.get(next_url.replace("&amp;", "&"))
    assert second.text.count('<tr id="user-') == 2
    assert "shopper00@example.com" in second.text and "shopper26" not in second.text
    assert "First page" in second.text


async def test_admin_reads_the_mail_outbox_with_clickable_links(client, runtime):
    await post(client, "/signup", SIGNUP)
    await post(client, "/logout", {})
    await signed_in_as(runtime, client, Role.ADMIN)
    outbox = await client.get("/admin/mail")
    assert outbox.status_code == 200
    assert "Confirm your email address" in outbox.text
    mail_path = re.search(r'href="(/admin/mail/[0-9a-f-]+)"', outbox.text).group(1)
    mail = await client.get(mail_path)
    assert mail.status_code == 200
    assert mail.headers["cache-control"] == "no-store"
    assert re.search(r'<a href="http://testserver/verify-email\?token=[\w-]+" rel=', mail.text)
