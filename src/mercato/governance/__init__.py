"""Governance: versioned, effective-dated policies (buyer terms of use, SLA, escrow hold) with
acceptance and preview, SLA clocks on every order with their breaches and consequences.

Other domains use :func:`sla_terms` (the SLA durations in force for a category at a time, e.g.
the dispute and return windows), :func:`ship_deadlines` (seller performance's late
shipments), :func:`require_current_terms` (checkout refuses a buyer who
has not accepted the terms in force), :func:`escrow_hold_policy` (settlement: how long a
completed order's money waits) with :func:`register_hold_replay` (settlement replays its
completed orders for the escrow hold preview) and the events of
:mod:`mercato.governance.events`.
"""

from mercato.governance.calculations import EscrowHold, ReplayedHold, SlaTerms
from mercato.governance.events import (
    PolicyVersionActivated,
    PolicyVersionDrafted,
    SellerWarned,
    SlaBreached,
    TermsAccepted,
)
from mercato.governance.service import (
    escrow_hold_policy,
    needs_terms_acceptance,
    register_hold_replay,
    require_current_terms,
    ship_deadlines,
    sla_terms,
)

__all__ = [
    "EscrowHold",
    "PolicyVersionActivated",
    "PolicyVersionDrafted",
    "ReplayedHold",
    "SellerWarned",
    "SlaBreached",
    "SlaTerms",
    "TermsAccepted",
    "escrow_hold_policy",
    "needs_terms_acceptance",
    "register_hold_replay",
    "require_current_terms",
    "ship_deadlines",
    "sla_terms",
]
