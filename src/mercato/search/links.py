"""Helpers of the results pages (search, shops): whether htmx asked for the results region
only, and the URLs of a search with one thing changed (facet links, filter chips, sort, pager).
Each link is a plain GET URL, so pages work without JavaScript and htmx can push it to the
address bar."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from mercato.kit.web import is_htmx
from mercato.search.schemas import SearchQuery

RESULTS_TARGET = "search-results"


def wants_fragment(request: Request) -> bool:
    """An htmx swap of the results region (not a history restore, which needs the page)."""
    return (
        is_htmx(request)
        and request.headers.get("hx-history-restore-request") != "true"
        and request.headers.get("hx-target") == RESULTS_TARGET
    )


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


class SearchLinks:
    def __init__(self, path: str, query: SearchQuery, *, fixed_seller: bool = False) -> None:
        self.path = path
        self.query = query
        # A shop's own page: the seller is the page, not a filter in the URL.
        self.fixed_seller = fixed_seller

    def params(self, query: SearchQuery) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        if query.text:
            pairs.append(("q", query.text))
        if query.category:
            pairs.append(("category", str(query.category)))
        for name, value in (("price_min", query.price_min), ("price_max", query.price_max)):
            if value is not None:
                pairs.append((name, _decimal(value) or ""))
        for code, values in sorted(query.attributes.items()):
            pairs += [(f"attr.{code}", value) for value in values]
        if not self.fixed_seller:
            pairs += [("seller", str(seller)) for seller in query.sellers]
        if query.rating_min is not None:
            pairs.append(("rating_min", str(query.rating_min)))
        if query.sort != "relevance":
            pairs.append(("sort", query.sort))
        if query.page > 1:
            pairs.append(("page", str(query.page)))
        return pairs

    def url(self, query: SearchQuery | None = None) -> str:
        pairs = self.params(query or self.query)
        return f"{self.path}?{urlencode(pairs)}" if pairs else self.path

    def _changed(self, **changes: Any) -> str:
        return self.url(self.query.model_copy(update={"page": 1, **changes}))

    def page(self, number: int) -> str:
        return self.url(self.query.model_copy(update={"page": number}))

    def category(self, category_id: uuid.UUID | str | None) -> str:
        return self._changed(category=uuid.UUID(str(category_id)) if category_id else None)

    def toggle(self, facet: str, value: str) -> str:
        """The search with ``value`` of ``facet`` switched on or off."""
        if facet == "category":
            return self.category(value)
        if facet == "price":
            low, _, high = value.partition("-")
            bounds = (Decimal(low) if low != "0" else None, Decimal(high) if high else None)
            current = (self.query.price_min, self.query.price_max)
            if current == bounds or (current[0] == Decimal(0) and current[1] == bounds[1]):
                return self._changed(price_min=None, price_max=None)
            return self._changed(price_min=bounds[0], price_max=bounds[1])
        if facet == "rating":
            chosen_rating = int(value)
            same = self.query.rating_min == chosen_rating
            return self._changed(rating_min=None if same else chosen_rating)
        if facet == "seller":
            sellers = list(self.query.sellers)
            chosen = uuid.UUID(value)
            sellers = (
                [s for s in sellers if s != chosen] if chosen in sellers else [*sellers, chosen]
            )
            return self._changed(sellers=sellers)
        if facet.startswith("attr."):
            code = facet.removeprefix("attr.")
            attributes = {c: list(v) for c, v in self.query.attributes.items()}
            values = attributes.get(code, [])
            values = [v for v in values if v != value] if value in values else [*values, value]
            if values:
                attributes[code] = values
            else:
                attributes.pop(code, None)
            return self._changed(attributes=attributes)
        return self.url()

    def without_price(self) -> str:
        return self._changed(price_min=None, price_max=None)

    def without_text(self) -> str:
        return self._changed(q="")

    def clear_all(self) -> str:
        return self.url(SearchQuery(sort=self.query.sort))
