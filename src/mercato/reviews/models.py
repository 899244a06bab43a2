"""The reviews tables, each prefixed ``reviews_``."""
