"""The audit tables, each prefixed ``audit_``."""
