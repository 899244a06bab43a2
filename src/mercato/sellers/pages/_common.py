"""Helpers shared by the sellers pages: uploads from multipart forms, labels for templates."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from mercato.kit.errors import ValidationFailed
from mercato.kit.storage import FileStore
from mercato.sellers import policy
from mercato.sellers.schemas import (
    CHECK_LABELS,
    DECISION_LABELS,
    DOCUMENT_LABELS,
    LEGAL_FORM_LABELS,
    STATUS_LABELS,
)

LABELS: dict[str, Any] = {
    "status_labels": STATUS_LABELS,
    "document_labels": DOCUMENT_LABELS,
    "legal_form_labels": LEGAL_FORM_LABELS,
    "decision_labels": DECISION_LABELS,
    "check_labels": CHECK_LABELS,
    "field_labels": {**policy.REQUIRED_FIELDS, "sells_goods": "What you sell"},
    "tax_id_countries": sorted(policy.TAX_ID_COUNTRIES),
    "max_document_kib": policy.MAX_DOCUMENT_BYTES // 1024,
    "max_logo_kib": policy.MAX_LOGO_BYTES // 1024,
}


def files_of(request: Request) -> FileStore:
    files: FileStore = request.app.state.runtime.files
    return files


async def uploaded(
    request: Request, field: str, *, required: bool
) -> tuple[bytes | None, str | None]:
    """The bytes and client file name of the upload ``field`` (None when no file was chosen).
    The request body is already capped by the platform, so reading it whole is bounded."""
    form = await request.form()
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        if required:
            raise ValidationFailed.on(field, "Choose a file to upload.")
        return None, None
    return await upload.read(), upload.filename
