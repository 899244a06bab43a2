"""The search results page, ``/search``: facets, sort and pages swap the results in place with
htmx (and push the URL); every link is also a plain GET link that works without JavaScript."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from mercato.kit.deps import CurrentRuntime, DbSession
from mercato.kit.web import page_router, render
from mercato.search import service
from mercato.search.links import SearchLinks, wants_fragment
from mercato.search.params import query_from_params
from mercato.search.schemas import SORT_LABELS

router = page_router()


@router.get("/search")
async def search_page(request: Request, session: DbSession, runtime: CurrentRuntime) -> Response:
    query = query_from_params(request.query_params)
    results = await service.search(session, query, cache=runtime.cache)
    context = {
        "results": results,
        "links": SearchLinks("/search", query),
        "sort_labels": SORT_LABELS,
        "q": query.text,
        "results_path": "/search",
    }
    template = "search/_results.html" if wants_fragment(request) else "search/results.html"
    return render(request, template, context)
