"""Catalog web pages: the seller's listings, images and bulk import; the admin's categories,
attributes and moderation queue; and the image files themselves."""

from mercato.catalog.pages import admin, imports, listings, media, shipping
from mercato.kit.web import page_router

router = page_router()
for _module in (media, listings, imports, shipping, admin):
    router.include_router(_module.router)

__all__ = ["router"]
