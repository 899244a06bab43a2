"""The cart pages: ``/cart`` for guests and buyers, the header badge, and the forms that change
the cart. Every change answers htmx with the cart body and the badge (swapped out of band), and
a plain browser with a redirect.

A guest's cart is found by the random token in the ``mercato_cart`` cookie. When a signed-in
buyer's browser still carries one, the guest cart joins theirs on the next cart request (the
badge in the header is one, on every page) and the cookie is cleared.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from mercato.cart import service
from mercato.cart.schemas import MAX_QUANTITY, AddLineIn, CartOut
from mercato.kit.auth import Principal, Role
from mercato.kit.db import rollback
from mercato.kit.deps import CurrentRuntime, DbSession
from mercato.kit.errors import MercatoError, ValidationFailed
from mercato.kit.web import flash, is_htmx, page_router, read_form, redirect, render, verify_csrf

router = page_router()
Csrf = Depends(verify_csrf)
CART = "/cart"
GUEST_COOKIE = "mercato_cart"
GUEST_COOKIE_SECONDS = 30 * 24 * 3600


def _guest_token(request: Request) -> str | None:
    token = request.cookies.get(GUEST_COOKIE)
    return token if token and 20 <= len(token) <= 100 else None


def _set_guest_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        GUEST_COOKIE,
        token,
        max_age=GUEST_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or request.app.state.runtime.settings.cookie_secure,
    )


def _principal(request: Request) -> Principal:
    principal: Principal = request.state.principal  # resolved by the page router
    return principal


async def _merge_if_signed_in(request: Request, runtime: CurrentRuntime) -> str | None:
    """Join a leftover guest cart into the signed-in buyer's, in its own writing transaction
    (the page itself only reads). Returns a message when some items could not join."""
    principal, token = _principal(request), _guest_token(request)
    if token is None or principal.is_anonymous or principal.role is not Role.BUYER:
        return None
    buyer_id = principal.require_role(Role.BUYER)
    async with runtime.database.transaction() as session:
        result = await service.merge_guest_cart(session, buyer_id, token)
    request.state.cart_cookie_stale = True
    if result.left_out:
        return (
            f"{', '.join(result.left_out)} stayed out of your cart: it is priced in another "
            "currency than the items already in it."
        )
    return None


def _finish(request: Request, response: Response, warning: str | None = None) -> Response:
    if getattr(request.state, "cart_cookie_stale", False):
        response.delete_cookie(GUEST_COOKIE)
    if warning:
        flash(response, request, warning, "warning")
    return response


def _owner(request: Request) -> service.CartOwner:
    """The cart owner of this browser; sellers and staff are refused (403)."""
    return service.owner_of(_principal(request), _guest_token(request))


def _context(request: Request, cart: CartOut) -> dict[str, Any]:
    principal = _principal(request)
    checkout = "/checkout" if not principal.is_anonymous else f"/login?next={CART}/checkout"
    return {"cart": cart, "checkout_url": checkout, "max_quantity": MAX_QUANTITY}


def _cart_response(request: Request, cart: CartOut, *, status_code: int = 200) -> HTMLResponse:
    template = "cart/_body.html" if is_htmx(request) else "cart/cart.html"
    context = {**_context(request, cart), "badge_oob": is_htmx(request)}
    return render(request, template, context, status_code=status_code)


@router.get(CART)
async def cart_page(request: Request, session: DbSession, runtime: CurrentRuntime) -> Response:
    warning = await _merge_if_signed_in(request, runtime)
    cart = await service.get_cart(session, _owner(request))
    return _finish(request, render(request, "cart/cart.html", _context(request, cart)), warning)


@router.get(f"{CART}/checkout")
async def go_to_checkout(request: Request, runtime: CurrentRuntime) -> Response:
    """Where a guest lands after signing in from the cart: the guest cart joins the account
    first, so the checkout page shows it."""
    warning = await _merge_if_signed_in(request, runtime)
    return _finish(request, redirect("/checkout", request), warning)


@router.get(f"{CART}/badge")
async def cart_badge(request: Request, session: DbSession, runtime: CurrentRuntime) -> Response:
    """The header's cart link with the item count; sellers and staff get nothing (they do not
    buy)."""
    principal = _principal(request)
    if not principal.is_anonymous and principal.role is not Role.BUYER:
        return HTMLResponse("")
    warning = await _merge_if_signed_in(request, runtime)
    count = await service.count_items(session, _owner(request))
    response = render(request, "cart/_badge.html", {"count": count, "badge_oob": False})
    return _finish(request, response, warning)


def _quantity(form: dict[str, str], field: str = "quantity") -> int:
    text = (form.get(field) or "").strip()
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed.on("quantity", "Enter a whole number.") from None


def _variant_id(form: dict[str, str]) -> uuid.UUID:
    try:
        return uuid.UUID(form.get("variant_id", ""))
    except ValueError:
        raise ValidationFailed.on("variant_id", "Choose an option first.") from None


@router.post(f"{CART}/lines", dependencies=[Csrf])
async def add_to_cart(request: Request, session: DbSession) -> Response:
    """The product page's "Add to basket": htmx swaps the button area for a confirmation."""
    form = await read_form(request)
    owner = _owner(request)
    token = owner.guest_token
    if owner.buyer_id is None and token is None:
        token = service.new_guest_token()
        owner = service.CartOwner(guest_token=token)
    back = request.headers.get("referer") or CART
    try:
        quantity = _quantity(form)
        if not 1 <= quantity <= MAX_QUANTITY:
            raise ValidationFailed.on("quantity", f"Choose between 1 and {MAX_QUANTITY}.")
        data = AddLineIn(variant_id=_variant_id(form), quantity=quantity)
        cart = await service.add_line(session, owner, data)
    except ValidationFailed as error:
        if is_htmx(request):
            refused = {"error": error.errors[0].message if error.errors else error.detail}
            return render(request, "cart/_added.html", refused, status_code=422)
        response = redirect(back, request)
        flash(response, request, error.errors[0].message if error.errors else error.detail, "error")
        return response
    added = next(
        line for group in cart.groups for line in group.lines if line.variant_id == data.variant_id
    )
    if is_htmx(request):
        context = {"line": added, "quantity": quantity, "count": cart.item_count, "badge_oob": True}
        response = render(request, "cart/_added.html", context)
    else:
        response = redirect(CART, request)
        flash(response, request, f"Added {quantity} of {added.title} to your cart.")
    if token is not None and token != _guest_token(request):
        _set_guest_cookie(request, response, token)
    return response


async def _changed(request: Request, session: DbSession, change: Awaitable[CartOut]) -> Response:
    """Apply one change; htmx gets the cart body back (with the problem shown on a refusal)."""
    try:
        cart = await change
    except MercatoError as error:
        if not is_htmx(request) or error.status != 422:
            raise
        await rollback(session)
        cart = await service.get_cart(session, _owner(request))
        context = {**_context(request, cart), "badge_oob": True, "error": error}
        return render(request, "cart/_body.html", context, status_code=422)
    if is_htmx(request):
        return _cart_response(request, cart)
    return redirect(CART, request)


@router.post(f"{CART}/lines/{{line_id}}", dependencies=[Csrf])
async def change_quantity(request: Request, line_id: uuid.UUID, session: DbSession) -> Response:
    """The quantity field, or its minus and plus buttons (which send ``set``)."""
    form = await read_form(request)
    quantity = _quantity(form, "set" if form.get("set") else "quantity")
    owner = _owner(request)
    return await _changed(
        request, session, service.change_quantity(session, owner, line_id, quantity)
    )


@router.post(f"{CART}/lines/{{line_id}}/remove", dependencies=[Csrf])
async def remove_line(request: Request, line_id: uuid.UUID, session: DbSession) -> Response:
    return await _changed(request, session, service.remove_line(session, _owner(request), line_id))


@router.post(f"{CART}/shipping/{{seller_id}}", dependencies=[Csrf])
async def choose_shipping(request: Request, seller_id: uuid.UUID, session: DbSession) -> Response:
    form = await read_form(request)
    try:
        profile_id = uuid.UUID(form.get("shipping_profile_id", ""))
    except ValueError:
        raise ValidationFailed.on("shipping_profile_id", "Choose a shipping option.") from None
    owner = _owner(request)
    return await _changed(
        request, session, service.choose_shipping(session, owner, seller_id, profile_id)
    )


@router.post(f"{CART}/acknowledge", dependencies=[Csrf])
async def acknowledge_changes(request: Request, session: DbSession) -> Response:
    return await _changed(request, session, service.acknowledge_changes(session, _owner(request)))
