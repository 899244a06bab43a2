"""Private file storage: type sniffed from content, size limits, atomic writes, no traversal."""

from __future__ import annotations

import pytest

from mercato.kit.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from mercato.kit.storage import FileStore, sniff_content_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"x" * 32
DOCUMENTS = frozenset({"application/pdf", "image/jpeg", "image/png"})


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PNG, "image/png"),
        (PDF, "application/pdf"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"<html><script>", None),
        (b"MZ\x90\x00", None),
    ],
)
def test_sniffing_reads_the_content_not_the_name(head, expected):
    assert sniff_content_type(head[:16]) == expected


def test_saved_file_reads_back(tmp_path):
    store = FileStore(tmp_path)
    stored = store.save(PDF, allowed=DOCUMENTS, max_bytes=1000)
    assert (stored.content_type, stored.size) == ("application/pdf", len(PDF))
    assert stored.key.endswith(".pdf")
    assert store.read(stored.key) == PDF
    assert not list(tmp_path.rglob("*.part"))


def test_a_script_disguised_as_a_document_is_refused(tmp_path):
    with pytest.raises(UnsupportedMediaType, match=r"Upload a JPG, PDF, PNG file\."):
        FileStore(tmp_path).save(b"<script>alert(1)</script>", allowed=DOCUMENTS, max_bytes=1000)
    assert not any(tmp_path.rglob("*"))


def test_oversized_and_empty_files_are_refused(tmp_path):
    store = FileStore(tmp_path)
    with pytest.raises(PayloadTooLarge):
        store.save(PNG + b"\x00" * 2000, allowed=DOCUMENTS, max_bytes=1024)
    with pytest.raises(ValidationFailed):
        store.save(b"", allowed=DOCUMENTS, max_bytes=1024)


def test_keys_cannot_escape_the_store(tmp_path):
    with pytest.raises(ValidationFailed):
        FileStore(tmp_path / "files").read("../secrets.json")
