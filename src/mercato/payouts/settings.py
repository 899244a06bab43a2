"""Payout settings, read from ``MERCATO_PAYOUTS_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PayoutSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MERCATO_PAYOUTS_", extra="ignore")

    # The minimum payout per currency (minor units) of sellers who did not set their own.
    # A currency not listed has no minimum beyond one minor unit.
    default_minimums: dict[str, int] = Field(
        default_factory=lambda: {"EUR": 1000, "USD": 1000, "GBP": 1000, "CHF": 1000, "JPY": 1000}
    )
    # A payout recorded but not handed to the provider after this long (its job was lost in a
    # crash) is sent by the periodic sweep, with the same idempotency key.
    resend_after_seconds: int = 300


_override: PayoutSettings | None = None


@lru_cache(maxsize=1)
def _from_environment() -> PayoutSettings:
    return PayoutSettings()


def payout_settings() -> PayoutSettings:
    return _override or _from_environment()


def use_payout_settings(settings: PayoutSettings | None) -> PayoutSettings | None:
    """Install ``settings`` (tests); ``None`` goes back to the environment. Returns the previous."""
    global _override
    previous, _override = _override, settings
    return previous
