"""Payments use cases. Adapters call exactly one of these per request; other domains use the
ledger and ``start_payment`` through :mod:`mercato.payments`."""

from mercato.payments.service._state import PaymentMismatch
from mercato.payments.service.admin import list_all_payments, list_balances, list_journals
from mercato.payments.service.integrity import RULES, LedgerReport, Violation, check_ledger
from mercato.payments.service.ledger import (
    InsufficientFunds,
    account_history,
    balance,
    cached_balance,
    journal_out,
    journals_for,
    post_journal,
    reverse_journal,
)
from mercato.payments.service.payments import (
    PaymentStart,
    find_returning_payment,
    get_payment,
    list_payments,
    payment_out,
    payment_status,
    refresh_payment,
    start_payment,
)
from mercato.payments.service.sandbox import (
    CardRefused,
    approve_wallet,
    cancel_hosted,
    decide_challenge,
    hosted_payment,
    pay_by_card,
    pending_sandbox_deliveries,
    record_sandbox_delivery,
    sandbox_payments_due,
    settle_sandbox_payment,
    settle_sandbox_payment_for,
    settle_sandbox_payment_of,
)
from mercato.payments.service.webhooks import receive_webhook

__all__ = [
    "RULES",
    "CardRefused",
    "InsufficientFunds",
    "LedgerReport",
    "PaymentMismatch",
    "PaymentStart",
    "Violation",
    "account_history",
    "approve_wallet",
    "balance",
    "cached_balance",
    "cancel_hosted",
    "check_ledger",
    "decide_challenge",
    "find_returning_payment",
    "get_payment",
    "hosted_payment",
    "journal_out",
    "journals_for",
    "list_all_payments",
    "list_balances",
    "list_journals",
    "list_payments",
    "pay_by_card",
    "payment_out",
    "payment_status",
    "pending_sandbox_deliveries",
    "post_journal",
    "receive_webhook",
    "record_sandbox_delivery",
    "refresh_payment",
    "reverse_journal",
    "sandbox_payments_due",
    "settle_sandbox_payment",
    "settle_sandbox_payment_for",
    "settle_sandbox_payment_of",
    "start_payment",
]
