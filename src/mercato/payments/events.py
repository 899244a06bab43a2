"""Events the payments domain publishes. The orders domain reacts to them (a paid order group
becomes orders, a failed payment releases its stock reservation); the payouts domain to the
outcome of a payout a provider reports later.

They are dispatched in process right after the commit and also written to the outbox, so a
crash between the commit and the dispatch delays them but never loses them: subscribers must be
idempotent (key on ``payment_id``).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class PaymentSucceeded:
    """The provider captured the payment; the money sits in the escrow accounts of ``parts``."""

    payment_id: uuid.UUID
    payer_id: uuid.UUID
    amount_minor: int
    currency: str
    purpose_reference: str
    journal_id: uuid.UUID
    parts: tuple[tuple[str, int], ...]  # (escrow account, amount_minor), summing to the amount

    def to_payload(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            payment_id=str(self.payment_id),
            payer_id=str(self.payer_id),
            journal_id=str(self.journal_id),
            parts=[list(part) for part in self.parts],
        )
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> PaymentSucceeded:
        return cls(
            payment_id=uuid.UUID(data["payment_id"]),
            payer_id=uuid.UUID(data["payer_id"]),
            amount_minor=int(data["amount_minor"]),
            currency=str(data["currency"]),
            purpose_reference=str(data["purpose_reference"]),
            journal_id=uuid.UUID(data["journal_id"]),
            parts=tuple((str(account), int(amount)) for account, amount in data["parts"]),
        )


@dataclass(frozen=True)
class PaymentFailed:
    """The payment ended without money moving: declined, failed later, or canceled."""

    payment_id: uuid.UUID
    payer_id: uuid.UUID
    status: str  # failed | canceled
    purpose_reference: str
    failure_code: str | None

    def to_payload(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(payment_id=str(self.payment_id), payer_id=str(self.payer_id))
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> PaymentFailed:
        return cls(
            payment_id=uuid.UUID(data["payment_id"]),
            payer_id=uuid.UUID(data["payer_id"]),
            status=str(data["status"]),
            purpose_reference=str(data["purpose_reference"]),
            failure_code=data.get("failure_code"),
        )


@dataclass(frozen=True)
class PayoutReported:
    """The provider reported a payout's outcome by webhook: ``paid``, ``failed`` or
    ``pending``. The payouts domain applies it to the payout with that provider id."""

    provider: str
    provider_payout_id: str
    status: str
    failure_code: str | None
    failure_message: str | None

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> PayoutReported:
        return cls(
            provider=str(data["provider"]),
            provider_payout_id=str(data["provider_payout_id"]),
            status=str(data["status"]),
            failure_code=data.get("failure_code"),
            failure_message=data.get("failure_message"),
        )


SUCCEEDED_TOPIC = "payments.payment_succeeded"
FAILED_TOPIC = "payments.payment_failed"
PAYOUT_REPORTED_TOPIC = "payments.payout_reported"
