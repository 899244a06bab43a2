"""Reading a search from URL query parameters (shared by the API and the pages):
``q``, ``category``, ``price_min``, ``price_max``, ``rating_min``, ``attr.<code>``
(repeatable), ``seller`` (repeatable), ``sort``, ``page``, ``limit``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import QueryParams

from mercato.kit.errors import FieldError, ValidationFailed
from mercato.search.schemas import SearchQuery

ATTRIBUTE_PREFIX = "attr."
SINGLE = ("q", "category", "price_min", "price_max", "rating_min", "sort", "page", "limit")
# Where a SearchQuery field comes from in the URL, for naming the parameter in an error.
PARAMETER_OF = {"sellers": "seller", "attributes": "attr"}


def attribute_filters(params: QueryParams) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for key, value in params.multi_items():
        if key.startswith(ATTRIBUTE_PREFIX) and value.strip():
            filters.setdefault(key[len(ATTRIBUTE_PREFIX) :], []).append(value.strip())
    return filters


def _parameter(location: Sequence[int | str], data: Mapping[str, Any]) -> str:
    if not location:
        return "query"
    field = str(location[0])
    if field == "attributes":
        codes = list(data.get("attributes", {}))
        code = str(location[1]) if len(location) > 1 else (codes[0] if len(codes) == 1 else "")
        return f"{ATTRIBUTE_PREFIX}{code}" if code else "attr"
    return PARAMETER_OF.get(field, field)


def build_query(data: Mapping[str, Any]) -> SearchQuery:
    """A :class:`SearchQuery`, or a 422 naming each offending URL parameter."""
    try:
        return SearchQuery.model_validate(dict(data))
    except ValidationError as error:
        problems = [
            FieldError(
                _parameter(item["loc"], data),
                str(item["msg"]).removeprefix("Value error, "),
            )
            for item in error.errors()
        ]
        detail = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise ValidationFailed(detail, errors=problems) from error


def query_from_params(params: QueryParams, **fixed: Any) -> SearchQuery:
    """The search a page URL describes. Blank values count as absent (an empty price box)."""
    data: dict[str, Any] = {
        key: params[key] for key in SINGLE if key in params and params[key].strip() != ""
    }
    sellers = [value for value in params.getlist("seller") if value.strip()]
    if sellers:
        data["sellers"] = sellers
    attributes = attribute_filters(params)
    if attributes:
        data["attributes"] = attributes
    data.update(fixed)
    return build_query(data)
