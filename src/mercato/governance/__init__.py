"""Governance: versioned, effective-dated policies (terms of use, SLA, escrow hold) with acceptance
and preview, SLA clocks on every order with their breaches and consequences."""
