"""Indexed routers refuse paths none of their routes can serve, and only those."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from mercato.kit.routing import IndexedRouter, first_segments


def _app() -> FastAPI:
    cart = IndexedRouter(prefix="/cart")
    cart.add_api_route("/lines", lambda: {"router": "cart"}, methods=["POST"])
    cart.add_api_route("", lambda: {"router": "cart"}, methods=["GET"])
    products = IndexedRouter()
    products.add_api_route("/p/{slug}", lambda slug: {"router": "products", "slug": slug})
    anything = IndexedRouter()
    anything.add_api_route("/{page}", lambda page: {"router": "anything", "page": page})
    api = IndexedRouter(prefix="/api/v1")
    api.include_router(cart)
    app = FastAPI()
    app.include_router(api)
    app.include_router(products)
    app.include_router(anything)
    return app


def test_first_segments_are_indexed_unless_a_route_may_start_with_anything() -> None:
    assert first_segments([]) == frozenset()
    products = IndexedRouter()
    products.add_api_route("/p/{slug}", lambda slug: slug)
    products.add_api_route("/c/{slug}", lambda slug: slug)
    assert first_segments(products.routes) == frozenset({"p", "c"})
    products.add_api_route("/{slug}", lambda slug: slug)
    assert first_segments(products.routes) is None
    root = IndexedRouter()
    root.add_api_route("/", lambda: "home")
    assert first_segments(root.routes) is None


async def test_requests_reach_their_route_and_others_fall_through() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        lines = await client.post("/api/v1/cart/lines")
        cart = await client.get("/api/v1/cart")
        product = await client.get("/p/blue-mug")
        page = await client.get("/about")
        wrong_method = await client.get("/api/v1/cart/lines")
        nowhere = await client.get("/api/v1/nowhere/at/all")

    assert lines.json() == {"router": "cart"} and cart.json() == {"router": "cart"}
    assert product.json() == {"router": "products", "slug": "blue-mug"}
    assert page.json() == {"router": "anything", "page": "about"}
    assert wrong_method.status_code == 405  # the path matched: a partial match is kept
    assert nowhere.status_code == 404


async def test_routes_added_after_the_first_request_are_indexed_too() -> None:
    router = IndexedRouter()
    router.add_api_route("/early", lambda: "early")
    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/late")).status_code == 404
        router.add_api_route("/late", lambda: "late")
        assert (await client.get("/late")).json() == "late"
