"""Accounts web pages (HTML + htmx): getting in, the account area and the staff console."""

from mercato.accounts.pages import account, admin, auth
from mercato.kit.web import page_router

router = page_router()
for _module in (auth, account, admin):
    router.include_router(_module.router)

__all__ = ["router"]
