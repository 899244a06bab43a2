"""TOTP two-factor authentication (RFC 6238) with single-use recovery codes."""

from __future__ import annotations

import secrets

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts import repository
from mercato.accounts.models import RecoveryCode, User
from mercato.accounts.schemas import TotpSetup
from mercato.accounts.service._audit import note
from mercato.accounts.service._credentials import digest, verify_password
from mercato.kit import clock
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.runtime import current_runtime

ISSUER = "Mercato"
RECOVERY_CODE_COUNT = 10
_STEP_SECONDS = 30


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, interval=_STEP_SECONDS)


def accepted_totp_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (allowing one step of clock drift either way), or None.
    A step at or before ``last_step`` is refused so an intercepted code cannot be replayed."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    current = int(clock.now().timestamp()) // _STEP_SECONDS
    totp = _totp(secret)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normalize_recovery(code: str) -> str:
    return code.strip().replace("-", "").replace(" ", "").lower()


async def _use_recovery_code(session: AsyncSession, user: User, code: str) -> bool:
    wanted = digest(_normalize_recovery(code))
    for stored in await repository.list_recovery_codes(session, user.id):
        if stored.used_at is None and secrets.compare_digest(stored.code_hash, wanted):
            stored.used_at = clock.now()
            return True
    return False


async def check_second_factor(session: AsyncSession, user: User, code: str) -> bool:
    """True when ``code`` is a fresh TOTP code or an unused recovery code of ``user``."""
    if user.totp_secret is None or user.totp_enabled_at is None:
        return False
    step = accepted_totp_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    return await _use_recovery_code(session, user, code)


async def _load(session: AsyncSession, principal: Principal, *, allow_partial: bool) -> User:
    # Someone whose role requires 2FA and who has not enabled it yet may still enrol.
    if principal.user_id is None or not (allow_partial or principal.fully_authenticated):
        principal.require_user()
    assert principal.user_id is not None
    user = await repository.get_user_by_id(session, principal.user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def begin_totp_enrolment(session: AsyncSession, principal: Principal) -> TotpSetup:
    """Start enrolment: a new secret to scan. 2FA is only on once a code is confirmed."""
    user = await _load(session, principal, allow_partial=True)
    if user.totp_enabled_at is not None:
        raise Conflict("Two-factor authentication is already enabled.")
    user.totp_secret = pyotp.random_base32()
    uri = _totp(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return TotpSetup(secret=user.totp_secret, otpauth_uri=uri)


async def confirm_totp_enrolment(
    session: AsyncSession, principal: Principal, code: str
) -> list[str]:
    """Turn 2FA on with a first valid code; returns the recovery codes, shown only once."""
    user = await _load(session, principal, allow_partial=True)
    if user.totp_enabled_at is not None:
        raise Conflict("Two-factor authentication is already enabled.")
    if user.totp_secret is None:
        raise Conflict("Start two-factor setup first.")
    step = accepted_totp_step(user.totp_secret, code, None)
    if step is None:
        raise ValidationFailed.on("code", "The code is not correct. Check your device's clock.")
    user.totp_enabled_at, user.totp_last_step = clock.now(), step
    codes = await _replace_recovery_codes(session, user)
    await note(session, principal, "2fa_enabled", user)
    return codes


async def disable_totp(session: AsyncSession, principal: Principal, password: str) -> None:
    """Turn 2FA off; requires the account password (roles that require 2FA cannot)."""
    user = await _load(session, principal, allow_partial=False)
    if user.totp_enabled_at is None:
        raise Conflict("Two-factor authentication is not enabled.")
    if user.role in current_runtime().settings.roles_requiring_2fa:
        raise Conflict("Your role requires two-factor authentication; it cannot be turned off.")
    if not await verify_password(user.password_hash, password):
        raise ValidationFailed.on("password", "The password is not correct.")
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    await repository.delete_recovery_codes(session, user.id)
    await note(session, principal, "2fa_disabled", user)


async def regenerate_recovery_codes(
    session: AsyncSession, principal: Principal, code: str
) -> list[str]:
    user = await _load(session, principal, allow_partial=False)
    if user.totp_enabled_at is None or user.totp_secret is None:
        raise Conflict("Two-factor authentication is not enabled.")
    step = accepted_totp_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        raise ValidationFailed.on("code", "The code is not correct.")
    user.totp_last_step = step
    return await _replace_recovery_codes(session, user)


async def _replace_recovery_codes(session: AsyncSession, user: User) -> list[str]:
    await repository.delete_recovery_codes(session, user.id)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=digest(code)))
    await session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]
