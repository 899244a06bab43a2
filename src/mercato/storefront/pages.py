"""The shopper's pages: the home page (``/``), product pages (``/products/{id}``, the variant
selector swapping the buy box with htmx) and sellers' shops (``/shops/{id}``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from mercato.kit.deps import CurrentPrincipal, CurrentRuntime, DbSession
from mercato.kit.web import is_htmx, page_router, render
from mercato.reviews.schemas import REASON_LABELS
from mercato.search.links import SearchLinks, wants_fragment
from mercato.search.params import query_from_params
from mercato.search.schemas import SORT_LABELS
from mercato.storefront import service

router = page_router()
VariantChoice = Annotated[uuid.UUID | None, Query(alias="variant")]


@router.get("/")
async def home(request: Request, session: DbSession, runtime: CurrentRuntime) -> Response:
    page = await service.get_home_page(session, cache=runtime.cache)
    return render(request, "storefront/home.html", {"home": page})


@router.get("/products/{listing_id}")
async def product(
    request: Request,
    listing_id: uuid.UUID,
    session: DbSession,
    runtime: CurrentRuntime,
    principal: CurrentPrincipal,
    variant: VariantChoice = None,
) -> Response:
    swap = is_htmx(request) and request.headers.get("hx-target") == "buy-box"
    page = await service.get_product_page(
        session,
        listing_id,
        variant_id=variant,
        cache=runtime.cache,
        with_reviews=not swap,
        viewer_id=principal.user_id,
    )
    template = "storefront/_buy_box.html" if swap else "storefront/product.html"
    context = {"page": page, "listing": page.listing, "report_reasons": REASON_LABELS}
    return render(request, template, context)


@router.get("/shops/{seller_id}")
async def shop(
    request: Request, seller_id: uuid.UUID, session: DbSession, runtime: CurrentRuntime
) -> Response:
    query = query_from_params(request.query_params)
    page = await service.get_shop_page(session, seller_id, query, cache=runtime.cache)
    path = f"/shops/{seller_id}"
    context = {
        "page": page,
        "results": page.results,
        "links": SearchLinks(path, page.results.query, fixed_seller=True),
        "sort_labels": SORT_LABELS,
        "results_path": path,
        "hide_seller_facet": True,
        "heading": "Listings",
        "shop_q": query.text,
    }
    template = "search/_results.html" if wants_fragment(request) else "storefront/shop.html"
    return render(request, template, context)
