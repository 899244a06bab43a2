"""Typed category attributes: normalising, validating and displaying their values.

A listing stores canonical values: text and enum values as ``str`` (an enum value spelled as the
admin wrote it), numbers as a plain decimal string (``"12.5"``), booleans as ``bool``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from mercato.kit.errors import FieldError

TEXT_MAX = 500
NUMBER_MAX = Decimal(10) ** 12
NUMBER_DECIMALS = 6
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    name: str
    kind: str  # text | number | enum | boolean
    unit: str | None = None
    allowed_values: tuple[str, ...] = ()
    required: bool = False


class InvalidValue(ValueError):
    """The value does not fit the attribute; the message is shown to the seller."""


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    allowed = "\n\t" if allow_newlines else ""
    return any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in text)


def _number(spec: AttributeSpec, raw: object) -> str:
    if isinstance(raw, bool):
        raise InvalidValue(f"{spec.name} must be a number.")
    try:
        value = Decimal(str(raw).strip()) if isinstance(raw, str | int | float) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InvalidValue(f"{spec.name} must be a number, like 12 or 12.5.")
    if abs(value) >= NUMBER_MAX:
        raise InvalidValue(f"{spec.name} is too large.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > NUMBER_DECIMALS:
        raise InvalidValue(f"{spec.name} has more than {NUMBER_DECIMALS} decimal places.")
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _boolean(spec: AttributeSpec, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValue(f"{spec.name} must be yes or no.")


def _enum(spec: AttributeSpec, raw: object) -> str:
    text = str(raw).strip()
    for allowed in spec.allowed_values:
        if allowed.casefold() == text.casefold():
            return allowed
    choices = ", ".join(spec.allowed_values)
    raise InvalidValue(f"“{text[:80]}” is not allowed for {spec.name}; choose one of: {choices}.")


def _text(spec: AttributeSpec, raw: object) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise InvalidValue(f"{spec.name} must be text.")
    text = " ".join(str(raw).split())
    if len(text) > TEXT_MAX:
        raise InvalidValue(f"{spec.name} must be at most {TEXT_MAX} characters.")
    if has_control_characters(text):
        raise InvalidValue(f"{spec.name} contains control characters.")
    return text


def normalize_value(spec: AttributeSpec, raw: object) -> str | bool:
    """The canonical value of ``raw`` for ``spec``; raises :class:`InvalidValue`."""
    if spec.kind == "number":
        return _number(spec, raw)
    if spec.kind == "boolean":
        return _boolean(spec, raw)
    if spec.kind == "enum":
        return _enum(spec, raw)
    return _text(spec, raw)


def check_attributes(
    specs: Sequence[AttributeSpec], raw: Mapping[str, object], *, prefix: str = "attributes"
) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate every value against the category's attributes (inherited ones included).

    Returns the canonical values and one error per problem: unknown codes, missing required
    values and values of the wrong type or outside the allowed list. Blank optional values are
    dropped.
    """
    by_code = {spec.code: spec for spec in specs}
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for code in raw:
        if code not in by_code:
            errors.append(FieldError(f"{prefix}.{code}", "This category has no such attribute."))
    for spec in specs:
        value = raw.get(spec.code)
        if _is_blank(value):
            if spec.required:
                errors.append(FieldError(f"{prefix}.{spec.code}", f"{spec.name} is required."))
            continue
        try:
            values[spec.code] = normalize_value(spec, value)
        except InvalidValue as problem:
            errors.append(FieldError(f"{prefix}.{spec.code}", str(problem)))
    return values, errors


def display_value(spec: AttributeSpec, value: object) -> str:
    """How a stored value reads to a person: ``"Yes"``, ``"12.5 cm"``, ``"Blue"``."""
    if spec.kind == "boolean":
        return "Yes" if value is True else "No"
    if spec.kind == "number" and spec.unit:
        return f"{value} {spec.unit}"
    return str(value)


def check_definition(
    kind: str, unit: str | None, allowed_values: Sequence[str]
) -> list[FieldError]:
    """An attribute definition is consistent: enums list distinct values, only numbers have a
    unit."""
    errors = []
    if kind == "enum":
        if not allowed_values:
            errors.append(FieldError("allowed_values", "List the values a seller may choose."))
        folded = [value.casefold() for value in allowed_values]
        if len(set(folded)) != len(folded):
            errors.append(FieldError("allowed_values", "Each allowed value must be different."))
    elif allowed_values:
        errors.append(FieldError("allowed_values", "Only enum attributes have allowed values."))
    if unit and kind != "number":
        errors.append(FieldError("unit", "Only number attributes have a unit."))
    return errors
