"""The disputes tables, each prefixed ``disputes_``."""
