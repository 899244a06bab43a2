"""Helpers shared by the catalog pages: uploads, error messages per field, form parsing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from mercato.kit.errors import FieldError, MercatoError, ValidationFailed
from mercato.kit.storage import FileStore

M = TypeVar("M", bound=BaseModel)
COMMON_CURRENCIES = ("EUR", "GBP", "USD", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY")


def files_of(request: Request) -> FileStore:
    files: FileStore = request.app.state.runtime.files
    return files


async def uploaded(request: Request, field: str) -> tuple[bytes, str]:
    """The bytes and client file name of the upload ``field``; refuses a missing file. The
    platform caps the request body, so reading it whole is bounded."""
    form = await request.form()
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed.on(field, "Choose a file to upload.")
    return await upload.read(), upload.filename


def messages(error: MercatoError) -> dict[str, str]:
    """Full field path ("variants.0.price") -> the first message about it."""
    found: dict[str, str] = {}
    for item in error.errors:
        found.setdefault(item.field, item.message)
    return found


def validate(model: type[M], data: Mapping[str, Any]) -> M:
    """Build ``model``; pydantic's complaints become a :class:`ValidationFailed` per field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            FieldError(
                ".".join(str(part) for part in e["loc"]) or "form",
                "This field is required."
                if e["type"] == "missing"
                else e["msg"].removeprefix("Value error, "),
            )
            for e in error.errors()
        ]
        raise ValidationFailed(errors[0].message, errors=errors) from error


def blank_to_none(value: str | None) -> str | None:
    return value if value and value.strip() else None


_VARIANT_FIELD = re.compile(r"^v(\d{1,3})-sku$")


def variant_rows(form: Mapping[str, str]) -> list[int]:
    """The indexes of the variant rows present in a listing form, in order."""
    return sorted(int(m.group(1)) for key in form if (m := _VARIANT_FIELD.match(key)))


def listing_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """The JSON-like body of a new listing from the create form's flat fields."""
    option_names = [
        form.get(f"option{i}_name", "").strip()
        for i in range(1, 4)
        if form.get(f"option{i}_name", "").strip()
    ]
    variants = []
    for index in variant_rows(form):
        if not any(form.get(f"v{index}-{name}", "").strip() for name in ("sku", "price", "stock")):
            continue  # an untouched extra row
        variants.append(
            {
                "sku": form.get(f"v{index}-sku", ""),
                "price": form.get(f"v{index}-price", ""),
                "stock": form.get(f"v{index}-stock", "") or None,
                "weight_grams": blank_to_none(form.get(f"v{index}-weight_grams")),
                "options": {
                    name: form.get(f"v{index}-opt{i}", "") for i, name in enumerate(option_names, 1)
                },
            }
        )
    kind = form.get("kind", "goods")
    return {
        "kind": kind,
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "category_id": blank_to_none(form.get("category_id")),
        "attributes": attribute_values(form),
        "currency": form.get("currency", ""),
        "option_names": option_names,
        "shipping_profile_id": blank_to_none(form.get("shipping_profile_id"))
        if kind == "goods"
        else None,
        "duration_minutes": blank_to_none(form.get("duration_minutes"))
        if kind == "service"
        else None,
        "capacity": blank_to_none(form.get("capacity")) if kind == "service" else None,
        "variants": variants,
    }


def attribute_values(form: Mapping[str, str]) -> dict[str, str]:
    return {
        key.removeprefix("attr-"): value
        for key, value in form.items()
        if key.startswith("attr-") and value.strip()
    }
