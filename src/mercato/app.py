"""The application factory: one FastAPI app serving pages at ``/``, the API at ``/api/v1``,
OpenAPI docs at ``/docs`` and the operational endpoints ``/healthz``, ``/readyz``, ``/metrics``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from mercato import __version__
from mercato.accounts import api as accounts_api
from mercato.accounts import pages as accounts_pages
from mercato.accounts.service import resolve_principal
from mercato.audit import api as audit_api
from mercato.audit import pages as audit_pages
from mercato.cart import api as cart_api
from mercato.cart import pages as cart_pages
from mercato.catalog import api as catalog_api
from mercato.catalog import pages as catalog_pages
from mercato.commission import api as commission_api
from mercato.commission import pages as commission_pages
from mercato.config import Settings, get_settings
from mercato.disputes import api as disputes_api
from mercato.disputes import pages as disputes_pages
from mercato.governance import api as governance_api
from mercato.governance import pages as governance_pages
from mercato.kit import ops
from mercato.kit.background import configure_jobs, start_background
from mercato.kit.errors import MercatoError, Unauthorized
from mercato.kit.http import RequestGuard, install_problem_handlers
from mercato.kit.logging import RequestIdMiddleware
from mercato.kit.runtime import Runtime, build_runtime
from mercato.kit.web import PACKAGE_DIR, redirect, render
from mercato.notifications import api as notifications_api
from mercato.notifications import pages as notifications_pages
from mercato.orders import api as orders_api
from mercato.orders import pages as orders_pages
from mercato.payments import api as payments_api
from mercato.payments import pages as payments_pages
from mercato.payouts import api as payouts_api
from mercato.payouts import pages as payouts_pages
from mercato.performance import api as performance_api
from mercato.performance import pages as performance_pages
from mercato.reviews import api as reviews_api
from mercato.reviews import pages as reviews_pages
from mercato.search import api as search_api
from mercato.search import pages as search_pages
from mercato.sellers import api as sellers_api
from mercato.sellers import pages as sellers_pages
from mercato.settlement import api as settlement_api
from mercato.settlement import pages as settlement_pages
from mercato.storefront import pages as storefront_pages
from mercato.tasks_registry import load_all_tasks

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    run_background: bool = False,
) -> FastAPI:
    """Build the app. ``run_background`` (embedded mode) also runs the job queue and the
    scheduler inside this process."""
    settings = settings or (runtime.settings if runtime else get_settings())
    runtime = runtime or build_runtime(settings)
    load_all_tasks()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        background = start_background(runtime) if run_background else configure_jobs(runtime)
        try:
            yield
        finally:
            await background.stop()
            await runtime.close()

    app = FastAPI(
        title="Mercato",
        version=__version__,
        description=(
            "Marketplace platform API: accounts, sellers, catalog, orders, payments, money after "
            "the sale, reviews, disputes and returns, governance and the audit log."
        ),
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.principal_resolver = resolve_principal
    install_problem_handlers(app)
    app.add_exception_handler(MercatoError, _page_aware_error)
    app.add_middleware(audit_api.StaffActionAudit)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(ops.MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)

    api = APIRouter(prefix=API_PREFIX)
    api.add_api_route("", api_index, methods=["GET"], tags=["meta"], summary="API entry point")
    for router in (
        accounts_api.router,
        sellers_api.router,
        notifications_api.router,
        catalog_api.router,
        search_api.router,
        payments_api.router,
        payouts_api.router,
        orders_api.router,
        cart_api.router,
        commission_api.router,
        settlement_api.router,
        reviews_api.router,
        disputes_api.router,
        governance_api.router,
        performance_api.router,
        audit_api.router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(ops.router)
    app.include_router(storefront_pages.router)
    app.include_router(search_pages.router)
    app.include_router(accounts_pages.router)
    app.include_router(notifications_pages.router)
    app.include_router(catalog_pages.router)
    app.include_router(sellers_pages.router)
    app.include_router(payments_pages.router)
    app.include_router(payouts_pages.router)
    app.include_router(cart_pages.router)
    app.include_router(orders_pages.router)
    app.include_router(settlement_pages.router)
    app.include_router(commission_pages.router)
    app.include_router(reviews_pages.router)
    app.include_router(disputes_pages.router)
    app.include_router(governance_pages.router)
    app.include_router(performance_pages.router)
    app.include_router(audit_pages.router)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    return app


async def api_index() -> dict[str, str]:
    """Where to start: the API version and its documentation."""
    return {
        "name": "Mercato API",
        "version": __version__,
        "openapi": f"{API_PREFIX}/openapi.json",
        "docs": "/docs",
    }


async def _page_aware_error(request: Request, exc: Exception) -> Response:
    """API callers get problem+json; browsers get a page (or the login form when signed out)."""
    assert isinstance(exc, MercatoError)
    from mercato.kit.http import problem_response

    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else None
        return problem_response(request, exc, headers)
    if isinstance(exc, Unauthorized):
        return redirect(f"/login?next={quote(request.url.path)}", request)
    return render(request, "error.html", {"error": exc}, status_code=exc.status)
