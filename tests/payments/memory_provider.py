"""An external provider for tests: its state lives in memory, outside our database transaction,
like a real provider's. It honours idempotency keys and signs its webhooks like the sandbox."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from mercato.kit import clock
from mercato.payments.calculations import fingerprint
from mercato.payments.providers import signing
from mercato.payments.providers.base import (
    CreatePaymentRequest,
    IdempotencyMismatch,
    PaymentProvider,
    PayoutRequest,
    ProviderPayment,
    ProviderPayout,
    ProviderRefund,
    ProviderTransfer,
    RefundRequest,
    TransferRequest,
    WebhookEvent,
    WebhookRejected,
)
from mercato.payments.schemas import PaymentStatus

SECRET = "memory-provider-secret"


@dataclass
class MemoryProvider(PaymentProvider):
    name: str = "memory"
    payments: dict[str, ProviderPayment] = field(default_factory=dict)
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (params, payment id)
    calls: int = 0

    async def create_payment(self, request: CreatePaymentRequest) -> ProviderPayment:
        self.calls += 1
        params = fingerprint(
            [
                request.amount_minor,
                request.currency,
                request.method,
                request.return_url,
                dict(request.metadata),
            ]
        )
        if request.idempotency_key in self.keys:
            seen, payment_id = self.keys[request.idempotency_key]
            if seen != params:
                raise IdempotencyMismatch("memory provider: key reused")
            return self.payments[payment_id]
        payment_id = f"mem_{len(self.payments) + 1}"
        payment = ProviderPayment(
            payment_id, PaymentStatus.PROCESSING, request.amount_minor, request.currency
        )
        self.payments[payment_id] = payment
        self.keys[request.idempotency_key] = (params, payment_id)
        return payment

    async def retrieve_payment(self, provider_payment_id: str) -> ProviderPayment:
        return self.payments[provider_payment_id]

    async def capture_payment(
        self, provider_payment_id: str, amount_minor: int, idempotency_key: str
    ) -> ProviderPayment:
        return self.payments[provider_payment_id]

    async def refund_payment(self, request: RefundRequest) -> ProviderRefund:
        raise NotImplementedError

    async def create_transfer(self, request: TransferRequest) -> ProviderTransfer:
        raise NotImplementedError

    async def create_payout(self, request: PayoutRequest) -> ProviderPayout:
        raise NotImplementedError

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        header = {k.lower(): v for k, v in headers.items()}.get("memory-signature")
        try:
            signing.verify(header, raw_body, [SECRET], now=clock.now(), tolerance_seconds=300)
        except signing.SignatureError as error:
            raise WebhookRejected(str(error)) from None
        return self.event_from_payload(json.loads(raw_body))

    def event_from_payload(self, payload: dict[str, Any]) -> WebhookEvent:
        data = payload["data"]
        payment = ProviderPayment(
            data["id"], PaymentStatus(data["status"]), data["amount_minor"], data["currency"]
        )
        created = datetime.fromtimestamp(payload["created"], tz=UTC)
        return WebhookEvent(payload["id"], payload["type"], created, payload, payment)

    def settle(self, provider_payment_id: str, status: PaymentStatus) -> None:
        self.payments[provider_payment_id] = replace(
            self.payments[provider_payment_id], status=status
        )


def signed_event(
    event_id: str,
    payment_id: str,
    status: str,
    amount_minor: int,
    currency: str = "EUR",
    *,
    at: datetime | None = None,
    secret: str = SECRET,
    header: str = "Memory-Signature",
) -> tuple[bytes, dict[str, str]]:
    moment = at or clock.now()
    body = json.dumps(
        {
            "id": event_id,
            "type": f"payment.{status}",
            "created": int(moment.timestamp()),
            "data": {
                "object": "payment",
                "id": payment_id,
                "status": status,
                "amount_minor": amount_minor,
                "currency": currency,
            },
        }
    ).encode()
    return body, {header: signing.signature_header(secret, int(moment.timestamp()), body)}
