"""Payments: the double-entry ledger, payments through providers (a built-in sandbox and
Stripe), their webhooks, and escrow accounts.

Other domains use what this module exports: ``start_payment`` (with the escrow ``split`` per
order), the ledger (``post_journal``, ``reverse_journal``, ``balance``, ``Posting`` and the
account-code helpers) and the events ``PaymentSucceeded`` / ``PaymentFailed``.
"""

from mercato.payments.calculations import (
    PLATFORM_COMMISSION,
    PLATFORM_SUBSCRIPTIONS,
    LedgerRejected,
    Posting,
    clearing_account,
    escrow_account,
    seller_available_account,
    seller_debt_account,
    seller_in_transit_account,
    seller_pending_account,
)
from mercato.payments.events import PaymentFailed, PaymentSucceeded
from mercato.payments.schemas import PaymentMethod, PaymentOut, PaymentStatus
from mercato.payments.service import (
    InsufficientFunds,
    PaymentStart,
    balance,
    cached_balance,
    journals_for,
    post_journal,
    reverse_journal,
    start_payment,
)

__all__ = [
    "PLATFORM_COMMISSION",
    "PLATFORM_SUBSCRIPTIONS",
    "InsufficientFunds",
    "LedgerRejected",
    "PaymentFailed",
    "PaymentMethod",
    "PaymentOut",
    "PaymentStart",
    "PaymentStatus",
    "PaymentSucceeded",
    "Posting",
    "balance",
    "cached_balance",
    "clearing_account",
    "escrow_account",
    "journals_for",
    "post_journal",
    "reverse_journal",
    "seller_available_account",
    "seller_debt_account",
    "seller_in_transit_account",
    "seller_pending_account",
    "start_payment",
]
