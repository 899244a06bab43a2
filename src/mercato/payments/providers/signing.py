"""Webhook signatures in the scheme Stripe uses: ``t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>">``. Several ``v1`` entries may be present (secret rotation); one valid entry is
enough. Verification is on the raw bytes, constant-time, with a tolerance on the timestamp."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime


class SignatureError(ValueError):
    """The header is missing, malformed, does not match, or is outside the tolerance."""


def sign(secret: str, timestamp: int, raw_body: bytes) -> str:
    signed = f"{timestamp}.".encode() + raw_body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, raw_body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, raw_body)}"


def verify(
    header: str | None,
    raw_body: bytes,
    secrets: Sequence[str],
    *,
    now: datetime,
    tolerance_seconds: int,
) -> int:
    """The signed timestamp, once the header is proven authentic and fresh."""
    if not header:
        raise SignatureError("the signature header is missing")
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("the signature header has no timestamp or no v1 signature")
    if not any(
        hmac.compare_digest(candidate, sign(secret, timestamp, raw_body))
        for secret in secrets
        for candidate in candidates
    ):
        raise SignatureError("no signature matches the body")
    age = now.timestamp() - timestamp
    if abs(age) > tolerance_seconds:
        raise SignatureError(
            f"the signature is {int(age)} s old, outside the {tolerance_seconds} s tolerance"
        )
    return timestamp
