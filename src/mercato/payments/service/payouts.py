"""Payouts through the provider, for the payouts domain: the provider call itself and the
ledger reads a payout sweep and a seller statement need.

The payouts domain persists the payout, its idempotency key and the journal that moves the money
to ``in transit`` before calling :func:`send_payout`; the provider answers a repeated key with
its first result, so a retry after a crash pays once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import ValidationFailed
from mercato.payments import repository
from mercato.payments.providers import provider_for
from mercato.payments.providers.base import PayoutRequest, ProviderPayout
from mercato.payments.settings import payment_settings

_SELLER_PREFIX = "seller:"
_AVAILABLE_SUFFIX = ":available"


@dataclass(frozen=True)
class AvailableBalance:
    """A seller's positive available balance in one currency."""

    seller_id: uuid.UUID
    currency: str
    amount_minor: int


# Providers that pay a seller out from the seller's own account with them (Stripe Connect: a
# transfer to the connected account, then a payout from it), not straight to an IBAN.
CONNECTED_ACCOUNT_PROVIDERS = frozenset({"stripe"})


def pays_out_to_connected_accounts(provider_name: str) -> bool:
    return provider_name in CONNECTED_ACCOUNT_PROVIDERS


def payout_provider_name() -> str:
    """The provider new payouts go through (the one new payments use)."""
    return payment_settings().provider


async def send_payout(
    session: AsyncSession,
    provider_name: str,
    *,
    amount_minor: int,
    currency: str,
    destination: str,
    idempotency_key: str,
    metadata: Mapping[str, str] | None = None,
) -> ProviderPayout:
    """Ask the provider to pay ``amount_minor`` out to ``destination`` (the seller's bank
    account), exactly once per ``idempotency_key``. The answer's status is ``paid``,
    ``failed`` or ``pending`` (the provider will report the outcome later)."""
    if amount_minor <= 0:
        raise ValidationFailed.on("amount_minor", "A payout moves a positive amount.")
    provider = provider_for(provider_name, session)
    request = PayoutRequest(
        amount_minor=amount_minor,
        currency=currency,
        destination=destination,
        idempotency_key=idempotency_key,
        metadata=dict(metadata or {}),
    )
    return await provider.create_payout(request)


async def reverse_payout_transfer(
    session: AsyncSession,
    provider_name: str,
    *,
    transfer_id: str,
    amount_minor: int,
    idempotency_key: str,
) -> None:
    """Take back the transfer a failed payout made to the seller's connected account, once per
    ``idempotency_key``, so the provider's balances agree with our ledger again."""
    provider = provider_for(provider_name, session)
    await provider.reverse_transfer(transfer_id, amount_minor, idempotency_key)


async def available_seller_balances(session: AsyncSession) -> list[AvailableBalance]:
    """Every seller's positive available balance, per currency (the payout sweep's candidates),
    from the cached balances the ledger keeps in step with its postings."""
    found = []
    pattern = f"{_SELLER_PREFIX}%{_AVAILABLE_SUFFIX}"
    for account, currency, amount in await repository.positive_balances_like(session, pattern):
        seller = account.removeprefix(_SELLER_PREFIX).removesuffix(_AVAILABLE_SUFFIX)
        try:
            seller_id = uuid.UUID(seller)
        except ValueError:
            continue  # not a seller's own account code
        found.append(AvailableBalance(seller_id, currency, int(amount)))
    return found
