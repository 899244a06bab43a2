"""Private file storage for uploads (seller documents, listing images).

Files live under ``<var_dir>/files/`` with random names; the database keeps the key. Nothing is
served directly by the web server: adapters stream a file only after the owning domain has
authorized the caller. The type is sniffed from the content, never taken from the client.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from mercato.kit.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# Magic numbers of the formats the platform accepts.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def sniff_content_type(head: bytes) -> str | None:
    """The media type given by the file's first bytes, or None when unrecognised."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class StoredFile:
    key: str
    content_type: str
    size: int


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(
        self,
        data: bytes,
        *,
        allowed: frozenset[str],
        max_bytes: int,
        field: str = "file",
    ) -> StoredFile:
        """Validate and store ``data``; raises a 4xx error naming ``field`` when refused."""
        if not data:
            raise ValidationFailed.on(field, "The file is empty.")
        if len(data) > max_bytes:
            raise PayloadTooLarge(f"The file must be at most {max_bytes // 1024} KiB.")
        content_type = sniff_content_type(data[:16])
        if content_type is None or content_type not in allowed:
            names = ", ".join(sorted(EXTENSIONS[t].lstrip(".").upper() for t in allowed))
            raise UnsupportedMediaType(f"Upload a {names} file.")
        key = f"{secrets.token_hex(2)}/{secrets.token_urlsafe(18)}{EXTENSIONS[content_type]}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        os.replace(temporary, path)  # atomic: a reader never sees half a file
        return StoredFile(key=key, content_type=content_type, size=len(data))

    def save_derived(self, key: str, data: bytes) -> None:
        """Store a file derived from an upload (e.g. a thumbnail) under a key chosen by code."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        os.replace(temporary, path)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def path(self, key: str) -> Path:
        return self._path(key)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValidationFailed.on("key", "Invalid file key.")
        return path
