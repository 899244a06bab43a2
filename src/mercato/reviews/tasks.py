"""Reviews background jobs, named ``reviews.<verb_noun>``."""
