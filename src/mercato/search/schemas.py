"""Search requests and results."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
)

from mercato.kit.money import format_money
from mercato.search.rules import DEFAULT_PAGE_SIZE, MAX_RESULT_WINDOW

Sort = Literal["relevance", "price_asc", "price_desc", "newest", "top_rated"]
SORT_LABELS: dict[str, str] = {
    "relevance": "Best match",
    "top_rated": "Top rated",
    "newest": "Newest",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
}
ATTRIBUTE_CODE_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"
MAX_ATTRIBUTE_FILTERS = 10
MAX_VALUES_PER_FILTER = 20
# The rating facet's thresholds: "4★ & up" keeps listings averaging 4.0 stars or more.
RATING_THRESHOLDS = (4, 3, 2, 1)


class SearchQuery(BaseModel):
    """What a buyer asks for. Filters combine with AND; the values of one attribute, and the
    sellers, combine with OR (standard faceted navigation)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    q: str = Field("", max_length=200, description='Words, "a phrase", or, -exclude.')
    category: uuid.UUID | None = Field(None, description="A category; includes subcategories.")
    price_min: Decimal | None = Field(None, ge=0, le=10**12, decimal_places=3)
    price_max: Decimal | None = Field(None, ge=0, le=10**12, decimal_places=3)
    attributes: dict[str, list[str]] = Field(
        default_factory=dict, description="Attribute code -> accepted values."
    )
    sellers: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_VALUES_PER_FILTER)
    rating_min: int | None = Field(
        None, ge=1, le=5, description="Only listings averaging at least this many stars."
    )
    sort: Sort = "relevance"
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=100)
    page: int = Field(1, ge=1)

    @field_validator("price_max")
    @classmethod
    def _not_below_min(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        low = info.data.get("price_min")
        if value is not None and low is not None and value < low:
            raise ValueError("must not be below price_min")
        return value

    @field_validator("attributes")
    @classmethod
    def _attribute_filters(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if len(value) > MAX_ATTRIBUTE_FILTERS:
            raise ValueError(f"at most {MAX_ATTRIBUTE_FILTERS} attribute filters")
        for code, values in value.items():
            if not re.fullmatch(ATTRIBUTE_CODE_PATTERN, code):
                raise ValueError(f"{code[:64]!r} is not an attribute code")
            if not values or len(values) > MAX_VALUES_PER_FILTER:
                raise ValueError(f"each attribute filter takes 1 to {MAX_VALUES_PER_FILTER} values")
            if any(len(item) > 200 for item in values):
                raise ValueError("attribute values are at most 200 characters")
        return value

    @field_validator("page")
    @classmethod
    def _within_window(cls, value: int, info: ValidationInfo) -> int:
        if value * info.data.get("limit", DEFAULT_PAGE_SIZE) > MAX_RESULT_WINDOW:
            raise ValueError(f"only the first {MAX_RESULT_WINDOW} results can be paged through")
        return value

    @property
    def text(self) -> str:
        return " ".join(self.q.split())

    def normalized(self) -> dict[str, object]:
        """A canonical form: equal searches give equal cache keys whatever the parameter order."""
        return {
            "q": self.text,
            "category": str(self.category) if self.category else None,
            "price_min": str(self.price_min) if self.price_min is not None else None,
            "price_max": str(self.price_max) if self.price_max is not None else None,
            "attributes": {code: sorted(set(v)) for code, v in sorted(self.attributes.items())},
            "sellers": sorted({str(seller) for seller in self.sellers}),
            "rating_min": self.rating_min,
            "sort": self.sort,
            "page": self.page,
            "limit": self.limit,
        }

    def cache_key(self) -> str:
        encoded = json.dumps(self.normalized(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()[:32]

    def with_changes(self, **changes: object) -> SearchQuery:
        return self.model_copy(update=changes)


class SearchHit(BaseModel):
    listing_id: uuid.UUID
    seller_id: uuid.UUID
    seller_name: str
    title: str
    kind: Literal["goods", "service"]
    category_id: uuid.UUID
    category_path: list[str]
    attributes: dict[str, str]
    currency: str
    price_min_minor: int
    price_max_minor: int
    in_stock: bool
    image_key: str | None
    image_url: str | None = Field(None, description="The listing's thumbnail.")
    image_alt: str | None = Field(
        None, description="The seller's alt text of the thumbnail; none given: use the title."
    )
    published_at: datetime | None
    rating_count: int = Field(0, description="Published reviews of the listing.")
    rating_tenths: int = Field(0, description="Their average in tenths of a star (45 = 4.5).")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rating_label(self) -> str | None:
        """``★ 4.5 (12)``; None without reviews."""
        if not self.rating_count:
            return None
        tenths = self.rating_tenths
        return f"★ {tenths // 10}.{tenths % 10} ({self.rating_count})"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def price_label(self) -> str:
        """``€12.50``, or ``from €12.50`` when variants differ in price."""
        price = format_money(self.price_min_minor, self.currency)
        return f"from {price}" if self.price_max_minor > self.price_min_minor else price


class FacetValue(BaseModel):
    value: str = Field(description="What to pass back as the filter's value.")
    label: str
    count: int
    selected: bool = False


class Facet(BaseModel):
    name: str = Field(description="category, price, rating, seller, or attr.<code>")
    label: str
    values: list[FacetValue]


class CategoryCrumb(BaseModel):
    id: uuid.UUID
    name: str


class SearchResults(BaseModel):
    query: SearchQuery
    items: list[SearchHit]
    total: int
    page: int
    limit: int
    pages: int
    facets: list[Facet]
    category_path: list[CategoryCrumb] = Field(
        default_factory=list, description="The selected category and its ancestors, root first."
    )
    corrected_query: str | None = Field(
        None, description="The query with misspelt words corrected, when that was needed."
    )
    fuzzy: bool = Field(False, description="Results include approximate (typo) matches.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None
