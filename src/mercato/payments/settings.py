"""Payment settings, read from ``MERCATO_PAYMENTS_*`` environment variables.

The embedded default needs no configuration: the built-in sandbox provider, with a webhook
signing secret derived from the platform's secret key. Stripe is used once its keys are set.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from mercato.kit.runtime import current_runtime


class PaymentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MERCATO_PAYMENTS_", extra="ignore")

    # The provider new payments go to: "sandbox" (built in, no real money) or "stripe".
    provider: str = "sandbox"
    # Webhook signatures older (or further in the future) than this are refused (replays).
    webhook_tolerance_seconds: int = 300

    # Empty: derived from MERCATO_SECRET_KEY, so embedded mode works out of the box.
    sandbox_webhook_secret: str = ""
    # How long a sandbox bank transfer (and the "fails later" test card) stays processing
    # before the sandbox settles it and sends the webhook.
    sandbox_settle_after_seconds: int = 5

    stripe_secret_key: str = ""
    # Comma-separated, so a rotated signing secret and the new one are both accepted.
    stripe_webhook_secrets: str = ""
    stripe_api_version: str = ""

    def resolved_sandbox_secret(self) -> str:
        if self.sandbox_webhook_secret:
            return self.sandbox_webhook_secret
        seed = current_runtime().secret_key.encode()
        return hmac.new(seed, b"mercato.payments.sandbox-webhooks", hashlib.sha256).hexdigest()

    @property
    def stripe_webhook_secret_list(self) -> list[str]:
        return [s.strip() for s in self.stripe_webhook_secrets.split(",") if s.strip()]


_override: PaymentSettings | None = None


@lru_cache(maxsize=1)
def _from_environment() -> PaymentSettings:
    return PaymentSettings()


def payment_settings() -> PaymentSettings:
    return _override or _from_environment()


def use_payment_settings(settings: PaymentSettings | None) -> PaymentSettings | None:
    """Install ``settings`` (tests); ``None`` goes back to the environment. Returns the previous."""
    global _override
    previous, _override = _override, settings
    return previous
