"""Checkout: the buyer's whole cart becomes an order group (one order per seller) with its
stock reserved, paid by one payment split between the orders' escrow accounts.

Everything happens in one unit of work: the group, its orders and lines, the stock taken, the
payment started and the cart emptied are committed together or not at all. A retried request
with the same ``Idempotency-Key`` returns the first group and payment; the same key with
another body is a 409.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.schemas import AddressIn
from mercato.accounts.service import check_address, list_addresses
from mercato.cart.schemas import CartOut, SellerGroupOut
from mercato.cart.service import cart_for_checkout, choose_shipping, empty_cart
from mercato.catalog.service import reserve_stock
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from mercato.kit.ids import new_id
from mercato.kit.money import Money, format_money
from mercato.orders import repository
from mercato.orders.models import Order, OrderGroup, OrderLine
from mercato.orders.policy import Kind, OrderStatus
from mercato.orders.schemas import CheckoutIn, CheckoutOut, PaymentRetryIn, ShippingAddress
from mercato.orders.service._views import group_out
from mercato.orders.service.notices import notify_placed
from mercato.orders.settings import order_settings
from mercato.payments import escrow_account
from mercato.payments.schemas import PaymentMethod, PaymentOut, PaymentStatus
from mercato.payments.service import get_payment, payment_status, start_payment

MAX_KEY_LENGTH = 200
GROUP_REFERENCE_PREFIX = "order-group:"


class CartChanged(Conflict):
    slug, title = "cart-changed", "Your cart changed"


@dataclass(frozen=True)
class CheckoutResult:
    checkout: CheckoutOut
    replayed: bool


def group_reference(group_id: uuid.UUID) -> str:
    return f"{GROUP_REFERENCE_PREFIX}{group_id}"


def confirmation_path(group_id: uuid.UUID) -> str:
    return f"/checkout/{group_id}/confirmation"


CheckoutCheck = Callable[[AsyncSession, Principal], Awaitable[None]]
_checkout_checks: list[CheckoutCheck] = []


def register_checkout_check(check: CheckoutCheck) -> CheckoutCheck:
    """Run ``check(session, principal)`` before a cart is placed; it refuses by raising.
    Registered at import time by the domain that owns the rule (governance: terms of use)."""
    if check not in _checkout_checks:
        _checkout_checks.append(check)
    return check


async def checkout(
    session: AsyncSession, principal: Principal, data: CheckoutIn, idempotency_key: str | None
) -> CheckoutResult:
    """Place the signed-in buyer's cart and start its payment."""
    buyer_id = principal.require_role(Role.BUYER)
    key = _checked_key(idempotency_key)
    fingerprint = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    existing = await repository.get_group_by_key(session, buyer_id, key)
    if existing is not None:
        return await _replay(session, principal, existing, fingerprint)
    for check in _checkout_checks:
        await check(session, principal)
    for seller_id, option_id in data.shipping.items():
        await choose_shipping(session, principal, seller_id, option_id)
    cart = await cart_for_checkout(session, buyer_id)
    _check_cart(cart, data.expected_total_minor)
    needs_address = any(group.needs_shipping for group in cart.groups)
    address = await _shipping_address(session, principal, data) if needs_address else None
    group = _new_group(buyer_id, key, fingerprint, cart, address, data.payment_method)
    session.add(group)
    await session.flush()
    lines = [line for order in group.orders for line in order.lines]
    await reserve_stock(session, [(line.variant_id, line.quantity) for line in lines])
    payment = await _start_payment(
        session, principal, group, data.payment_method, f"checkout:{key}"
    )
    assert cart.id is not None  # a cart with lines exists
    await empty_cart(session, buyer_id, cart.id)
    await notify_placed(session, group)
    return CheckoutResult(CheckoutOut(group=group_out(group), payment=payment), replayed=False)


async def retry_payment(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    data: PaymentRetryIn,
    idempotency_key: str | None,
) -> CheckoutResult:
    """Pay an unpaid group again (another card, another method) while its stock is still
    reserved; refused while the previous payment may still succeed."""
    buyer_id = principal.require_role(Role.BUYER)
    key = _checked_key(idempotency_key)
    group = await repository.get_group(session, group_id, for_update=True)
    if group is None or group.buyer_id != buyer_id:
        raise NotFound("No such order.")
    if group.status != OrderStatus.AWAITING_PAYMENT:
        raise Conflict("This order is not awaiting payment.")
    derived_key = f"retry:{key}"
    if group.payment_key == derived_key and group.payment_id is not None:
        payment = await get_payment(session, principal, group.payment_id)
        return CheckoutResult(CheckoutOut(group=group_out(group), payment=payment), replayed=True)
    if group.reserved_until <= clock.now():
        raise Conflict("The reservation of these items has lapsed; check out again.")
    status = await payment_status(session, group.payment_id) if group.payment_id else None
    if status is not None and status not in (PaymentStatus.FAILED, PaymentStatus.CANCELED):
        raise Conflict("The current payment is still in progress; wait for its outcome.")
    group.payment_attempts += 1
    group.payment_method = data.payment_method.value
    payment = await _start_payment(session, principal, group, data.payment_method, derived_key)
    return CheckoutResult(CheckoutOut(group=group_out(group), payment=payment), replayed=False)


def _checked_key(key: str | None) -> str:
    cleaned = (key or "").strip()
    if not cleaned:
        raise ValidationFailed.on(
            "Idempotency-Key", "Send an Idempotency-Key header (a random value per checkout)."
        )
    if len(cleaned) > MAX_KEY_LENGTH:
        raise ValidationFailed.on("Idempotency-Key", f"Use at most {MAX_KEY_LENGTH} characters.")
    return cleaned


async def _replay(
    session: AsyncSession, principal: Principal, group: OrderGroup, fingerprint: str
) -> CheckoutResult:
    if group.request_fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was already used for a different checkout.")
    assert group.payment_id is not None
    payment = await get_payment(session, principal, group.payment_id)
    return CheckoutResult(CheckoutOut(group=group_out(group), payment=payment), replayed=True)


def _check_cart(cart: CartOut, expected_total_minor: int | None) -> None:
    if not cart.groups:
        raise CartChanged("Your cart is empty.")
    problems = [
        f"{line.title}: {line.problem}"
        for group in cart.groups
        for line in group.lines
        if line.problem
    ]
    if cart.has_problems:
        raise CartChanged(
            "Some items in your cart changed since you added them: "
            + "; ".join(problems)
            + ". Review your cart and accept the changes.",
            extensions={"problems": problems},
        )
    errors = [
        FieldError(f"shipping.{group.seller_id}", f"Choose how {group.seller_name} ships.")
        for group in cart.groups
        if group.needs_shipping and group.selected_shipping_id is None
    ]
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    if expected_total_minor is not None and expected_total_minor != cart.total_minor:
        currency = cart.currency or "EUR"
        raise CartChanged(
            f"The total is now {format_money(cart.total_minor, currency)}, not "
            f"{format_money(expected_total_minor, currency)} as shown. Review your cart.",
            extensions={"total_minor": cart.total_minor},
        )


async def _shipping_address(
    session: AsyncSession, principal: Principal, data: CheckoutIn
) -> dict[str, Any]:
    if data.address_id is not None:
        saved = {a.id: a for a in await list_addresses(session, principal)}
        if data.address_id not in saved:
            raise ValidationFailed.on("address_id", "No such address in your address book.")
        chosen = saved[data.address_id]
        return ShippingAddress(
            full_name=chosen.full_name,
            line1=chosen.line1,
            line2=chosen.line2,
            city=chosen.city,
            postal_code=chosen.postal_code,
            country=chosen.country,
            phone=chosen.phone,
        ).model_dump()
    if data.address is None:
        raise ValidationFailed.on("address", "Give a shipping address or choose a saved one.")
    try:
        check_address(AddressIn(label="Checkout", **data.address.model_dump()))
    except ValidationFailed as invalid:
        raise ValidationFailed(
            invalid.detail,
            errors=[FieldError(f"address.{e.field}", e.message) for e in invalid.errors],
        ) from None
    return data.address.model_dump()


def _number(now: datetime) -> str:
    # Readable on a phone and over the phone: date, then 8 characters no one confuses.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"M{now:%y%m%d}-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _new_group(
    buyer_id: uuid.UUID,
    key: str,
    fingerprint: str,
    cart: CartOut,
    address: dict[str, Any] | None,
    method: PaymentMethod,
) -> OrderGroup:
    now = clock.now()
    number = _number(now)
    assert cart.currency is not None
    group = OrderGroup(
        id=new_id(),
        number=number,
        buyer_id=buyer_id,
        idempotency_key=key,
        request_fingerprint=fingerprint,
        status=OrderStatus.AWAITING_PAYMENT.value,
        currency=cart.currency,
        items_minor=cart.items_minor,
        shipping_minor=cart.shipping_minor,
        total_minor=cart.total_minor,
        shipping_address=address,
        payment_method=method.value,
        payment_attempts=1,
        reserved_until=now + order_settings().reservation,
        created_at=now,
    )
    group.orders = [
        _new_order(group, seller_group, position, now)
        for position, seller_group in enumerate(cart.groups, start=1)
    ]
    return group


def _new_order(
    group: OrderGroup, cart_group: SellerGroupOut, position: int, now: datetime
) -> Order:
    order_id = new_id()
    kinds = {line.kind for line in cart_group.lines}
    order = Order(
        id=order_id,
        number=f"{group.number}-{position}",
        group_id=group.id,
        position=position,
        buyer_id=group.buyer_id,
        seller_id=cart_group.seller_id,
        seller_name=cart_group.seller_name,
        kind=Kind.GOODS.value if Kind.GOODS.value in kinds else Kind.SERVICE.value,
        status=OrderStatus.AWAITING_PAYMENT.value,
        currency=group.currency,
        items_minor=cart_group.items_minor,
        shipping_minor=cart_group.shipping_minor,
        total_minor=cart_group.total_minor,
        escrow_account=escrow_account("order", order_id),
        captured_minor=0,
        shipping_profile_id=cart_group.selected_shipping_id,
        shipping_name=cart_group.shipping_name,
        handling_days=_handling_days(cart_group),
        created_at=now,
    )
    order.lines = [
        OrderLine(
            order_id=order_id,
            position=index,
            variant_id=line.variant_id,
            listing_id=line.listing_id,
            sku=line.sku,
            title=line.title,
            options=dict(line.options),
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,
            line_total_minor=line.unit_price_minor * line.quantity,
            weight_grams=line.weight_grams,
        )
        for index, line in enumerate(cart_group.lines, start=1)
    ]
    order.transitions = []
    return order


def _handling_days(cart_group: SellerGroupOut) -> int | None:
    for option in cart_group.shipping_options:
        if option.id == cart_group.selected_shipping_id:
            return option.handling_days
    return None


async def _start_payment(
    session: AsyncSession,
    principal: Principal,
    group: OrderGroup,
    method: PaymentMethod,
    payment_key: str,
) -> PaymentOut:
    """One payment for the group, captured into each order's escrow account by its total."""
    started = await start_payment(
        session,
        principal,
        Money(group.total_minor, group.currency),
        method,
        payment_key,
        group_reference(group.id),
        confirmation_path(group.id),
        split=[(order.escrow_account, order.total_minor) for order in group.orders],
    )
    group.payment_id = started.payment.id
    group.payment_key = payment_key
    return started.payment
