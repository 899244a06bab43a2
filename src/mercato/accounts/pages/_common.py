"""Helpers shared by the accounts pages: who is calling, cookies, safe redirect targets."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request, Response

from mercato.accounts.service import SESSION_COOKIE
from mercato.accounts.service.authentication import MFA_CHALLENGE_MINUTES
from mercato.config import Settings

# The pending second-factor sign-in: kept out of the URL (history, logs, Referer).
MFA_COOKIE = "mercato_mfa"
MFA_COOKIE_PATH = "/login"
DEFAULT_AFTER_SIGN_IN = "/account"


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.runtime.settings
    return settings


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:255]


def safe_next(target: str | None, default: str = DEFAULT_AFTER_SIGN_IN) -> str:
    """A same-site path to go to after signing in; anything else (``//evil.example``,
    ``https://…``, ``/\\evil``, control characters) falls back to ``default``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\\\r\n\t") or not target.isprintable():
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def start_session(response: Response, request: Request, secret: str) -> None:
    settings = settings_of(request)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_days * 24 * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def end_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings_of(request).cookie_secure,
    )


def remember_mfa_challenge(response: Response, request: Request, mfa_token: str) -> None:
    response.set_cookie(
        MFA_COOKIE,
        mfa_token,
        max_age=MFA_CHALLENGE_MINUTES * 60,
        path=MFA_COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).cookie_secure,
    )


def forget_mfa_challenge(response: Response, request: Request) -> None:
    response.delete_cookie(
        MFA_COOKIE,
        path=MFA_COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).cookie_secure,
    )
