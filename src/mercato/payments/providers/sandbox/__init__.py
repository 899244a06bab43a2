"""The built-in sandbox payment provider (no real money)."""

from mercato.payments.providers.sandbox.cards import (
    TEST_CARDS,
    CardBehaviour,
    CardInvalid,
    CheckedCard,
    check_card,
)
from mercato.payments.providers.sandbox.provider import (
    DELIVERY_BATCH,
    SIGNATURE_HEADER,
    HostedPayment,
    SandboxDelivery,
    SandboxProvider,
    with_query,
)

__all__ = [
    "DELIVERY_BATCH",
    "SIGNATURE_HEADER",
    "TEST_CARDS",
    "CardBehaviour",
    "CardInvalid",
    "CheckedCard",
    "HostedPayment",
    "SandboxDelivery",
    "SandboxProvider",
    "check_card",
    "with_query",
]
