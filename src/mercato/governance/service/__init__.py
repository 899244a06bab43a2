"""Governance use cases. Adapters call exactly one of these per request; other domains use
:func:`sla_terms` (the windows in force) and :func:`require_current_terms` (checkout)."""

from mercato.governance.service.clocks import (
    deadlines_due,
    deadlines_to_remind,
    enforce_deadline,
    list_breaches,
    open_clocks,
    recompute_open_clocks,
    remind_deadline,
    seller_sla_overview,
    settle_clocks,
    ship_deadlines,
    sync_respond_clocks,
)
from mercato.governance.service.escrow_hold import escrow_hold_policy, register_hold_replay
from mercato.governance.service.policies import (
    activate_policy,
    draft_policy,
    get_policy,
    list_policies,
    sla_terms,
    sla_terms_out,
)
from mercato.governance.service.preview import preview_policy
from mercato.governance.service.terms import (
    TERMS_PATH,
    accept_buyer_terms,
    needs_terms_acceptance,
    require_current_terms,
    terms_status,
)

__all__ = [
    "TERMS_PATH",
    "accept_buyer_terms",
    "activate_policy",
    "deadlines_due",
    "deadlines_to_remind",
    "draft_policy",
    "enforce_deadline",
    "escrow_hold_policy",
    "get_policy",
    "list_breaches",
    "list_policies",
    "needs_terms_acceptance",
    "open_clocks",
    "preview_policy",
    "recompute_open_clocks",
    "register_hold_replay",
    "remind_deadline",
    "require_current_terms",
    "seller_sla_overview",
    "settle_clocks",
    "ship_deadlines",
    "sla_terms",
    "sla_terms_out",
    "sync_respond_clocks",
    "terms_status",
]
