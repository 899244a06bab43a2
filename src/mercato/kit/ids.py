"""Time-ordered identifiers: uuid7 sorts by creation time, which keeps indexes compact and makes
an id usable as a pagination cursor."""

from __future__ import annotations

import uuid

from uuid6 import uuid7


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid7().bytes)


def parse_id(value: str) -> uuid.UUID | None:
    """The UUID in ``value``, or None when it is not one (a malformed id is simply not found)."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None
