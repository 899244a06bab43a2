"""Pages for getting in: sign-up, sign-in with an optional second factor,
sign-out, email verification and the forgotten-password flow."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mercato.accounts import service
from mercato.accounts.pages._common import (
    MFA_COOKIE,
    client_ip,
    end_session,
    forget_mfa_challenge,
    remember_mfa_challenge,
    safe_next,
    start_session,
    user_agent,
)
from mercato.accounts.schemas import EmailToken, PasswordResetConfirm, PasswordResetRequest, SignUp
from mercato.kit.db import commit, rollback
from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.errors import MercatoError, ValidationFailed
from mercato.kit.web import (
    PageUser,
    flash,
    form_failed,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)

router = page_router()
Csrf = Depends(verify_csrf)
NextPath = Annotated[str | None, Query(alias="next", max_length=2000)]


class SignInForm(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class SecondFactorForm(BaseModel):
    code: str = Field(min_length=6, max_length=20)


# --- sign-up -------------------------------------------------------------------------------


@router.get("/signup")
async def signup_form(
    request: Request,
    principal: CurrentPrincipal,
    account_type: Annotated[str, Query(alias="type", max_length=10)] = "buyer",
) -> Response:
    if not principal.is_anonymous:
        return redirect("/account")
    kind = "seller" if account_type == "seller" else "buyer"
    return render(request, "accounts/signup.html", {"form": {"account_type": kind}})


@router.post("/signup", dependencies=[Csrf])
async def signup(request: Request, session: DbSession) -> Response:
    form = await read_form(request)
    try:
        user, secret = await service.sign_up_and_sign_in(
            session, parse_form(SignUp, form), client_ip(request), user_agent(request)
        )
    except MercatoError as error:
        return await form_failed(request, session, error, "accounts/signup.html", {"form": form})
    response = redirect("/account", request)
    start_session(response, request, secret)
    flash(
        response,
        request,
        f"Welcome to Mercato! We sent a link to {user.email} to confirm your email address.",
    )
    return response


# --- sign-in and sign-out ------------------------------------------------------------------


@router.get("/login")
async def login_form(
    request: Request, principal: CurrentPrincipal, next_: NextPath = None
) -> Response:
    if not principal.is_anonymous:
        return redirect(safe_next(next_))
    return render(request, "accounts/login.html", {"next": safe_next(next_)})


@router.post("/login", dependencies=[Csrf])
async def login(request: Request, session: DbSession) -> Response:
    form = await read_form(request)
    next_path = safe_next(form.get("next"))
    try:
        credentials = parse_form(SignInForm, form)
        outcome = await service.sign_in_browser(
            session,
            credentials.email,
            credentials.password,
            client_ip(request),
            user_agent(request),
        )
    except MercatoError as error:
        await _keep_if_asked(session, error)
        context = {"form": {"email": form.get("email", "")}, "next": next_path}
        return await form_failed(request, session, error, "accounts/login.html", context)
    if outcome.mfa_token is not None:
        response = redirect(f"/login/2fa?{urlencode({'next': next_path})}", request)
        remember_mfa_challenge(response, request, outcome.mfa_token)
        return response
    assert outcome.session_secret is not None
    response = redirect(next_path, request)
    start_session(response, request, outcome.session_secret)
    return response


@router.get("/login/2fa")
async def second_factor_form(request: Request, next_: NextPath = None) -> Response:
    if not request.cookies.get(MFA_COOKIE):
        return _sign_in_expired(request)
    return render(request, "accounts/login_2fa.html", {"next": safe_next(next_)})


@router.post("/login/2fa", dependencies=[Csrf])
async def second_factor(request: Request, session: DbSession) -> Response:
    form = await read_form(request)
    next_path = safe_next(form.get("next"))
    mfa_token = request.cookies.get(MFA_COOKIE)
    if not mfa_token:
        return _sign_in_expired(request)
    try:
        secret = await service.complete_sign_in_browser(
            session,
            mfa_token,
            parse_form(SecondFactorForm, form).code,
            client_ip(request),
            user_agent(request),
        )
    except MercatoError as error:
        if any(e.field == "mfa_token" for e in error.errors):
            await rollback(session)
            return _sign_in_expired(request)
        await _keep_if_asked(session, error)
        context = {"next": next_path}
        return await form_failed(request, session, error, "accounts/login_2fa.html", context)
    response = redirect(next_path, request)
    forget_mfa_challenge(response, request)
    start_session(response, request, secret)
    return response


async def _keep_if_asked(session: DbSession, error: MercatoError) -> None:
    """A refusal that keeps its changes (the audit entry of a failed sign-in) is committed
    before the form is shown again, as the API's unit of work would."""
    if error.keep_changes:
        await commit(session)


def _sign_in_expired(request: Request) -> Response:
    response = redirect("/login", request)
    forget_mfa_challenge(response, request)
    flash(response, request, "The sign-in expired. Enter your email and password again.", "error")
    return response


@router.post("/logout", dependencies=[Csrf])
async def logout(request: Request, session: DbSession) -> Response:
    secret = request.cookies.get(service.SESSION_COOKIE)
    if secret:
        await service.close_browser_session(session, secret)
    response = redirect("/", request)
    end_session(response, request)
    flash(response, request, "You are signed out. See you soon!", "info")
    return response


# --- email verification --------------------------------------------------------------------


@router.get("/verify-email")
async def verify_email_form(
    request: Request, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    # Confirming takes a click (a POST) so that mail scanners prefetching links spend nothing.
    return render(request, "accounts/verify_email.html", {"token": token})


@router.post("/verify-email", dependencies=[Csrf])
async def verify_email(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    form = await read_form(request)
    try:
        await service.verify_email(session, parse_form(EmailToken, form).token)
    except MercatoError as error:
        context = {"token": form.get("token", "")}
        return await form_failed(request, session, error, "accounts/verify_email.html", context)
    response = redirect("/login" if principal.is_anonymous else "/account", request)
    flash(response, request, "Thank you! Your email address is confirmed.")
    return response


@router.post("/account/resend-verification", dependencies=[Csrf])
async def resend_verification(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    response = redirect("/account", request)
    try:
        await service.resend_verification(session, principal)
    except MercatoError as error:
        await rollback(session)
        flash(response, request, error.detail, "error")
        return response
    flash(response, request, f"We sent a new confirmation link to {principal.email}.")
    return response


# --- forgotten password --------------------------------------------------------------------


@router.get("/forgot-password")
async def forgot_password_form(request: Request) -> Response:
    return render(request, "accounts/forgot_password.html", {"form": {}})


@router.post("/forgot-password", dependencies=[Csrf])
async def forgot_password(request: Request, session: DbSession) -> Response:
    form = await read_form(request)
    try:
        data = parse_form(PasswordResetRequest, form)
        await service.request_password_reset(session, data.email)
    except MercatoError as error:
        context = {"form": form}
        return await form_failed(request, session, error, "accounts/forgot_password.html", context)
    response = redirect("/login", request)
    flash(
        response,
        request,
        f"If an account uses {data.email}, a link to reset its password is on its way. "
        "It works for a limited time.",
        "info",
    )
    return response


@router.get("/reset-password")
async def reset_password_form(
    request: Request, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    return render(request, "accounts/reset_password.html", {"token": token})


@router.post("/reset-password", dependencies=[Csrf])
async def reset_password(request: Request, session: DbSession) -> Response:
    form = await read_form(request)
    try:
        data = parse_form(PasswordResetConfirm, form)
        if form.get("password_confirm") != data.password:
            raise ValidationFailed.on("password_confirm", "The two passwords are different.")
        await service.reset_password(session, data.token, data.password)
    except MercatoError as error:
        context = {"token": form.get("token", "")}
        return await form_failed(request, session, error, "accounts/reset_password.html", context)
    # The reset signed the account out everywhere, this browser included.
    response = redirect("/login", request)
    end_session(response, request)
    flash(response, request, "Your password is changed. Sign in with your new password.")
    return response
