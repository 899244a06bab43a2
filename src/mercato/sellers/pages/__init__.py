"""Sellers web pages: the seller portal (application, onboarding) and the admin console's
applications queue, admission criteria and seller terms."""

from mercato.kit.web import page_router
from mercato.sellers.pages import admin, portal

router = page_router()
for _module in (portal, admin):
    router.include_router(_module.router)

__all__ = ["router"]
