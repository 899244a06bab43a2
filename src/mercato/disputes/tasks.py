"""Disputes background jobs, named ``disputes.<verb_noun>``."""
