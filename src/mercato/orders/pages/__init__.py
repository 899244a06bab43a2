"""Order web pages: the buyer's checkout, confirmation, history and order page; the seller's
order queue and order page; the staff's order search and order page; each order's messages
and the seller's list of buyers waiting for an answer."""

from mercato.kit.web import page_router
from mercato.orders.pages import admin, buyer, messages, seller

router = page_router()
for _module in (buyer, seller, admin, messages):
    router.include_router(_module.router)

__all__ = ["router"]
