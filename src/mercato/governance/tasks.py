"""Governance background jobs, named ``governance.<verb_noun>``."""
