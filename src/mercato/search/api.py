"""Search API: ``GET /api/v1/search``, public."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import Query, Request

from mercato.kit.deps import CurrentRuntime, DbSession
from mercato.kit.routing import IndexedRouter
from mercato.search import service
from mercato.search.params import attribute_filters, build_query
from mercato.search.rules import DEFAULT_PAGE_SIZE
from mercato.search.schemas import SearchResults, Sort

router = IndexedRouter(prefix="/search", tags=["search"])


@router.get(
    "",
    response_model=SearchResults,
    openapi_extra={
        "parameters": [
            {
                "name": "attr.{code}",
                "in": "query",
                "required": False,
                "description": "Attribute filter, repeatable: `attr.colour=Blue&attr.colour=Red` "
                "keeps blue or red listings.",
                "schema": {"type": "string"},
            }
        ]
    },
)
async def search_listings(
    request: Request,
    session: DbSession,
    runtime: CurrentRuntime,
    q: Annotated[str, Query(max_length=200, description='Words, "a phrase", or, -exclude')] = "",
    category: Annotated[uuid.UUID | None, Query(description="Includes subcategories")] = None,
    price_min: Annotated[Decimal | None, Query(ge=0, description="Major units, e.g. 10.50")] = None,
    price_max: Annotated[Decimal | None, Query(ge=0, description="Major units")] = None,
    seller: Annotated[list[uuid.UUID] | None, Query(description="Repeatable")] = None,
    rating_min: Annotated[
        int | None, Query(ge=1, le=5, description="Average stars at least (4: 4★ & up)")
    ] = None,
    sort: Sort = "relevance",
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = DEFAULT_PAGE_SIZE,
) -> SearchResults:
    """Full-text search over visible listings (title, description, attribute values, seller
    name) with typo tolerance, filters (price, rating, attributes, seller), facet counts,
    sorting (``top_rated`` among them) and page-numbered results.
    Results may be up to a few seconds old; prices are confirmed at checkout."""
    query = build_query(
        {
            "q": q,
            "category": category,
            "price_min": price_min,
            "price_max": price_max,
            "sellers": seller or [],
            "rating_min": rating_min,
            "attributes": attribute_filters(request.query_params),
            "sort": sort,
            "page": page,
            "limit": limit,
        }
    )
    return await service.search(session, query, cache=runtime.cache)
