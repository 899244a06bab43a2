"""Governance: versioned, effective-dated policies (buyer terms of use, SLA) with acceptance
and preview, SLA clocks on every order with their breaches and consequences.

Other domains use :func:`sla_terms` (the SLA durations in force for a category at a time, e.g.
the dispute and return windows), :func:`ship_deadlines` (seller performance's late
shipments), :func:`require_current_terms` (checkout refuses a buyer who
has not accepted the terms in force) and the events of :mod:`mercato.governance.events`.
"""

from mercato.governance.calculations import SlaTerms
from mercato.governance.events import (
    PolicyVersionActivated,
    PolicyVersionDrafted,
    SellerWarned,
    SlaBreached,
    TermsAccepted,
)
from mercato.governance.service import (
    needs_terms_acceptance,
    require_current_terms,
    ship_deadlines,
    sla_terms,
)

__all__ = [
    "PolicyVersionActivated",
    "PolicyVersionDrafted",
    "SellerWarned",
    "SlaBreached",
    "SlaTerms",
    "TermsAccepted",
    "needs_terms_acceptance",
    "require_current_terms",
    "ship_deadlines",
    "sla_terms",
]
