"""The Stripe adapter, on the official ``stripe`` library.

Separate charges and transfers: a buyer's payment is a PaymentIntent on the platform carrying a
``transfer_group`` (the purpose reference, e.g. the order group), and sellers are paid later by
Transfers in that group (escrow release) and Payouts on their connected accounts. Every
money-moving call carries our idempotency key. Webhooks are verified with
``stripe.Webhook.construct_event`` on the raw body (several signing secrets may be active while
one is rotated).

Card entry happens in Stripe's own fields (Elements, with the PaymentIntent's ``client_secret``),
so no card number reaches us; a PaymentIntent waiting for its payment method is reported as
``requires_action`` with that client secret and no redirect URL.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import stripe

from mercato.kit import clock
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
    ProviderUnavailable,
    RefundRequest,
    TransferRequest,
    WebhookEvent,
    WebhookRejected,
)
from mercato.payments.schemas import PaymentMethod, PaymentStatus
from mercato.payments.settings import PaymentSettings

SIGNATURE_HEADER = "stripe-signature"

# PaymentIntent statuses in our vocabulary. ``requires_capture`` is an authorised payment
# waiting for capture: money has not moved yet.
INTENT_STATUSES = {
    "requires_payment_method": PaymentStatus.REQUIRES_ACTION,
    "requires_confirmation": PaymentStatus.REQUIRES_ACTION,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "requires_capture": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELED,
}
METHOD_TYPES = {PaymentMethod.CARD: ["card"], PaymentMethod.EWALLET: ["link"]}
PAYOUT_STATUSES = {"paid": "paid", "failed": "failed", "canceled": "failed"}

T = TypeVar("T")


class StripeProvider(PaymentProvider):
    name = "stripe"

    def __init__(
        self,
        client: stripe.StripeClient,
        *,
        webhook_secrets: list[str],
        tolerance_seconds: int = 300,
    ) -> None:
        self.client = client
        self.webhook_secrets = webhook_secrets
        self.tolerance_seconds = tolerance_seconds

    @classmethod
    def from_settings(cls, settings: PaymentSettings) -> StripeProvider:
        client = stripe.StripeClient(
            settings.stripe_secret_key,
            stripe_version=settings.stripe_api_version or None,
            http_client=stripe.HTTPXClient(),
            max_network_retries=2,
        )
        return cls(
            client,
            webhook_secrets=settings.stripe_webhook_secret_list,
            tolerance_seconds=settings.webhook_tolerance_seconds,
        )

    async def create_payment(self, request: CreatePaymentRequest) -> ProviderPayment:
        types = METHOD_TYPES.get(request.method)
        if types is None:
            raise ProviderRejected(
                f"The Stripe adapter does not offer {request.method.value} payments."
            )
        params: dict[str, Any] = {
            "amount": request.amount_minor,
            "currency": request.currency.lower(),
            "payment_method_types": types,
            "metadata": dict(request.metadata),
        }
        if request.transfer_group:
            params["transfer_group"] = request.transfer_group
        intent = await _call(
            lambda: self.client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": request.idempotency_key},
            )
        )
        return intent_to_payment(intent.to_dict())

    async def retrieve_payment(self, provider_payment_id: str) -> ProviderPayment:
        intent = await _call(
            lambda: self.client.v1.payment_intents.retrieve_async(
                provider_payment_id, {"expand": ["latest_charge"]}
            )
        )
        return intent_to_payment(intent.to_dict())

    async def capture_payment(
        self, provider_payment_id: str, amount_minor: int, idempotency_key: str
    ) -> ProviderPayment:
        intent = await _call(
            lambda: self.client.v1.payment_intents.capture_async(
                provider_payment_id,
                {"amount_to_capture": amount_minor},
                {"idempotency_key": idempotency_key},
            )
        )
        return intent_to_payment(intent.to_dict())

    async def refund_payment(self, request: RefundRequest) -> ProviderRefund:
        params: dict[str, Any] = {
            "payment_intent": request.provider_payment_id,
            "amount": request.amount_minor,
            "reason": request.reason,
        }
        if request.reverse_transfer:
            params["reverse_transfer"] = True
        refund = await _call(
            lambda: self.client.v1.refunds.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": request.idempotency_key},
            )
        )
        return ProviderRefund(
            provider_refund_id=refund["id"],
            status=str(refund["status"]),
            amount_minor=int(refund["amount"]),
            currency=str(refund["currency"]).upper(),
        )

    async def create_transfer(self, request: TransferRequest) -> ProviderTransfer:
        params: dict[str, Any] = {
            "amount": request.amount_minor,
            "currency": request.currency.lower(),
            "destination": request.destination,
        }
        if request.transfer_group:
            params["transfer_group"] = request.transfer_group
        if request.source_payment_id:
            # Tie the transfer to the charge, so it can be made before the funds are available.
            intent = await _call(
                lambda: self.client.v1.payment_intents.retrieve_async(
                    request.source_payment_id or ""
                )
            )
            charge = intent.to_dict().get("latest_charge")
            if charge:
                params["source_transaction"] = charge if isinstance(charge, str) else charge["id"]
        transfer = await _call(
            lambda: self.client.v1.transfers.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": request.idempotency_key},
            )
        )
        return ProviderTransfer(
            provider_transfer_id=transfer["id"],
            amount_minor=int(transfer["amount"]),
            currency=str(transfer["currency"]).upper(),
            destination=str(transfer["destination"]),
        )

    async def create_payout(self, request: PayoutRequest) -> ProviderPayout:
        """With separate charges and transfers the money is on the platform's balance: move it
        to the seller's connected account (``destination``), then pay it out from there to the
        seller's bank. A payout Stripe refuses outright takes its transfer back at once."""
        transfer = await _call(
            lambda: self.client.v1.transfers.create_async(
                {
                    "amount": request.amount_minor,
                    "currency": request.currency.lower(),
                    "destination": request.destination,
                    "metadata": dict(request.metadata),
                },
                {"idempotency_key": f"{request.idempotency_key}:transfer"},
            )
        )
        params: dict[str, Any] = {
            "amount": request.amount_minor,
            "currency": request.currency.lower(),
            "metadata": dict(request.metadata),
        }
        try:
            payout = await _call(
                lambda: self.client.v1.payouts.create_async(
                    params,  # type: ignore[arg-type]
                    {
                        "idempotency_key": request.idempotency_key,
                        "stripe_account": request.destination,
                    },
                )
            )
        except ProviderRejected:
            await self.reverse_transfer(
                transfer["id"], request.amount_minor, request.idempotency_key
            )
            raise
        return payout_of(payout.to_dict(), transfer_id=str(transfer["id"]))

    async def reverse_transfer(
        self, transfer_id: str, amount_minor: int, idempotency_key: str
    ) -> None:
        await _call(
            lambda: self.client.v1.transfers.reversals.create_async(
                transfer_id,
                {"amount": amount_minor},
                {"idempotency_key": f"{idempotency_key}:reversal"},
            )
        )

    async def balance_transactions(
        self, start: datetime, end: datetime
    ) -> list[BalanceTransaction]:
        """The platform account's balance history (``BalanceTransaction.list`` with a
        ``created`` range), every page of it. A charge is reported under its PaymentIntent's
        id, the id our payments keep."""
        params: dict[str, Any] = {
            "created": {"gte": int(start.timestamp()), "lt": int(end.timestamp())},
            "limit": 100,
            "expand": ["data.source"],
        }
        found: list[BalanceTransaction] = []
        while True:
            data = await self._balance_page(params)
            found.extend(balance_transaction_of(item) for item in data.get("data", []))
            if not data.get("has_more") or not data.get("data"):
                break
            params = {**params, "starting_after": data["data"][-1]["id"]}
        return sorted(found, key=lambda transaction: transaction.occurred_at)

    async def _balance_page(self, params: dict[str, Any]) -> dict[str, Any]:
        page = await _call(
            lambda: self.client.v1.balance_transactions.list_async(params)  # type: ignore[arg-type]
        )
        return page.to_dict()

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        header = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER)
        if not header or not self.webhook_secrets:
            raise WebhookRejected("Stripe webhook refused: no signature, or no secret configured.")
        for secret in self.webhook_secrets:
            try:
                stripe.Webhook.construct_event(
                    raw_body, header, secret, tolerance=self.tolerance_seconds
                )
                break
            except stripe.SignatureVerificationError:
                continue
            except ValueError as error:
                raise WebhookRejected("The Stripe webhook body is not JSON.") from error
        else:
            raise WebhookRejected("Stripe webhook refused: the signature does not verify.")
        _refuse_future(header, self.tolerance_seconds)
        return self.event_from_payload(json.loads(raw_body))

    def event_from_payload(self, payload: dict[str, Any]) -> WebhookEvent:
        try:
            event_id, event_type = str(payload["id"]), str(payload["type"])
            created = datetime.fromtimestamp(int(payload["created"]), tz=UTC)
            obj = payload["data"]["object"]
            is_intent = obj.get("object") == "payment_intent"
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise WebhookRejected("The Stripe webhook body is not a valid event.") from error
        payment = intent_to_payment(obj) if is_intent else None
        payout = payout_of(obj) if obj.get("object") == "payout" else None
        return WebhookEvent(event_id, event_type, created, payload, payment, payout)


BALANCE_KINDS = {
    "charge": "capture",
    "payment": "capture",
    "refund": "refund",
    "payment_refund": "refund",
    "transfer": "transfer",
    "payout": "payout",
}


def payout_of(payout: Mapping[str, Any], *, transfer_id: str | None = None) -> ProviderPayout:
    """A Payout (API object or webhook JSON) in our vocabulary: paid, failed, or pending
    while Stripe has it in transit."""
    try:
        return ProviderPayout(
            provider_payout_id=str(payout["id"]),
            status=PAYOUT_STATUSES.get(str(payout["status"]), "pending"),
            amount_minor=int(payout["amount"]),
            currency=str(payout["currency"]).upper(),
            failure_code=payout.get("failure_code"),
            failure_message=payout.get("failure_message"),
            transfer_id=transfer_id,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise WebhookRejected("The Stripe payout is not valid.") from error


def balance_transaction_of(item: Mapping[str, Any]) -> BalanceTransaction:
    """A Stripe balance transaction in our vocabulary (amounts are already signed from the
    platform's side; a charge is named by its PaymentIntent)."""
    kind = BALANCE_KINDS.get(str(item.get("type")), "other")
    source = item.get("source")
    provider_id = str(item["id"])
    if isinstance(source, Mapping):
        provider_id = str(source.get("id") or provider_id)
        if kind == "capture" and source.get("payment_intent"):
            intent = source["payment_intent"]
            provider_id = str(intent["id"] if isinstance(intent, Mapping) else intent)
    elif isinstance(source, str):
        provider_id = source
    return BalanceTransaction(
        provider_id=provider_id,
        kind=kind,
        amount_minor=int(item["amount"]),
        currency=str(item["currency"]).upper(),
        occurred_at=datetime.fromtimestamp(int(item["created"]), tz=UTC),
    )


def intent_to_payment(intent: Mapping[str, Any]) -> ProviderPayment:
    """A PaymentIntent (API object or webhook JSON) in our vocabulary."""
    try:
        status = INTENT_STATUSES[str(intent["status"])]
        error = intent.get("last_payment_error") or {}
        return ProviderPayment(
            provider_payment_id=str(intent["id"]),
            status=status,
            amount_minor=int(intent["amount"]),
            currency=str(intent["currency"]).upper(),
            client_secret=intent.get("client_secret")
            if status is PaymentStatus.REQUIRES_ACTION
            else None,
            card=_card_of(intent.get("latest_charge")),
            failure_code=error.get("decline_code") or error.get("code"),
            failure_message=error.get("message"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise WebhookRejected("The PaymentIntent is not valid.") from error


def _card_of(charge: Any) -> CardDetails | None:
    """Card facts from an expanded charge (a bare charge id carries none)."""
    if not isinstance(charge, Mapping):
        return None
    details = (charge.get("payment_method_details") or {}).get("card")
    if not details:
        return None
    return CardDetails(
        token=str(charge.get("payment_method") or ""),
        brand=str(details["brand"]),
        last4=str(details["last4"]),
        exp_month=int(details["exp_month"]),
        exp_year=int(details["exp_year"]),
    )


def _refuse_future(header: str, tolerance_seconds: int) -> None:
    # The library only refuses old timestamps; a far-future one is as suspicious.
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if (
            key == "t"
            and value.isdigit()
            and int(value) - clock.now().timestamp() > tolerance_seconds
        ):
            raise WebhookRejected("Stripe webhook refused: the timestamp is in the future.")


async def _call(request: Callable[[], Awaitable[T]]) -> T:
    """One Stripe call, its errors in our vocabulary."""
    try:
        return await request()
    except stripe.IdempotencyError as error:
        raise IdempotencyMismatch(f"Stripe: {error.user_message or error}") from error
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        raise ProviderUnavailable(
            f"Stripe is unavailable: {error.user_message or error}"
        ) from error
    except (stripe.CardError, stripe.InvalidRequestError) as error:
        raise ProviderRejected(f"Stripe refused: {error.user_message or error}") from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        raise ProviderUnavailable("Stripe refused our credentials; check the API key.") from error
