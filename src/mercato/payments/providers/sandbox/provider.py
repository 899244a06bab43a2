"""The built-in sandbox provider: a stateful, in-database stand-in for a real payment service.

It keeps its own state in ``payments_sandbox_*`` tables (so it survives restarts), hosts its own
card, challenge and e-wallet pages under ``/sandbox/``, honours idempotency keys the way real
providers do (same key + same parameters → the first answer; different parameters → refused),
and reports every change with a signed webhook delivered to our webhook handler.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.errors import Conflict, NotFound
from mercato.kit.ids import new_id
from mercato.payments import repository
from mercato.payments.models import (
    SandboxCardToken,
    SandboxEvent,
    SandboxOperation,
    SandboxPayment,
)
from mercato.payments.providers import signing
from mercato.payments.providers.base import (
    BalanceTransaction,
    CardDetails,
    CreatePaymentRequest,
    IdempotencyMismatch,
    PaymentProvider,
    PayoutRequest,
    ProviderPayment,
    ProviderPayout,
    ProviderRefund,
    ProviderRejected,
    ProviderTransfer,
    RefundRequest,
    TransferRequest,
    WebhookEvent,
    WebhookRejected,
    params_fingerprint,
)
from mercato.payments.providers.sandbox.cards import CardBehaviour, CheckedCard
from mercato.payments.schemas import PaymentMethod, PaymentStatus

SIGNATURE_HEADER = "sandbox-signature"
MAX_DELIVERY_ATTEMPTS = 8
# How long a delivery run holds the events it claimed: should it die, another run sends them
# after this. Without the claim, every payment's delivery job sent every pending webhook, so
# concurrent checkouts delivered each other's events over and over.
DELIVERY_LEASE = timedelta(minutes=1)
# Webhooks one delivery run claims at most.
DELIVERY_BATCH = 100

# Payouts to this test IBAN fail ("account closed"), the way test card numbers script a card's
# behaviour: tests and the demo use it to show a failed payout whose money returns to the
# seller's balance. Every other destination is paid at once.
FAILING_PAYOUT_IBAN = "DE62370400440532013001"
PAYOUT_FAILURES = {"account_closed": "The bank account is closed (sandbox test IBAN)."}

FAILURES = {
    "card_declined": "The card was declined by the issuer (sandbox test card).",
    "authentication_failed": "The cardholder did not confirm the payment.",
    "processing_error": "The payment failed while it was processing (sandbox test card).",
    "canceled_by_customer": "The buyer canceled on the payment page.",
}


@dataclass(frozen=True)
class SandboxDelivery:
    """One signed webhook ready to hand to the receiver."""

    event_id: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class HostedPayment:
    """What the sandbox's hosted pages show."""

    id: str
    method: PaymentMethod
    status: PaymentStatus
    amount_minor: int
    currency: str
    return_url: str
    needs_challenge: bool


def _new_id(prefix: str) -> str:
    # Hosted page URLs carry the payment id: it must not be guessable.
    return f"{prefix}_{secrets.token_hex(12)}"


def with_query(url: str, **params: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def __init__(
        self,
        session: AsyncSession,
        *,
        base_url: str,
        webhook_secret: str,
        tolerance_seconds: int = 300,
        settle_after: timedelta = timedelta(seconds=5),
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.webhook_secret = webhook_secret
        self.tolerance_seconds = tolerance_seconds
        self.settle_after = settle_after

    # --- the provider interface ----------------------------------------------------------

    async def create_payment(self, request: CreatePaymentRequest) -> ProviderPayment:
        params = params_fingerprint(
            {
                "amount_minor": request.amount_minor,
                "currency": request.currency,
                "method": request.method.value,
                "return_url": request.return_url,
                "metadata": dict(request.metadata),
            }
        )
        existing = await self._by_key(request.idempotency_key)
        if existing is not None:
            if existing.params_fingerprint != params:
                raise IdempotencyMismatch("The sandbox saw this key with other parameters.")
            return await self._view(existing)
        payment = SandboxPayment(
            id=_new_id("sbx_pay"),
            idempotency_key=request.idempotency_key,
            params_fingerprint=params,
            method=request.method.value,
            status=PaymentStatus.CREATED.value,
            amount_minor=request.amount_minor,
            currency=request.currency,
            captured_minor=0,
            refunded_minor=0,
            return_url=request.return_url,
            metadata_=dict(request.metadata),
        )
        self.session.add(payment)
        if request.method is PaymentMethod.BANK_TRANSFER:
            # Instant bank transfer: confirmed asynchronously, by webhook, once settled.
            payment.settle_at = clock.now() + self.settle_after
            payment.settle_outcome = CardBehaviour.SUCCEED.value
            await self._set_status(payment, PaymentStatus.PROCESSING)
        else:
            await self._set_status(payment, PaymentStatus.REQUIRES_ACTION)
        return await self._view(payment)

    async def retrieve_payment(self, provider_payment_id: str) -> ProviderPayment:
        return await self._view(await self._payment(provider_payment_id))

    async def capture_payment(
        self, provider_payment_id: str, amount_minor: int, idempotency_key: str
    ) -> ProviderPayment:
        # Sandbox payments capture automatically when they succeed; capturing again is a no-op
        # that must still respect the idempotency rule.
        payment = await self._payment(provider_payment_id)
        if payment.status != PaymentStatus.SUCCEEDED.value:
            raise ProviderRejected("Only a succeeded payment can be captured.")
        if amount_minor != payment.captured_minor:
            raise ProviderRejected("Sandbox payments are captured in full when they succeed.")
        await self._operation(
            "capture", idempotency_key, payment.id, amount_minor, payment.currency, None
        )
        return await self._view(payment)

    async def refund_payment(self, request: RefundRequest) -> ProviderRefund:
        # Locked: two refunds at once must not both fit in what is left.
        payment = await self._payment(request.provider_payment_id, for_update=True)
        params = {"payment": payment.id, "amount_minor": request.amount_minor}
        existing = await self._existing_operation(request.idempotency_key, "refund", params)
        if existing is not None:
            return ProviderRefund(
                existing.id, existing.status, existing.amount_minor, existing.currency
            )
        if payment.status != PaymentStatus.SUCCEEDED.value:
            raise ProviderRejected("Only a succeeded payment can be refunded.")
        if request.currency != payment.currency:
            raise ProviderRejected("The refund's currency is not the payment's.")
        remaining = payment.captured_minor - payment.refunded_minor
        if not 0 < request.amount_minor <= remaining:
            raise ProviderRejected(f"At most {remaining} can be refunded.")
        operation = await self._operation(
            "refund",
            request.idempotency_key,
            payment.id,
            request.amount_minor,
            payment.currency,
            None,
        )
        payment.refunded_minor += request.amount_minor
        self._emit(
            "refund.succeeded",
            {
                "object": "refund",
                "id": operation.id,
                "payment": payment.id,
                "amount_minor": request.amount_minor,
                "currency": payment.currency,
            },
        )
        return ProviderRefund(
            operation.id, operation.status, operation.amount_minor, operation.currency
        )

    async def create_transfer(self, request: TransferRequest) -> ProviderTransfer:
        params = {
            "amount_minor": request.amount_minor,
            "currency": request.currency,
            "destination": request.destination,
            "transfer_group": request.transfer_group,
        }
        operation = await self._existing_operation(request.idempotency_key, "transfer", params)
        if operation is None:
            if request.amount_minor <= 0:
                raise ProviderRejected("A transfer moves a positive amount.")
            operation = await self._operation(
                "transfer",
                request.idempotency_key,
                request.source_payment_id,
                request.amount_minor,
                request.currency,
                request.destination,
                params,
            )
        return ProviderTransfer(
            operation.id, operation.amount_minor, operation.currency, request.destination
        )

    async def create_payout(self, request: PayoutRequest) -> ProviderPayout:
        params = {
            "amount_minor": request.amount_minor,
            "currency": request.currency,
            "destination": request.destination,
        }
        operation = await self._existing_operation(request.idempotency_key, "payout", params)
        if operation is None:
            if request.amount_minor <= 0:
                raise ProviderRejected("A payout moves a positive amount.")
            operation = await self._operation(
                "payout",
                request.idempotency_key,
                None,
                request.amount_minor,
                request.currency,
                request.destination,
                params,
            )
            if request.destination == FAILING_PAYOUT_IBAN:
                operation.status = "failed"
                await self.session.flush()
            self._emit(
                f"payout.{operation.status}",
                {
                    "object": "payout",
                    "id": operation.id,
                    "amount_minor": operation.amount_minor,
                    "currency": operation.currency,
                    "destination": request.destination,
                },
            )
        failed = operation.status == "failed"
        return ProviderPayout(
            operation.id,
            operation.status,
            operation.amount_minor,
            operation.currency,
            failure_code="account_closed" if failed else None,
            failure_message=PAYOUT_FAILURES["account_closed"] if failed else None,
        )

    async def balance_transactions(
        self, start: datetime, end: datetime
    ) -> list[BalanceTransaction]:
        """Read from the sandbox's own records: a payment is captured in full when it succeeds
        (its ``payment.succeeded`` event), and every refund, transfer and payout it performed is
        an operation. Failed operations moved no money."""
        found = []
        for event, payment in await repository.sandbox_captures_between(self.session, start, end):
            data = event.payload.get("data", {})
            found.append(
                BalanceTransaction(
                    provider_id=str(data.get("id")),
                    kind="capture",
                    amount_minor=int(data.get("amount_minor", 0)),
                    currency=str(data.get("currency")),
                    occurred_at=event.created_at,
                    idempotency_key=payment.idempotency_key if payment is not None else None,
                )
            )
        outgoing = await repository.sandbox_operations_between(
            self.session, ("refund", "transfer", "payout"), start, end
        )
        found.extend(
            BalanceTransaction(
                provider_id=operation.id,
                kind=operation.kind,
                amount_minor=-operation.amount_minor,
                currency=operation.currency,
                occurred_at=operation.created_at,
                idempotency_key=operation.idempotency_key,
            )
            for operation in outgoing
            if operation.status != "failed"
        )
        return sorted(found, key=lambda transaction: transaction.occurred_at)

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        header = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER)
        try:
            signing.verify(
                header,
                raw_body,
                [self.webhook_secret],
                now=clock.now(),
                tolerance_seconds=self.tolerance_seconds,
            )
        except signing.SignatureError as error:
            raise WebhookRejected(f"Sandbox webhook refused: {error}.") from None
        try:
            data = json.loads(raw_body)
        except ValueError as error:
            raise WebhookRejected("The sandbox webhook body is not JSON.") from error
        if not isinstance(data, dict):
            raise WebhookRejected("The sandbox webhook body is not an event.")
        return self.event_from_payload(data)

    def event_from_payload(self, payload: dict[str, Any]) -> WebhookEvent:
        try:
            event_id, event_type = str(payload["id"]), str(payload["type"])
            created = datetime.fromtimestamp(int(payload["created"]), tz=UTC)
            obj = payload["data"]
            is_payment = obj.get("object") == "payment"
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise WebhookRejected("The sandbox webhook body is not a valid event.") from error
        payment = _payment_from_payload(obj) if is_payment else None
        payout = _payout_from_payload(event_type, obj) if obj.get("object") == "payout" else None
        return WebhookEvent(event_id, event_type, created, payload, payment, payout)

    # --- the hosted pages ------------------------------------------------------------------

    async def hosted(self, payment_id: str) -> HostedPayment:
        payment = await self._payment(payment_id)
        token = await self._token(payment.card_token)
        return HostedPayment(
            id=payment.id,
            method=PaymentMethod(payment.method),
            status=PaymentStatus(payment.status),
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            return_url=payment.return_url,
            needs_challenge=token is not None and token.behaviour == CardBehaviour.CHALLENGE,
        )

    async def pay_by_card(self, payment_id: str, card: CheckedCard) -> str:
        """Tokenise the checked card and confirm the payment with it; the URL to go to next.

        Only the token, brand, last four digits and expiry leave this function: the number and
        CVC were never passed in."""
        payment = await self._awaiting(payment_id, PaymentMethod.CARD)
        token = SandboxCardToken(
            id=_new_id("tok"),
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            behaviour=card.behaviour.value,
        )
        self.session.add(token)
        payment.card_token = token.id
        await self.session.flush()
        if card.behaviour is CardBehaviour.CHALLENGE:
            return f"{self.base_url}/sandbox/pay/{payment.id}/challenge"
        if card.behaviour is CardBehaviour.DECLINE:
            await self._fail(payment, "card_declined")
        elif card.behaviour is CardBehaviour.FAIL_LATER:
            payment.settle_at = clock.now() + self.settle_after
            payment.settle_outcome = "fail"
            await self._set_status(payment, PaymentStatus.PROCESSING)
        else:
            await self._succeed(payment)
        return self.return_url(payment)

    async def decide_challenge(self, payment_id: str, *, approve: bool) -> str:
        payment = await self._awaiting(payment_id, PaymentMethod.CARD)
        token = await self._token(payment.card_token)
        if token is None or token.behaviour != CardBehaviour.CHALLENGE:
            raise Conflict("This payment has no challenge to answer.")
        if approve:
            await self._succeed(payment)
        else:
            await self._fail(payment, "authentication_failed")
        return self.return_url(payment)

    async def decide_wallet(self, payment_id: str) -> str:
        """The buyer approved the payment in the sandbox wallet."""
        payment = await self._awaiting(payment_id, PaymentMethod.EWALLET)
        await self._succeed(payment)
        return self.return_url(payment)

    async def cancel_hosted(self, payment_id: str) -> str:
        """The buyer gave up on the hosted page (card form or wallet)."""
        payment = await self._payment(payment_id, for_update=True)
        if payment.status != PaymentStatus.REQUIRES_ACTION.value:
            raise Conflict("This payment is no longer waiting for the buyer.")
        await self._set_status(payment, PaymentStatus.CANCELED, "canceled_by_customer")
        return self.return_url(payment)

    def return_url(self, payment: SandboxPayment) -> str:
        return with_query(
            payment.return_url, sandbox_payment=payment.id, redirect_status=payment.status
        )

    # --- settlement and webhook delivery -----------------------------------------------------

    async def settle(self, payment_id: str) -> bool:
        """Settle a processing payment now (bank transfer confirmed, or the "fails later" card
        failing). False when there is nothing to settle (already settled: jobs may repeat)."""
        payment = await self._payment(payment_id, for_update=True)
        if payment.status != PaymentStatus.PROCESSING.value or payment.settle_outcome is None:
            return False
        outcome, payment.settle_outcome, payment.settle_at = payment.settle_outcome, None, None
        if outcome == "fail":
            await self._fail(payment, "processing_error")
        else:
            await self._succeed(payment)
        return True

    async def due_for_settlement(self, limit: int = 100) -> list[str]:
        return await repository.sandbox_payments_due(self.session, clock.now(), limit)

    async def pending_deliveries(self, limit: int = DELIVERY_BATCH) -> list[SandboxDelivery]:
        """Claim undelivered webhooks for one delivery run (see ``DELIVERY_LEASE``)."""
        now = clock.now()
        deliveries = []
        claimed = await repository.claim_sandbox_events(
            self.session, now, now + DELIVERY_LEASE, limit
        )
        for event in claimed:
            body = json.dumps(event.payload, separators=(",", ":")).encode()
            timestamp = int(clock.now().timestamp())
            header = signing.signature_header(self.webhook_secret, timestamp, body)
            deliveries.append(
                SandboxDelivery(
                    event.id,
                    body,
                    {"Content-Type": "application/json", "Sandbox-Signature": header},
                )
            )
        return deliveries

    async def record_delivery(self, event_id: str, status_code: int) -> None:
        """Count the attempt; a failed one is retried by the next run until the last."""
        recorded = await repository.record_sandbox_attempt(
            self.session,
            event_id,
            status_code,
            delivered=200 <= status_code < 300,
            max_attempts=MAX_DELIVERY_ATTEMPTS,
            now=clock.now(),
        )
        if not recorded:
            raise NotFound("No such sandbox event.")

    # --- internals -----------------------------------------------------------------------------

    async def _succeed(self, payment: SandboxPayment) -> None:
        payment.captured_minor = payment.amount_minor
        await self._set_status(payment, PaymentStatus.SUCCEEDED)

    async def _fail(self, payment: SandboxPayment, code: str) -> None:
        await self._set_status(payment, PaymentStatus.FAILED, code)

    async def _set_status(
        self, payment: SandboxPayment, status: PaymentStatus, failure_code: str | None = None
    ) -> None:
        payment.status = status.value
        if failure_code is not None:
            payment.failure_code = failure_code
            payment.failure_message = FAILURES[failure_code]
        await self.session.flush()
        view = _payload_of(payment, await self._token(payment.card_token))
        self._emit(f"payment.{status.value}", view)

    def _emit(self, event_type: str, data: dict[str, Any]) -> None:
        event_id = f"evt_{new_id().hex}"
        payload = {
            "id": event_id,
            "type": event_type,
            "created": int(clock.now().timestamp()),
            "data": data,
        }
        self.session.add(SandboxEvent(id=event_id, type=event_type, payload=payload, attempts=0))

    async def _awaiting(self, payment_id: str, method: PaymentMethod) -> SandboxPayment:
        payment = await self._payment(payment_id, for_update=True)
        if payment.method != method.value:
            raise NotFound("No such sandbox payment.")
        if payment.status != PaymentStatus.REQUIRES_ACTION.value:
            raise Conflict("This payment is no longer waiting for the buyer.")
        return payment

    async def _payment(self, payment_id: str, *, for_update: bool = False) -> SandboxPayment:
        payment = await repository.get_sandbox_payment(
            self.session, payment_id, for_update=for_update
        )
        if payment is None:
            raise NotFound("No such sandbox payment.")
        return payment

    async def _by_key(self, key: str) -> SandboxPayment | None:
        return await repository.get_sandbox_payment_by_key(self.session, key)

    async def _token(self, token_id: str | None) -> SandboxCardToken | None:
        if token_id is None:
            return None
        return await repository.get_sandbox_card_token(self.session, token_id)

    async def _view(self, payment: SandboxPayment) -> ProviderPayment:
        provider_payment = _payment_from_payload(
            _payload_of(payment, await self._token(payment.card_token))
        )
        if payment.status == PaymentStatus.REQUIRES_ACTION.value:
            redirect = f"{self.base_url}/sandbox/pay/{payment.id}"
            return replace(provider_payment, redirect_url=redirect)
        return provider_payment

    async def _existing_operation(
        self, key: str, kind: str, params: dict[str, Any]
    ) -> SandboxOperation | None:
        operation = await repository.get_sandbox_operation(self.session, key)
        if operation is None:
            return None
        if operation.kind != kind or operation.params_fingerprint != params_fingerprint(params):
            raise IdempotencyMismatch("The sandbox saw this key with other parameters.")
        return operation

    async def _operation(
        self,
        kind: str,
        key: str,
        payment_id: str | None,
        amount_minor: int,
        currency: str,
        destination: str | None,
        params: dict[str, Any] | None = None,
    ) -> SandboxOperation:
        if params is None:
            params = {"payment": payment_id, "amount_minor": amount_minor}
        existing = await self._existing_operation(key, kind, params)
        if existing is not None:
            return existing
        operation = SandboxOperation(
            id=_new_id(f"sbx_{kind[:2]}"),
            kind=kind,
            idempotency_key=key,
            params_fingerprint=params_fingerprint(params),
            payment_id=payment_id,
            amount_minor=amount_minor,
            currency=currency,
            destination=destination,
            status="succeeded" if kind != "payout" else "paid",
        )
        self.session.add(operation)
        await self.session.flush()
        return operation


def _payload_of(payment: SandboxPayment, token: SandboxCardToken | None) -> dict[str, Any]:
    card = None
    if token is not None:
        card = {
            "token": token.id,
            "brand": token.brand,
            "last4": token.last4,
            "exp_month": token.exp_month,
            "exp_year": token.exp_year,
        }
    return {
        "object": "payment",
        "id": payment.id,
        "status": payment.status,
        "method": payment.method,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "card": card,
        "failure_code": payment.failure_code,
        "failure_message": payment.failure_message,
        "metadata": dict(payment.metadata_),
    }


def _payment_from_payload(data: Mapping[str, Any]) -> ProviderPayment:
    try:
        card_data = data.get("card")
        card = (
            CardDetails(
                token=str(card_data["token"]),
                brand=str(card_data["brand"]),
                last4=str(card_data["last4"]),
                exp_month=int(card_data["exp_month"]),
                exp_year=int(card_data["exp_year"]),
            )
            if card_data
            else None
        )
        return ProviderPayment(
            provider_payment_id=str(data["id"]),
            status=PaymentStatus(data["status"]),
            amount_minor=int(data["amount_minor"]),
            currency=str(data["currency"]),
            card=card,
            failure_code=data.get("failure_code"),
            failure_message=data.get("failure_message"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise WebhookRejected("The sandbox payment object is not valid.") from error


def _payout_from_payload(event_type: str, obj: dict[str, Any]) -> ProviderPayout:
    """A ``payout.paid`` / ``payout.failed`` event's payout (the status is in the type)."""
    status = event_type.removeprefix("payout.")
    try:
        return ProviderPayout(
            str(obj["id"]),
            status if status in ("paid", "failed") else "pending",
            int(obj["amount_minor"]),
            str(obj["currency"]),
            failure_code="account_closed" if status == "failed" else None,
            failure_message=PAYOUT_FAILURES["account_closed"] if status == "failed" else None,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise WebhookRejected("The sandbox payout event is not valid.") from error
