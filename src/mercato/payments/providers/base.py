"""The payment provider interface. Our domain speaks only this; the sandbox and Stripe
adapters translate it to their own world.

Every money-moving call carries an idempotency key chosen by us and persisted before the call,
so a retry (after a timeout, a crash, a redelivered job) is answered with the first result and
never moves money twice. The same key with different parameters is refused by the provider.
"""

from __future__ import annotations

import abc
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mercato.kit.errors import Conflict, MercatoError, ServiceUnavailable
from mercato.payments.schemas import PaymentMethod, PaymentStatus


def params_fingerprint(params: Any) -> str:
    """What providers compare when a key comes back: sha256 of the canonical JSON."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ProviderUnavailable(ServiceUnavailable):
    """The provider could not be reached or answered with a server error: retry later with the
    same idempotency key."""

    slug, title = "provider-unavailable", "The payment provider is unavailable"


class ProviderRejected(MercatoError):
    """The provider refused the request itself (invalid parameters, amount above what is left)."""

    status, slug, title = 422, "provider-rejected", "The payment provider refused the request"


class IdempotencyMismatch(Conflict):
    """The idempotency key was used before with different parameters."""

    slug, title = "idempotency-key-reused", "The idempotency key was used for another request"


class WebhookRejected(MercatoError):
    """The webhook is not authentic (bad or missing signature) or too old (a replay)."""

    status, slug, title = 400, "webhook-rejected", "The webhook was refused"


@dataclass(frozen=True)
class CardDetails:
    """All we ever learn of a card: the provider's token, the brand, the last four digits and
    the expiry."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class CreatePaymentRequest:
    amount_minor: int
    currency: str
    method: PaymentMethod
    idempotency_key: str
    return_url: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    # Stripe's separate charges and transfers: later transfers to sellers share this group.
    transfer_group: str | None = None


@dataclass(frozen=True)
class ProviderPayment:
    """The provider's view of a payment."""

    provider_payment_id: str
    status: PaymentStatus
    amount_minor: int
    currency: str
    redirect_url: str | None = None
    # For providers whose payment page is embedded by us (Stripe Elements) instead of hosted.
    client_secret: str | None = None
    card: CardDetails | None = None
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class RefundRequest:
    provider_payment_id: str
    amount_minor: int  # the full captured amount for a full refund
    currency: str
    idempotency_key: str
    reason: str = "requested_by_customer"
    # Stripe separate charges and transfers: pull the seller's share back with the refund.
    reverse_transfer: bool = False


@dataclass(frozen=True)
class ProviderRefund:
    provider_refund_id: str
    status: str  # pending | succeeded | failed
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class TransferRequest:
    """Move captured funds to a seller's account at the provider (escrow release)."""

    amount_minor: int
    currency: str
    destination: str
    idempotency_key: str
    transfer_group: str | None = None
    source_payment_id: str | None = None


@dataclass(frozen=True)
class ProviderTransfer:
    provider_transfer_id: str
    amount_minor: int
    currency: str
    destination: str


@dataclass(frozen=True)
class PayoutRequest:
    """Pay a seller's available balance out to its bank account."""

    amount_minor: int
    currency: str
    destination: str  # the seller's account at the provider
    idempotency_key: str
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderPayout:
    provider_payout_id: str
    status: str  # pending | paid | failed
    amount_minor: int
    currency: str
    failure_code: str | None = None
    failure_message: str | None = None
    # The transfer that moved the money to the seller's account first (Stripe Connect), to
    # take back if the payout fails.
    transfer_id: str | None = None


@dataclass(frozen=True)
class BalanceTransaction:
    """One movement of the platform's balance at the provider, as the provider reports it for
    reconciliation. ``amount_minor`` is signed from the platform's side: a capture adds to the
    balance, a refund, a transfer to a seller or a payout takes from it."""

    provider_id: str  # the provider's id of the operation (payment, refund, transfer, payout)
    kind: str  # capture | refund | transfer | payout | other
    amount_minor: int
    currency: str
    occurred_at: datetime
    # The idempotency key we sent with the operation, when the provider reports it.
    idempotency_key: str | None = None


@dataclass(frozen=True)
class WebhookEvent:
    """An authentic provider event, reduced to what our domain acts on."""

    event_id: str
    event_type: str
    created_at: datetime
    payload: dict[str, Any]
    # Set when the event reports a payment's state.
    payment: ProviderPayment | None = None
    # Set when the event reports a payout's outcome.
    payout: ProviderPayout | None = None


class PaymentProvider(abc.ABC):
    """One payment service provider."""

    name: str

    @abc.abstractmethod
    async def create_payment(self, request: CreatePaymentRequest) -> ProviderPayment:
        """Start a payment; ``requires_action`` comes with the URL to send the buyer to."""

    @abc.abstractmethod
    async def retrieve_payment(self, provider_payment_id: str) -> ProviderPayment:
        """The payment's current state (used when the buyer returns before the webhook)."""

    @abc.abstractmethod
    async def capture_payment(
        self, provider_payment_id: str, amount_minor: int, idempotency_key: str
    ) -> ProviderPayment:
        """Capture an authorised payment (all or part of it)."""

    @abc.abstractmethod
    async def refund_payment(self, request: RefundRequest) -> ProviderRefund:
        """Refund all or part of a captured payment."""

    @abc.abstractmethod
    async def create_transfer(self, request: TransferRequest) -> ProviderTransfer:
        """Move funds to a seller's account at the provider."""

    @abc.abstractmethod
    async def create_payout(self, request: PayoutRequest) -> ProviderPayout:
        """Pay funds out to a seller's bank account."""

    async def reverse_transfer(
        self, transfer_id: str, amount_minor: int, idempotency_key: str
    ) -> None:
        """Take back the transfer a failed payout made to the seller's account at the provider
        (:attr:`ProviderPayout.transfer_id`), so its money is the platform's again, as our
        ledger says. Providers that pay out without a transfer never set one."""
        raise NotImplementedError(f"{self.name} makes no transfers to take back")

    async def balance_transactions(
        self, start: datetime, end: datetime
    ) -> list[BalanceTransaction]:
        """Every movement of the platform's balance at the provider in ``[start, end)``, oldest
        first (for reconciliation). A provider that cannot report them says so."""
        raise NotImplementedError(f"The {self.name} provider does not report its balance.")

    @abc.abstractmethod
    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify the signature on the raw body (with the timestamp tolerance) and parse it;
        :class:`WebhookRejected` when it is not authentic or too old."""

    @abc.abstractmethod
    def event_from_payload(self, payload: dict[str, Any]) -> WebhookEvent:
        """Parse an event already verified and stored in our inbox (no signature check)."""
