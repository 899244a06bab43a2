"""Pure cart rules and money math: what changed on a line, seller groups with their shipping,
and the cart's totals. No I/O: the service gathers live prices, stock and shipping quotes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from mercato.cart.schemas import (
    MAX_QUANTITY,
    CartLineOut,
    CartOut,
    SellerGroupOut,
    ShippingOptionOut,
)
from mercato.kit.money import Money

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥"}


def money_label(amount_minor: int, currency: str | None) -> str:
    """An amount for people: "€12.50", "£3.00", "CHF 4.90"."""
    if currency is None:
        return f"{amount_minor}"
    value = f"{Money(amount_minor, currency).to_decimal():f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{currency} {value}"


@dataclass(frozen=True)
class LiveVariant:
    """What the catalog says about a variant right now."""

    price_minor: int
    currency: str
    stock: int
    purchasable: bool  # visible to buyers and in stock


def line_problem(
    quantity: int, seen_minor: int, live: LiveVariant | None, cart_currency: str | None
) -> str | None:
    """Why a line needs the buyer's attention, or None when nothing changed since they saw it."""
    if live is None or (cart_currency is not None and live.currency != cart_currency):
        return "No longer available"
    if not live.purchasable:
        return "Sold out" if live.stock <= 0 else "No longer available"
    problems = []
    if live.price_minor != seen_minor:
        before = money_label(seen_minor, live.currency)
        after = money_label(live.price_minor, live.currency)
        problems.append(f"Price changed from {before} to {after}")
    if live.stock < quantity:
        problems.append(f"Only {live.stock} left")
    return " · ".join(problems) or None


def is_available(live: LiveVariant | None, cart_currency: str | None) -> bool:
    return (
        live is not None
        and live.purchasable
        and (cart_currency is None or live.currency == cart_currency)
    )


def clamp_quantity(wanted: int, stock: int) -> int:
    """The most of ``wanted`` one line may hold: never above stock nor the per-line limit."""
    return max(0, min(wanted, stock, MAX_QUANTITY))


def group_weight(lines: Sequence[CartLineOut]) -> int:
    """Grams of the goods that can be bought (a variant without a weight counts as 0 g)."""
    return sum(
        (line.weight_grams or 0) * line.quantity
        for line in lines
        if line.available and line.kind == "goods"
    )


def needs_shipping(lines: Sequence[CartLineOut]) -> bool:
    return any(line.kind == "goods" and line.available for line in lines)


def pick_option(
    options: Sequence[ShippingOptionOut], chosen_id: uuid.UUID | None
) -> ShippingOptionOut | None:
    """The buyer's choice when it is still offered, else the cheapest (by name on a tie)."""
    for option in options:
        if option.id == chosen_id:
            return option
    return min(options, key=lambda o: (o.price_minor, o.name), default=None)


def build_group(
    seller_id: uuid.UUID,
    seller_name: str,
    lines: list[CartLineOut],
    options: list[ShippingOptionOut],
    chosen_id: uuid.UUID | None,
    currency: str | None,
) -> SellerGroupOut:
    """One seller's parcel: its lines, shipping options (none when nothing needs shipping) and
    totals. ``options`` are already priced for this parcel."""
    items = sum(line.line_total_minor for line in lines)
    shipped = needs_shipping(lines)
    offered = options if shipped else []
    selected = pick_option(offered, chosen_id)
    shipping = selected.price_minor if selected else 0
    return SellerGroupOut(
        seller_id=seller_id,
        seller_name=seller_name,
        needs_shipping=shipped,
        lines=lines,
        shipping_options=offered,
        selected_shipping_id=selected.id if selected else None,
        shipping_name=selected.name if selected else None,
        items_minor=items,
        shipping_minor=shipping,
        total_minor=items + shipping,
        weight_grams=group_weight(lines),
        items_label=money_label(items, currency),
        shipping_label="Free" if shipping == 0 else money_label(shipping, currency),
        total_label=money_label(items + shipping, currency),
    )


def build_cart(
    cart_id: uuid.UUID | None, currency: str | None, groups: list[SellerGroupOut]
) -> CartOut:
    items = sum(group.items_minor for group in groups)
    shipping = sum(group.shipping_minor for group in groups)
    return CartOut(
        id=cart_id,
        currency=currency,
        groups=groups,
        items_minor=items,
        shipping_minor=shipping,
        total_minor=items + shipping,
        item_count=sum(line.quantity for group in groups for line in group.lines),
        has_problems=any(line.problem for group in groups for line in group.lines),
        items_label=money_label(items, currency),
        shipping_label="Free" if shipping == 0 else money_label(shipping, currency),
        total_label=money_label(items + shipping, currency),
    )
