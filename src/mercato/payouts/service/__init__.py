"""Payouts use cases. Adapters call exactly one of these per request."""

from mercato.payouts.service.payouts import (
    SEND_JOB,
    PayoutRefused,
    apply_outcome,
    apply_reported_outcome,
    send_pending_payout,
)
from mercato.payouts.service.requests import (
    DuePayout,
    PayoutResult,
    cancel_payout,
    create_admin_payout,
    due_payouts,
    get_payout,
    list_payouts,
    pay_scheduled,
    pending_payouts,
    request_payout,
    retry_payout,
)
from mercato.payouts.service.schedules import (
    get_my_schedule,
    get_seller_schedule,
    minimum_for,
    save_my_schedule,
    save_seller_schedule,
)
from mercato.payouts.service.statements import (
    csv_filename,
    get_my_balance,
    get_statement,
    statement_csv,
)

__all__ = [
    "SEND_JOB",
    "DuePayout",
    "PayoutRefused",
    "PayoutResult",
    "apply_outcome",
    "apply_reported_outcome",
    "cancel_payout",
    "create_admin_payout",
    "csv_filename",
    "due_payouts",
    "get_my_balance",
    "get_my_schedule",
    "get_payout",
    "get_seller_schedule",
    "get_statement",
    "list_payouts",
    "minimum_for",
    "pay_scheduled",
    "pending_payouts",
    "request_payout",
    "retry_payout",
    "save_my_schedule",
    "save_seller_schedule",
    "send_pending_payout",
    "statement_csv",
]
