"""Audit background jobs, named ``audit.<verb_noun>``."""
