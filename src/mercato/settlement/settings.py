"""Settlement timers, read from ``MERCATO_SETTLEMENT_*`` environment variables."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettlementSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MERCATO_SETTLEMENT_", extra="ignore")

    # Days a completed order's money waits before it is released to the seller (a seller's own
    # hold period in ``settlement_seller_hold`` overrides it).
    hold_days: int = Field(default=0, ge=0, le=60)
    # Providers limit how long captured funds may be held (e.g. 90 days).
    max_hold_days: int = Field(default=90, ge=1, le=365)
    # Staff are alerted this many days before an escrow reaches the maximum holding time.
    alert_days_before: int = Field(default=14, ge=0, le=90)
    # Where that alert is emailed (finance staff); without it the alert is only logged.
    alert_email: str | None = None

    @property
    def hold(self) -> timedelta:
        return timedelta(days=self.hold_days)

    @property
    def horizon_alert_after(self) -> timedelta:
        return timedelta(days=max(self.max_hold_days - self.alert_days_before, 0))


_override: SettlementSettings | None = None


@lru_cache(maxsize=1)
def _from_environment() -> SettlementSettings:
    return SettlementSettings()


def settlement_settings() -> SettlementSettings:
    return _override or _from_environment()


def use_settlement_settings(settings: SettlementSettings | None) -> SettlementSettings | None:
    """Install ``settings`` (tests); ``None`` goes back to the environment. Returns the previous."""
    global _override
    previous, _override = _override, settings
    return previous
