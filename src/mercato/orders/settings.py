"""Order timers, read from ``MERCATO_ORDERS_*`` environment variables."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OrderSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MERCATO_ORDERS_", extra="ignore")

    # How long checkout holds the stock for a payment that has not succeeded yet. A bank
    # transfer still processing keeps its reservation until the provider settles it.
    reservation_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # A shipped order counts as delivered this many days after shipment unless the buyer
    # confirms sooner.
    auto_deliver_days: int = Field(default=14, ge=1, le=90)
    # A performed service counts as confirmed this many days later.
    auto_confirm_days: int = Field(default=7, ge=1, le=90)
    # A delivered or confirmed order completes (and its escrow may be released) this many days
    # later: the buyer's window to report a problem first.
    complete_after_days: int = Field(default=3, ge=0, le=90)

    @property
    def reservation(self) -> timedelta:
        return timedelta(minutes=self.reservation_minutes)


_override: OrderSettings | None = None


@lru_cache(maxsize=1)
def _from_environment() -> OrderSettings:
    return OrderSettings()


def order_settings() -> OrderSettings:
    return _override or _from_environment()


def use_order_settings(settings: OrderSettings | None) -> OrderSettings | None:
    """Install ``settings`` (tests); ``None`` goes back to the environment. Returns the previous."""
    global _override
    previous, _override = _override, settings
    return previous
