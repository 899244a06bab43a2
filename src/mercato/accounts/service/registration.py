"""Signing up, verifying an email address, resetting a forgotten password."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts import repository
from mercato.accounts.models import User
from mercato.accounts.policy import normalize_email, password_problem
from mercato.accounts.schemas import SignUp
from mercato.accounts.service._audit import note
from mercato.accounts.service._credentials import (
    MFA_CHALLENGE,
    REFRESH,
    RESET_PASSWORD,
    VERIFY_EMAIL,
    hash_password,
    issue_token,
    redeem_token,
)
from mercato.accounts.service.authentication import open_browser_session
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, FieldError, ValidationFailed
from mercato.kit.runtime import current_runtime
from mercato.notifications.service import queue_email
from mercato.sellers.service import open_application


def require_strong_password(password: str, email: str, field: str = "password") -> None:
    problem = password_problem(password, email)
    if problem:
        raise ValidationFailed(problem, errors=[FieldError(field, problem)])


async def sign_up(session: AsyncSession, data: SignUp) -> User:
    """Create a buyer, or a seller whose seller account starts in the ``applying`` state, and
    send the email verification link."""
    email = normalize_email(data.email)
    require_strong_password(data.password, email)
    business_name = (data.business_name or "").strip()
    if data.account_type == "seller" and not business_name:
        raise ValidationFailed.on("business_name", "Sellers must give their business name.")
    if await repository.get_user_by_email(session, email) is not None:
        raise Conflict(
            "An account with this email already exists. Sign in or reset your password.",
            errors=[FieldError("email", "An account with this email already exists.")],
        )
    user = await _create_user(session, email, data.password, data.display_name, data.account_type)
    if data.account_type == "seller":
        await open_application(session, user.id, business_name)
    await send_verification(session, user)
    return user


async def sign_up_and_sign_in(
    session: AsyncSession, data: SignUp, ip: str, user_agent: str
) -> tuple[User, str]:
    """Sign up from the web pages and open a browser session at once; returns the new user and
    the session cookie secret."""
    user = await sign_up(session, data)
    return user, await open_browser_session(session, user, ip, user_agent)


async def _create_user(
    session: AsyncSession, email: str, password: str, display_name: str, role: str
) -> User:
    user = User(
        email=email,
        password_hash=await hash_password(password),
        role=role,
        display_name=display_name.strip(),
        is_active=True,
    )
    session.add(user)
    await session.flush()
    return user


async def create_user_with_role(
    session: AsyncSession,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    *,
    verified: bool = True,
) -> User:
    """Create a user directly (operator CLI and demo data): no verification email."""
    email = normalize_email(email)
    require_strong_password(password, email)
    if await repository.get_user_by_email(session, email) is not None:
        raise Conflict(f"An account with the email {email} already exists.")
    user = await _create_user(session, email, password, display_name, role.value)
    if verified:
        user.email_verified_at = clock.now()
    return user


async def send_verification(session: AsyncSession, user: User) -> None:
    settings = current_runtime().settings
    token = await issue_token(
        session, user, VERIFY_EMAIL, timedelta(hours=settings.email_token_hours)
    )
    link = f"{settings.base_url}/verify-email?token={token}"
    await queue_email(
        session,
        user.email,
        "Confirm your email address",
        f"Hello {user.display_name},\n\nConfirm your email address to finish setting up your "
        f"Mercato account:\n\n{link}\n\nThe link works once and expires in "
        f"{settings.email_token_hours} hours. If you did not sign up, ignore this email.\n",
    )


async def resend_verification(session: AsyncSession, principal: Principal) -> None:
    user_id = principal.require_user()
    user = await repository.get_user_by_id(session, user_id)
    if user is None or user.email_verified_at is not None:
        raise Conflict("Your email address is already verified.")
    await repository.expire_tokens(session, user.id, (VERIFY_EMAIL,), clock.now())
    await send_verification(session, user)


async def verify_email(session: AsyncSession, token: str) -> User:
    redeemed = await redeem_token(session, token, VERIFY_EMAIL)
    user = await repository.get_user_by_id(session, redeemed.user_id)
    if user is None:
        raise ValidationFailed.on("token", "This link or code is not valid.")
    user.email_verified_at = user.email_verified_at or clock.now()
    return user


async def request_password_reset(session: AsyncSession, email: str) -> None:
    """Email a reset link when the account exists; the caller learns nothing either way."""
    user = await repository.get_user_by_email(session, normalize_email(email))
    if user is None or not user.is_active:
        return
    settings = current_runtime().settings
    await repository.expire_tokens(session, user.id, (RESET_PASSWORD,), clock.now())
    token = await issue_token(
        session, user, RESET_PASSWORD, timedelta(minutes=settings.password_reset_minutes)
    )
    link = f"{settings.base_url}/reset-password?token={token}"
    await queue_email(
        session,
        user.email,
        "Reset your password",
        f"Hello {user.display_name},\n\nSomeone asked to reset the password of your Mercato "
        f"account. To choose a new password, open:\n\n{link}\n\nThe link works once and expires "
        f"in {settings.password_reset_minutes} minutes. If it was not you, ignore this email.\n",
    )


async def reset_password(session: AsyncSession, token: str, new_password: str) -> User:
    """Set a new password from a reset link and sign the account out everywhere."""
    redeemed = await redeem_token(session, token, RESET_PASSWORD)
    user = await repository.get_user_by_id(session, redeemed.user_id)
    if user is None or not user.is_active:
        raise ValidationFailed.on("token", "This link or code is not valid.")
    require_strong_password(new_password, user.email)
    await set_password(session, user, new_password)
    # Following the link proves control of the mailbox.
    user.email_verified_at = user.email_verified_at or clock.now()
    await note(session, user, "password_reset", user)
    return user


async def set_password(session: AsyncSession, user: User, new_password: str) -> None:
    now = clock.now()
    user.password_hash = await hash_password(new_password)
    await repository.revoke_sessions(session, user.id, now)
    await repository.expire_tokens(session, user.id, (REFRESH, MFA_CHALLENGE, RESET_PASSWORD), now)


async def find_user_id_by_email(session: AsyncSession, email: str) -> uuid.UUID | None:
    user = await repository.get_user_by_email(session, normalize_email(email))
    return None if user is None else user.id
