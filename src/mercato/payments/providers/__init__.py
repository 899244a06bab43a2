"""Payment providers behind one interface, and the registry that builds them per unit of work.

``sandbox`` is always available. ``stripe`` is available once ``MERCATO_PAYMENTS_STRIPE_SECRET_KEY``
is set (or a test registered its own factory).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import NotFound
from mercato.kit.runtime import current_runtime
from mercato.payments.providers.base import PaymentProvider
from mercato.payments.providers.sandbox import SandboxProvider
from mercato.payments.settings import payment_settings

ProviderFactory = Callable[[AsyncSession], PaymentProvider]
_factories: dict[str, ProviderFactory] = {}


def sandbox_provider(session: AsyncSession) -> SandboxProvider:
    settings = payment_settings()
    return SandboxProvider(
        session,
        base_url=current_runtime().settings.base_url,
        webhook_secret=settings.resolved_sandbox_secret(),
        tolerance_seconds=settings.webhook_tolerance_seconds,
        settle_after=timedelta(seconds=settings.sandbox_settle_after_seconds),
    )


def _stripe_from_settings(session: AsyncSession) -> PaymentProvider:
    from mercato.payments.providers.stripe import StripeProvider

    settings = payment_settings()
    if not settings.stripe_secret_key:
        raise NotFound("The Stripe provider is not configured.")
    return StripeProvider.from_settings(settings)


def register_provider(name: str, factory: ProviderFactory | None) -> ProviderFactory | None:
    """Install (or with ``None`` remove) the factory of provider ``name``; returns the previous
    one. Tests use it to put Stripe on a recorded HTTP client."""
    previous = _factories.get(name)
    if factory is None:
        _factories.pop(name, None)
    else:
        _factories[name] = factory
    return previous


def provider_for(name: str, session: AsyncSession) -> PaymentProvider:
    """The provider ``name`` working in ``session``'s unit of work; 404 when unknown."""
    if name in _factories:
        return _factories[name](session)
    if name == "sandbox":
        return sandbox_provider(session)
    if name == "stripe":
        return _stripe_from_settings(session)
    raise NotFound(f"No payment provider named {name!r}.")


def known_provider_names() -> list[str]:
    return sorted({"sandbox", "stripe", *_factories})


__all__ = [
    "PaymentProvider",
    "ProviderFactory",
    "SandboxProvider",
    "known_provider_names",
    "provider_for",
    "register_provider",
    "sandbox_provider",
]
