"""The buyer's order pages: checkout on one page (address, shipping per seller, payment method,
summary), the confirmation page the payment provider returns to, the order history and one
order with its timeline and the buyer's own moves (confirm delivery, confirm a service,
cancel before the seller accepts)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.schemas import AddressOut
from mercato.accounts.service import list_addresses
from mercato.cart.schemas import CartOut
from mercato.cart.service import choose_shipping, get_cart
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession, WritingDbSession
from mercato.kit.errors import FieldError, MercatoError, ValidationFailed
from mercato.kit.web import (
    PageRedirect,
    PageUser,
    flash,
    is_htmx,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)
from mercato.orders import service
from mercato.orders.pages._common import formatting
from mercato.orders.policy import OrderStatus
from mercato.orders.schemas import (
    CancelIn,
    CheckoutIn,
    OrderGroupOut,
    PaymentRetryIn,
    ShippingAddress,
)
from mercato.payments.schemas import PaymentMethod, PaymentOut, PaymentStatus
from mercato.payments.service import refresh_payment

router = page_router()
Csrf = Depends(verify_csrf)
CHECKOUT = "/checkout"
ORDERS = "/orders"
HISTORY_PAGE_SIZE = 10
NEW_ADDRESS = "new"
ADDRESS_FIELDS = tuple(ShippingAddress.model_fields)
# The reason the reservation sweep writes on a group whose payment never came.
LAPSED_REASON = "Payment was not completed in time."

PAYMENT_METHODS = (
    (PaymentMethod.CARD, "Card", "Visa, Mastercard or Amex, on the payment provider's page."),
    (PaymentMethod.EWALLET, "E-wallet", "Approve the payment in your wallet; no card needed."),
    (
        PaymentMethod.BANK_TRANSFER,
        "Instant bank transfer",
        "Pay from your bank account; your order is confirmed once the money arrives.",
    ),
)
METHOD_NAMES = {method.value: name for method, name, _ in PAYMENT_METHODS}

# The buyer's moves on an order, with the button each gets.
BUYER_ACTIONS = {
    OrderStatus.DELIVERED: "Confirm delivery",
    OrderStatus.CONFIRMED: "Confirm the service was performed",
    OrderStatus.CANCELED: "Cancel order",
}


def _buyer_context(**extra: Any) -> dict[str, Any]:
    return {**formatting(), "method_names": METHOD_NAMES, **extra}


# --- checkout ------------------------------------------------------------------------------------


async def _checkout_view(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """What the checkout page shows: the live cart and, when something ships, the address book."""
    cart = await get_cart(session, principal)
    needs_address = any(group.needs_shipping for group in cart.groups)
    saved = await list_addresses(session, principal) if needs_address else []
    return _buyer_context(
        cart=cart,
        needs_address=needs_address,
        addresses=[AddressOut.model_validate(address) for address in saved],
        payment_methods=PAYMENT_METHODS,
    )


def _first_choices(addresses: list[AddressOut]) -> dict[str, str]:
    default = next((a for a in addresses if a.is_default), addresses[0] if addresses else None)
    return {
        "address_choice": str(default.id) if default else NEW_ADDRESS,
        "payment_method": PaymentMethod.CARD.value,
    }


@router.get(CHECKOUT)
async def checkout_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    view = await _checkout_view(session, principal)
    if not view["cart"].groups:
        raise PageRedirect("/cart", "Your cart is empty: add something to check out.", "info")
    context = {
        **view,
        "form": _first_choices(view["addresses"]),
        # A fresh key per rendered page: submitting the same page twice replays the first order.
        "idempotency_key": secrets.token_urlsafe(24),
    }
    return render(request, "orders/checkout.html", context)


def _typed_address(form: dict[str, str]) -> ShippingAddress:
    return parse_form(ShippingAddress, {name: form.get(name, "") for name in ADDRESS_FIELDS})


def _address_part(form: dict[str, str]) -> dict[str, Any]:
    """The saved address chosen, or the one typed in; nothing when the page asked for none
    (a cart of services only)."""
    choice = form.get("address_choice")
    if choice is None:
        return {}
    if choice != NEW_ADDRESS:
        try:
            return {"address_id": uuid.UUID(choice)}
        except ValueError:
            raise ValidationFailed.on("address_choice", "Choose one of your addresses.") from None
    return {"address": _typed_address(form)}


def _shipping_part(form: dict[str, str]) -> dict[uuid.UUID, uuid.UUID]:
    chosen: dict[uuid.UUID, uuid.UUID] = {}
    for name, value in form.items():
        if not name.startswith("shipping-"):
            continue
        try:
            chosen[uuid.UUID(name.removeprefix("shipping-"))] = uuid.UUID(value)
        except ValueError:
            raise ValidationFailed.on(name, "Choose one of the shipping options.") from None
    return chosen


def _checkout_input(form: dict[str, str]) -> CheckoutIn:
    """The checkout request from the form, with every field's problem reported at once."""
    errors: list[FieldError] = []
    parts: dict[str, Any] = {}
    for read in (_address_part, lambda f: {"shipping": _shipping_part(f)}):
        try:
            parts.update(read(form))
        except ValidationFailed as invalid:
            errors.extend(invalid.errors)
    try:
        parts["payment_method"] = PaymentMethod(form.get("payment_method", ""))
    except ValueError:
        errors.append(FieldError("payment_method", "Choose how you want to pay."))
    try:
        parts["expected_total_minor"] = int(form.get("expected_total_minor", ""))
    except ValueError:
        errors.append(FieldError("form", "The page is out of date: reload it and try again."))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return CheckoutIn(**parts)


def _checkout_errors(error: MercatoError) -> dict[str, str]:
    """Field -> message, named as the form names its fields ("address.city" is "city")."""
    messages: dict[str, str] = {}
    for item in error.errors:
        name = item.field.removeprefix("address.")
        if name.startswith("shipping."):
            name = "shipping-" + name.removeprefix("shipping.")
        messages.setdefault(name, item.message)
    return messages


@router.post(CHECKOUT, dependencies=[Csrf])
async def place_order(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        data = _checkout_input(form)
        result = await service.checkout(session, principal, data, form.get("idempotency_key", ""))
    except MercatoError as error:
        return await _checkout_refused(request, session, principal, form, error)
    payment = result.checkout.payment
    if payment.status is PaymentStatus.REQUIRES_ACTION and payment.redirect_url:
        return redirect(payment.redirect_url)
    return redirect(service.confirmation_path(result.checkout.group.id))


async def _checkout_refused(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    form: dict[str, str],
    error: MercatoError,
) -> Response:
    """The page again, as typed, with each problem next to its field and the live cart; or,
    when the terms of use changed, their page first (it comes back here)."""
    await rollback(session)
    accept_url = error.extensions.get("accept_url")
    if isinstance(accept_url, str):
        return redirect(f"{accept_url}?{urlencode({'next': CHECKOUT})}", request)
    view = await _checkout_view(session, principal)
    context = {
        **view,
        "form": form,
        "errors": _checkout_errors(error),
        "error": error,
        # Nothing was placed under the old key; a new one lets the corrected form go through.
        "idempotency_key": secrets.token_urlsafe(24),
    }
    return render(request, "orders/checkout.html", context, status_code=error.status)


@router.post(f"{CHECKOUT}/shipping/{{seller_id}}", dependencies=[Csrf])
async def change_shipping(
    seller_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    """A shipping radio changed: htmx gets the sellers and the summary with the new totals."""
    form = await read_form(request)
    context: dict[str, Any] = {"form": form}
    try:
        option_id = uuid.UUID(form.get(f"shipping-{seller_id}", ""))
    except ValueError:
        option_id = None
    try:
        if option_id is None:
            raise ValidationFailed.on(f"shipping-{seller_id}", "Choose a shipping option.")
        cart = await choose_shipping(session, principal, seller_id, option_id)
    except MercatoError as error:
        await rollback(session)
        cart = await get_cart(session, principal)
        context["shipping_error"] = error.errors[0].message if error.errors else error.detail
    if not is_htmx(request):
        return redirect(CHECKOUT)
    return render(request, "orders/checkout_live.html", _live_context(cart, context))


def _live_context(cart: CartOut, extra: dict[str, Any]) -> dict[str, Any]:
    return _buyer_context(cart=cart, summary_oob=True, **extra)


# --- confirmation --------------------------------------------------------------------------------


def confirmation_state(group: OrderGroupOut, payment: PaymentOut | None, now: datetime) -> str:
    """What the buyer is told on return: paid, confirming (the money arrived, the order is
    being marked paid), processing (a bank transfer on its way), pending (still on the
    provider's page), failed (may pay again while the items are reserved) or lapsed."""
    if group.status == OrderStatus.PAID:
        return "paid"
    if group.status == OrderStatus.CANCELED:
        return "lapsed"
    status = payment.status if payment is not None else None
    if status is PaymentStatus.SUCCEEDED:
        return "confirming"
    if status is PaymentStatus.PROCESSING:
        return "processing"
    if status in (PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION):
        return "pending"
    return "lapsed" if group.reserved_until <= now else "failed"


def _confirmation_url(group_id: uuid.UUID) -> str:
    return service.confirmation_path(group_id)


@router.get(f"{CHECKOUT}/{{group_id}}/confirmation")
async def confirmation(
    group_id: uuid.UUID, request: Request, session: WritingDbSession, principal: PageUser
) -> Response:
    group = await service.get_group(session, principal, group_id)
    payment = None
    if group.status == OrderStatus.AWAITING_PAYMENT and group.payment_id is not None:
        # The buyer may be back before the provider's webhook: ask the provider now.
        payment = await refresh_payment(session, principal, group.payment_id)
    state = confirmation_state(group, payment, clock.now())
    context = _buyer_context(
        group=group,
        payment=payment,
        state=state,
        poll=state in ("confirming", "processing", "pending"),
        lapsed_reason=group.cancel_reason or LAPSED_REASON,
        payment_methods=PAYMENT_METHODS,
        idempotency_key=secrets.token_urlsafe(24),
        confirmation_url=_confirmation_url(group.id),
    )
    return render(request, "orders/confirmation.html", context)


@router.post(f"{CHECKOUT}/{{group_id}}/payments", dependencies=[Csrf])
async def pay_again(
    group_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    """ "Try again" after a declined or abandoned payment, while the items are reserved."""
    form = await read_form(request)
    back = _confirmation_url(group_id)
    try:
        data = PaymentRetryIn(payment_method=PaymentMethod(form.get("payment_method", "")))
    except ValueError:
        response = redirect(back)
        flash(response, request, "Choose how you want to pay.", "error")
        return response
    try:
        result = await service.retry_payment(
            session, principal, group_id, data, form.get("idempotency_key", "")
        )
    except MercatoError as error:
        if error.status == 404:
            raise
        await rollback(session)
        response = redirect(back)
        flash(response, request, error.detail, "error")
        return response
    payment = result.checkout.payment
    if payment.status is PaymentStatus.REQUIRES_ACTION and payment.redirect_url:
        return redirect(payment.redirect_url)
    return redirect(back)


# --- history and one order -----------------------------------------------------------------------


@router.get(ORDERS)
async def order_history(
    request: Request,
    session: DbSession,
    principal: PageUser,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    page = await service.list_my_groups(session, principal, cursor=cursor, limit=HISTORY_PAGE_SIZE)
    context = _buyer_context(page=page, cursor=cursor)
    return render(request, "orders/history.html", context)


def _elsewhere(principal: Principal, order_id: uuid.UUID) -> None:
    """Sellers and staff have their own order pages, with their own actions."""
    if principal.role is Role.SELLER:
        raise PageRedirect(f"/seller/orders/{order_id}")
    if principal.is_staff:
        raise PageRedirect(f"/admin/orders/{order_id}")


@router.get(f"{ORDERS}/{{order_id}}")
async def order_page(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    _elsewhere(principal, order_id)
    found = await service.get_order_with_money(session, principal, order_id)
    order = found.order
    actions = [(status, BUYER_ACTIONS[status]) for status in order.next_actions]
    context = _buyer_context(
        order=order, actions=actions, timeline_viewer="buyer", refunds=found.money.refunds
    )
    return render(request, "orders/order.html", context)


@router.post(f"{ORDERS}/{{order_id}}/actions", dependencies=[Csrf])
async def order_action(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    back = f"{ORDERS}/{order_id}"
    response = redirect(back)
    try:
        target = OrderStatus(form.get("to", ""))
        if target not in BUYER_ACTIONS:
            raise ValueError(target)
    except ValueError:
        flash(response, request, "That is not something you can do with this order.", "error")
        return response
    try:
        cancel = (
            parse_form(CancelIn, {"reason": form.get("reason", "")})
            if target is OrderStatus.CANCELED
            else None
        )
        order = await service.transition_order(session, principal, order_id, target, cancel=cancel)
    except MercatoError as error:
        if error.status == 404:
            raise
        await rollback(session)
        flash(response, request, error.detail, "error")
        return response
    flash(response, request, _done_message(target, order.number))
    return response


def _done_message(target: OrderStatus, number: str) -> str:
    if target is OrderStatus.DELIVERED:
        return f"Thank you: order {number} is marked delivered."
    if target is OrderStatus.CONFIRMED:
        return f"Thank you: you confirmed the service of order {number}."
    return f"Order {number} is cancelled; your payment will be returned."
