"""Cursor pagination. Rows are ordered newest first by their uuid7 id, so the cursor is simply
the last id seen, opaque to clients; a page never skips or repeats rows when new ones arrive."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Generic, TypeVar

from pydantic import BaseModel

from mercato.kit.errors import ValidationFailed

T = TypeVar("T")
MAX_PAGE_SIZE = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (ValueError, binascii.Error) as error:
        raise ValidationFailed.on("cursor", "The cursor is not valid.") from error


def clamp_limit(limit: int) -> int:
    if limit < 1 or limit > MAX_PAGE_SIZE:
        raise ValidationFailed.on("limit", f"The limit must be between 1 and {MAX_PAGE_SIZE}.")
    return limit


def next_cursor(ids: list[uuid.UUID], limit: int) -> str | None:
    """The cursor for the following page, given the ids of ``limit + 1`` fetched rows."""
    return encode_cursor(ids[limit - 1]) if len(ids) > limit else None
