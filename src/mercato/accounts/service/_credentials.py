"""Secrets and hashes shared by the accounts use cases."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from anyio import CapacityLimiter, to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts import repository
from mercato.accounts.models import OneTimeToken, User
from mercato.kit import clock
from mercato.kit.errors import ValidationFailed
from mercato.kit.runtime import current_runtime

# One-time token purposes.
VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 (a token purpose)
REFRESH = "refresh"
MFA_CHALLENGE = "mfa_challenge"


@lru_cache(maxsize=4)
def _hasher(memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=3, memory_cost=memory_kib, parallelism=1)


def hasher() -> PasswordHasher:
    return _hasher(current_runtime().settings.password_hash_memory_kib)


# Argon2 spends tens of milliseconds of CPU and tens of megabytes of memory by design. Run on
# the event loop, a burst of sign-ins would stall every other request of the worker (and its
# health check); in a thread (argon2's C code releases the GIL) the loop keeps serving while the
# hash is computed. Two at a time per process: more would not finish sooner on a few cores, and
# each one in flight holds its memory cost, so a burst must queue rather than swell the worker.
_HASHING_SLOTS = 2


@lru_cache(maxsize=1)
def _hashing_limiter() -> CapacityLimiter:
    return CapacityLimiter(_HASHING_SLOTS)


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(hasher().hash, password, limiter=_hashing_limiter())


async def verify_password(password_hash: str, password: str) -> bool:
    return await to_thread.run_sync(
        _verify, hasher(), password_hash, password, limiter=_hashing_limiter()
    )


def _verify(password_hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: dict[int, str] = {}


async def burn_password_check(password: str) -> None:
    """Spend the time of a real check so response timing does not reveal unknown emails."""
    memory = current_runtime().settings.password_hash_memory_kib
    if memory not in _DUMMY_HASH:
        _DUMMY_HASH[memory] = await hash_password("not-a-real-password")
    await verify_password(_DUMMY_HASH[memory], password)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Tokens are high-entropy random strings, so a plain SHA-256 is the right storage hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_token(session: AsyncSession, user: User, purpose: str, lifetime: timedelta) -> str:
    secret = new_secret()
    now = clock.now()
    session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    await session.flush()
    return secret


async def redeem_token(
    session: AsyncSession, secret: str, purpose: str, *, field: str = "token"
) -> OneTimeToken:
    """Use a one-time token exactly once; unknown, expired and reused tokens are all refused."""
    token = await repository.get_token_by_hash(session, digest(secret), purpose)
    now = clock.now()
    if token is None:
        raise ValidationFailed.on(field, "This link or code is not valid.")
    if token.used_at is not None:
        raise ValidationFailed.on(field, "This link or code has already been used.")
    if token.expires_at <= now:
        raise ValidationFailed.on(field, "This link or code has expired; ask for a new one.")
    if not await repository.consume_token(session, token.id, now):
        raise ValidationFailed.on(field, "This link or code has already been used.")
    return token
