"""The governance tables, each prefixed ``governance_``."""
