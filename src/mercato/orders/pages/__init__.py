"""Order web pages: the buyer's checkout, confirmation, history and order page; the seller's
order queue and order page; the staff's order search and order page."""

from mercato.kit.web import page_router
from mercato.orders.pages import admin, buyer, seller

router = page_router()
for _module in (buyer, seller, admin):
    router.include_router(_module.router)

__all__ = ["router"]
