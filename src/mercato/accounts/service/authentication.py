"""Signing in and out: browser sessions, API tokens (JWT access + rotating refresh), the
second factor step, brute-force limits, and resolving the principal of a request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts import repository
from mercato.accounts.models import BrowserSession, User
from mercato.accounts.policy import normalize_email
from mercato.accounts.schemas import TokenPair
from mercato.accounts.service._audit import note, note_failed_sign_in
from mercato.accounts.service._credentials import (
    MFA_CHALLENGE,
    REFRESH,
    burn_password_check,
    digest,
    issue_token,
    new_secret,
    redeem_token,
    verify_password,
)
from mercato.accounts.service.two_factor import check_second_factor
from mercato.kit import clock
from mercato.kit.auth import ANONYMOUS, Principal, Role
from mercato.kit.errors import Forbidden, RateLimited, Unauthorized, ValidationFailed
from mercato.kit.runtime import current_runtime

SESSION_COOKIE = "mercato_session"
JWT_ALGORITHM = "HS256"
MFA_CHALLENGE_MINUTES = 5
INVALID_CREDENTIALS = "The email or password is not correct."


@dataclass(frozen=True)
class SignInOutcome:
    """A password check that passed: either the user, or a pending second-factor step."""

    user: User
    mfa_token: str | None = None


def _limit_keys(email: str, ip: str) -> tuple[str, str]:
    return f"login:account:{digest(email)}", f"login:ip:{ip}"


async def _refuse_if_throttled(email: str, ip: str) -> None:
    runtime = current_runtime()
    settings = runtime.settings
    account_key, ip_key = _limit_keys(email, ip)
    by_account = await runtime.counter.peek(account_key)
    by_ip = await runtime.counter.peek(ip_key)
    blocked = [
        window.retry_after
        for window, limit in (
            (by_account, settings.login_attempts_per_account),
            (by_ip, settings.login_attempts_per_ip),
        )
        if window.count >= limit
    ]
    if blocked:
        wait = max(blocked)
        minutes = max(1, -(-wait // 60))
        raise RateLimited(
            f"Too many sign-in attempts. Try again in {minutes} minute{'s' * (minutes > 1)}.",
            retry_after=wait,
        )


async def _count_failure(email: str, ip: str) -> None:
    runtime = current_runtime()
    window = runtime.settings.login_window_seconds
    for key in _limit_keys(email, ip):
        await runtime.counter.increment(key, window)


async def sign_in(session: AsyncSession, email: str, password: str, ip: str) -> SignInOutcome:
    """Check email and password, limited per account and per IP. Unknown emails and wrong
    passwords get the same answer in the same time, so accounts cannot be enumerated."""
    email = normalize_email(email)
    await _refuse_if_throttled(email, ip)
    user = await repository.get_user_by_email(session, email)
    if user is None:
        await burn_password_check(password)
    if user is None or not await verify_password(user.password_hash, password):
        await _count_failure(email, ip)
        reason = "unknown_email" if user is None else "wrong_password"
        await note_failed_sign_in(session, email, user, ip, reason)
        # Kept: the unit of work commits the audit entry of the refused attempt.
        raise Unauthorized(INVALID_CREDENTIALS, keep_changes=True)
    if not user.is_active:
        await note_failed_sign_in(session, email, user, ip, "disabled")
        raise Forbidden("This account is disabled. Contact support.", keep_changes=True)
    await current_runtime().counter.clear(_limit_keys(email, ip)[0])
    if user.totp_enabled_at is not None:
        lifetime = timedelta(minutes=MFA_CHALLENGE_MINUTES)
        return SignInOutcome(user, await issue_token(session, user, MFA_CHALLENGE, lifetime))
    user.last_login_at = clock.now()
    await note(session, user, "login", user, ip=ip, method="password")
    return SignInOutcome(user)


async def complete_second_factor(session: AsyncSession, mfa_token: str, code: str, ip: str) -> User:
    """Finish a sign-in with a TOTP or recovery code. Wrong codes count as failed attempts."""
    challenge = await repository.get_token_by_hash(session, digest(mfa_token), MFA_CHALLENGE)
    user = (
        None if challenge is None else await repository.get_user_by_id(session, challenge.user_id)
    )
    if user is None or challenge is None:
        raise ValidationFailed.on("mfa_token", "The sign-in expired. Start again.")
    await _refuse_if_throttled(user.email, ip)
    if challenge.used_at is not None or challenge.expires_at <= clock.now():
        raise ValidationFailed.on("mfa_token", "The sign-in expired. Start again.")
    if not await check_second_factor(session, user, code):
        await _count_failure(user.email, ip)
        await note_failed_sign_in(session, user.email, user, ip, "wrong_second_factor")
        refused = ValidationFailed.on("code", "The code is not correct.")
        refused.keep_changes = True  # the unit of work commits the refused attempt's entry
        raise refused
    await redeem_token(session, mfa_token, MFA_CHALLENGE, field="mfa_token")
    user.last_login_at = clock.now()
    await note(session, user, "login", user, ip=ip, method="password+2fa")
    return user


async def open_browser_session(session: AsyncSession, user: User, ip: str, user_agent: str) -> str:
    """Create a browser session; returns the secret to put in the cookie."""
    secret = new_secret()
    now = clock.now()
    session.add(
        BrowserSession(
            user_id=user.id,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + timedelta(days=current_runtime().settings.session_days),
            ip_address=ip[:64],
            user_agent=user_agent[:255],
        )
    )
    await session.flush()
    return secret


async def close_browser_session(session: AsyncSession, secret: str) -> None:
    browser = await repository.get_session_by_hash(session, digest(secret))
    if browser is not None and browser.revoked_at is None:
        browser.revoked_at = clock.now()
        user = await repository.get_user_by_id(session, browser.user_id)
        if user is not None:
            await note(session, user, "logout", user, session_kind="browser")


def _access_token(user: User) -> tuple[str, int]:
    runtime = current_runtime()
    lifetime = runtime.settings.access_token_minutes * 60
    now = clock.now()
    claims = {
        "sub": str(user.id),
        "role": user.role,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + lifetime,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, runtime.secret_key, algorithm=JWT_ALGORITHM), lifetime


async def issue_token_pair(session: AsyncSession, user: User) -> TokenPair:
    access, lifetime = _access_token(user)
    days = current_runtime().settings.refresh_token_days
    refresh = await issue_token(session, user, REFRESH, timedelta(days=days))
    return TokenPair(access_token=access, expires_in=lifetime, refresh_token=refresh)


async def refresh_token_pair(session: AsyncSession, refresh_token: str) -> TokenPair:
    """Rotate: the refresh token is spent and a new pair issued. Presenting a spent token again
    means it leaked, so every refresh token of that user is revoked."""
    stored = await repository.get_token_by_hash(session, digest(refresh_token), REFRESH)
    if stored is not None and stored.used_at is not None:
        await repository.expire_tokens(session, stored.user_id, (REFRESH,), clock.now())
        raise Unauthorized("This refresh token was already used; sign in again.", keep_changes=True)
    try:
        redeemed = await redeem_token(session, refresh_token, REFRESH, field="refresh_token")
    except ValidationFailed as error:
        raise Unauthorized("The refresh token is not valid; sign in again.") from error
    user = await repository.get_user_by_id(session, redeemed.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The refresh token is not valid; sign in again.")
    return await issue_token_pair(session, user)


async def revoke_refresh_token(session: AsyncSession, refresh_token: str) -> None:
    stored = await repository.get_token_by_hash(session, digest(refresh_token), REFRESH)
    if stored is not None and stored.used_at is None:
        await repository.consume_token(session, stored.id, clock.now())
        user = await repository.get_user_by_id(session, stored.user_id)
        if user is not None:
            await note(session, user, "logout", user, session_kind="api")


def _principal_for(user: User | None) -> Principal:
    if user is None or not user.is_active:
        return ANONYMOUS
    required = current_runtime().settings.roles_requiring_2fa
    return Principal(
        user_id=user.id,
        role=Role(user.role),
        email=user.email,
        display_name=user.display_name,
        fully_authenticated=user.role not in required or user.totp_enabled_at is not None,
    )


def _user_id_from_bearer(token: str) -> uuid.UUID:
    try:
        claims = jwt.decode(
            token,
            current_runtime().secret_key,
            algorithms=[JWT_ALGORITHM],
            # Expiry is checked against the platform clock below, not the library's own.
            options={"require": ["exp", "sub", "typ"], "verify_exp": False},
        )
        if claims.get("typ") != "access":
            raise jwt.InvalidTokenError("not an access token")
        if int(claims["exp"]) <= clock.now().timestamp():
            raise jwt.ExpiredSignatureError("expired")
        return uuid.UUID(claims["sub"])
    except (jwt.InvalidTokenError, ValueError) as error:
        raise Unauthorized("The access token is invalid or expired.") from error


async def resolve_principal(request: Request) -> Principal:
    """Who sent ``request``: a bearer access token (API) or a session cookie (pages)."""
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    async with current_runtime().database.reading() as session:
        if scheme.lower() == "bearer" and credentials:
            user_id = _user_id_from_bearer(credentials.strip())
            user = await repository.get_user_by_id(session, user_id)
            if user is None or not user.is_active:
                raise Unauthorized("The access token is invalid or expired.")
            return _principal_for(user)
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return ANONYMOUS
        browser = await repository.get_session_by_hash(session, digest(cookie))
        if browser is None or browser.revoked_at is not None or browser.expires_at <= clock.now():
            return ANONYMOUS
        return _principal_for(await repository.get_user_by_id(session, browser.user_id))


class SecondFactorRequired(Unauthorized):
    slug, title = "mfa-required", "A second factor is required"


async def sign_in_api(session: AsyncSession, email: str, password: str, ip: str) -> TokenPair:
    """OAuth2 password grant. With 2FA on, answers 401 ``mfa-required`` carrying the
    ``mfa_token`` to send with the code to :func:`complete_sign_in_api`."""
    outcome = await sign_in(session, email, password, ip)
    if outcome.mfa_token is not None:
        raise SecondFactorRequired(
            "Enter the code from your authenticator app.",
            extensions={"mfa_token": outcome.mfa_token},
            keep_changes=True,  # the pending challenge must be stored for the next step
        )
    return await issue_token_pair(session, outcome.user)


async def complete_sign_in_api(
    session: AsyncSession, mfa_token: str, code: str, ip: str
) -> TokenPair:
    user = await complete_second_factor(session, mfa_token, code, ip)
    return await issue_token_pair(session, user)


@dataclass(frozen=True)
class BrowserSignIn:
    """Either the new session cookie secret, or the pending second-factor token."""

    session_secret: str | None = None
    mfa_token: str | None = None


async def sign_in_browser(
    session: AsyncSession, email: str, password: str, ip: str, user_agent: str
) -> BrowserSignIn:
    outcome = await sign_in(session, email, password, ip)
    if outcome.mfa_token is not None:
        return BrowserSignIn(mfa_token=outcome.mfa_token)
    secret = await open_browser_session(session, outcome.user, ip, user_agent)
    return BrowserSignIn(session_secret=secret)


async def complete_sign_in_browser(
    session: AsyncSession, mfa_token: str, code: str, ip: str, user_agent: str
) -> str:
    user = await complete_second_factor(session, mfa_token, code, ip)
    return await open_browser_session(session, user, ip, user_agent)
