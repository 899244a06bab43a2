"""Cart use cases: adding, changing and removing lines, choosing shipping per seller, accepting
what changed, merging a guest's cart at sign-in; and the checkout's read of a buyer's cart.

Prices and stock are read live from the catalog on every view (never cached); a line keeps the
price the buyer saw, so a change is explained to them and applied only once they accept it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.cart import calculations, repository
from mercato.cart.calculations import LiveVariant, money_label
from mercato.cart.models import Cart, CartLine, CartShippingChoice
from mercato.cart.schemas import (
    MAX_QUANTITY,
    AddLineIn,
    CartLineOut,
    CartOut,
    MergeResult,
    SellerGroupOut,
    ShippingOptionOut,
)
from mercato.catalog import service as catalog
from mercato.catalog.schemas import VariantForCheckout
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from mercato.kit.ids import new_id
from mercato.sellers import service as sellers

log = structlog.get_logger(__name__)

__all__ = [
    "CartOwner",
    "acknowledge_changes",
    "add_line",
    "buyer_of",
    "cart_for_checkout",
    "change_quantity",
    "choose_shipping",
    "count_items",
    "empty_cart",
    "get_cart",
    "hash_guest_token",
    "merge_guest_cart",
    "new_guest_token",
    "owner_of",
    "remove_line",
]


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a buyer's, or a guest's identified by the random token in their cookie."""

    buyer_id: uuid.UUID | None = None
    guest_token: str | None = None


def new_guest_token() -> str:
    return secrets.token_urlsafe(32)


def hash_guest_token(token: str) -> str:
    """Only this hash is stored: a leaked database does not reveal anyone's cart cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def owner_of(principal: Principal, guest_token: str | None = None) -> CartOwner:
    """The cart owner behind a request. Sellers and staff may not buy (403); a visitor's cart
    is the guest cart of their cookie."""
    if principal.is_anonymous:
        return CartOwner(guest_token=guest_token)
    if principal.role is not Role.BUYER:
        raise Forbidden("Seller and staff accounts cannot buy. Sign in with a buyer account.")
    return CartOwner(buyer_id=principal.require_role(Role.BUYER))


def buyer_of(principal: Principal) -> CartOwner:
    """The API's cart owner: a signed-in buyer (anonymous callers 401, other roles 403)."""
    return CartOwner(buyer_id=principal.require_role(Role.BUYER))


def _owner(principal_or_owner: Principal | CartOwner) -> CartOwner:
    if isinstance(principal_or_owner, CartOwner):
        return principal_or_owner
    return owner_of(principal_or_owner)


async def _load(session: AsyncSession, owner: CartOwner) -> Cart | None:
    if owner.buyer_id is not None:
        return await repository.get_by_buyer(session, owner.buyer_id)
    if owner.guest_token:
        return await repository.get_by_guest_hash(session, hash_guest_token(owner.guest_token))
    return None


async def _load_or_create(session: AsyncSession, owner: CartOwner) -> Cart:
    cart = await _load(session, owner)
    if cart is not None:
        return cart
    if owner.buyer_id is None and not owner.guest_token:
        raise Unauthorized("Sign in, or allow cookies, to keep a cart.")
    cart = Cart(
        id=new_id(),
        buyer_id=owner.buyer_id,
        guest_token_hash=None if owner.buyer_id else hash_guest_token(owner.guest_token or ""),
        currency=None,
        lines=[],
        shipping_choices=[],
    )
    return await repository.add_cart(session, cart)


async def _require(session: AsyncSession, owner: CartOwner) -> Cart:
    cart = await _load(session, owner)
    if cart is None:
        raise NotFound("Your cart is empty.")
    return cart


def _line(cart: Cart, line_id: uuid.UUID) -> CartLine:
    for line in cart.lines:
        if line.id == line_id:
            return line
    raise NotFound("No such line in your cart.")


def _tidy(cart: Cart) -> None:
    """Forget shipping choices of sellers no longer in the cart, and the currency of an empty
    cart (the next item sets it again)."""
    seller_ids = {line.seller_id for line in cart.lines}
    for choice in [c for c in cart.shipping_choices if c.seller_id not in seller_ids]:
        cart.shipping_choices.remove(choice)
    if not cart.lines:
        cart.currency = None


# --- reading ---------------------------------------------------------------------------------


def _live(variant: VariantForCheckout | None) -> LiveVariant | None:
    if variant is None:
        return None
    return LiveVariant(variant.price_minor, variant.currency, variant.stock, variant.purchasable)


def _line_out(
    line: CartLine,
    variant: VariantForCheckout | None,
    currency: str | None,
    images: dict[uuid.UUID, str],
) -> CartLineOut:
    live = _live(variant)
    available = calculations.is_available(live, currency)
    price = variant.price_minor if variant else line.unit_price_seen_minor
    total = price * line.quantity if available else 0
    return CartLineOut(
        line_id=line.id,
        variant_id=line.variant_id,
        listing_id=variant.listing_id if variant else None,
        seller_id=line.seller_id,
        title=variant.title if variant else "Item removed by the seller",
        sku=variant.sku if variant else "",
        options=variant.options if variant else {},
        kind=variant.kind.value if variant else "goods",
        quantity=line.quantity,
        unit_price_minor=price,
        unit_price_seen_minor=line.unit_price_seen_minor,
        line_total_minor=total,
        stock=variant.stock if variant else 0,
        weight_grams=variant.weight_grams if variant else None,
        image_url=images.get(variant.listing_id) if variant else None,
        problem=calculations.line_problem(
            line.quantity, line.unit_price_seen_minor, live, currency
        ),
        available=available,
        unit_price_label=money_label(price, currency),
        line_total_label=money_label(total, currency),
    )


async def _options(
    session: AsyncSession, seller_id: uuid.UUID, currency: str | None, lines: list[CartLineOut]
) -> list[ShippingOptionOut]:
    """The seller's shipping profiles in the cart's currency, priced for this parcel."""
    items = sum(line.line_total_minor for line in lines)
    weight = calculations.group_weight(lines)
    return [
        ShippingOptionOut(
            id=profile.id,
            name=profile.name,
            price_minor=(price := catalog.quote_shipping(profile, items, weight)),
            handling_days=profile.handling_days,
            price_label="Free" if price == 0 else money_label(price, currency),
            summary=profile.summary,
        )
        for profile in await catalog.list_shipping_options(session, seller_id)
        if profile.currency == currency
    ]


async def _priced(session: AsyncSession, cart: Cart | None) -> CartOut:
    """The cart as the buyer sees it now: live prices and stock, grouped by seller."""
    if cart is None or not cart.lines:
        return calculations.build_cart(cart.id if cart else None, None, [])
    found = await catalog.get_variants_for_checkout(
        session, [line.variant_id for line in cart.lines]
    )
    variants = {line.variant_id: found.get(line.variant_id) for line in cart.lines}
    listing_ids = [v.listing_id for v in variants.values() if v is not None]
    images = await catalog.listing_thumbnails(session, listing_ids)
    seller_ids = list(dict.fromkeys(line.seller_id for line in cart.lines))
    storefronts = await sellers.get_storefronts(session, seller_ids)
    chosen = {c.seller_id: c.shipping_profile_id for c in cart.shipping_choices}
    groups: list[SellerGroupOut] = []
    for seller_id in seller_ids:
        lines = [
            _line_out(line, variants[line.variant_id], cart.currency, images)
            for line in cart.lines
            if line.seller_id == seller_id
        ]
        storefront = storefronts.get(seller_id)
        name = storefront.display_name if storefront else "A former seller"
        options = await _options(session, seller_id, cart.currency, lines)
        groups.append(
            calculations.build_group(
                seller_id, name, lines, options, chosen.get(seller_id), cart.currency
            )
        )
    return calculations.build_cart(cart.id, cart.currency, groups)


async def get_cart(session: AsyncSession, principal_or_owner: Principal | CartOwner) -> CartOut:
    """The cart priced live; an empty cart when there is none yet."""
    return await _priced(session, await _load(session, _owner(principal_or_owner)))


async def count_items(session: AsyncSession, owner: CartOwner) -> int:
    """How many items the cart holds (the header badge): one cheap query, no pricing."""
    if owner.buyer_id is not None:
        return await repository.count_items_of_buyer(session, owner.buyer_id)
    if owner.guest_token:
        return await repository.count_items_of_guest(session, hash_guest_token(owner.guest_token))
    return 0


async def cart_for_checkout(session: AsyncSession, buyer_id: uuid.UUID) -> CartOut:
    """The buyer's cart priced live, for checkout (``groups == []`` when it is empty). Checkout
    must refuse while ``has_problems``: the buyer has not seen the current prices."""
    return await _priced(session, await repository.get_by_buyer(session, buyer_id))


# --- changing --------------------------------------------------------------------------------


def _check_addable(
    variant: VariantForCheckout | None, cart: Cart | None, already: int, quantity: int
) -> None:
    """Refuses, with a message per field, an item that cannot go into this cart."""
    if variant is None:
        raise ValidationFailed.on("variant_id", "This item does not exist.")
    if not variant.purchasable:
        message = "This item is sold out." if variant.stock <= 0 else "This item is not for sale."
        raise ValidationFailed.on("variant_id", message)
    if cart is not None and cart.currency and cart.lines and cart.currency != variant.currency:
        raise ValidationFailed.on(
            "variant_id",
            f"Your cart holds items priced in {cart.currency}; this one is priced in "
            f"{variant.currency}. One order is paid in one currency: check out or empty your "
            "cart first.",
        )
    wanted = already + quantity
    if wanted > MAX_QUANTITY:
        raise ValidationFailed.on(
            "quantity", f"You can have at most {MAX_QUANTITY} of one item in your cart."
        )
    if wanted > variant.stock:
        held = f" (you already have {already} in your cart)" if already else ""
        raise ValidationFailed.on("quantity", f"Only {variant.stock} left{held}.")


async def add_line(
    session: AsyncSession, principal_or_owner: Principal | CartOwner, data: AddLineIn
) -> CartOut:
    """Put ``quantity`` of a variant in the cart (added to the line already holding it). Checks
    everything before writing: a refused item writes nothing."""
    owner = _owner(principal_or_owner)
    cart = await _load(session, owner)
    variant = await catalog.get_variant_for_checkout(session, data.variant_id)
    existing = (
        next((ln for ln in cart.lines if ln.variant_id == data.variant_id), None) if cart else None
    )
    _check_addable(variant, cart, existing.quantity if existing else 0, data.quantity)
    assert variant is not None  # _check_addable refuses a missing one
    try:
        cart = await _put(session, owner, cart, existing, variant, data.quantity)
    except IntegrityError:
        # Two first adds raced to create the same cart or line: the loser retries.
        raise Conflict("Your cart changed at the same moment; add the item again.") from None
    return await _priced(session, cart)


async def _put(
    session: AsyncSession,
    owner: CartOwner,
    cart: Cart | None,
    existing: CartLine | None,
    variant: VariantForCheckout,
    quantity: int,
) -> Cart:
    cart = cart or await _load_or_create(session, owner)
    if existing is not None:
        existing.quantity += quantity
        existing.unit_price_seen_minor = variant.price_minor  # the buyer just saw this price
    else:
        cart.lines.append(
            CartLine(
                id=new_id(),
                variant_id=variant.variant_id,
                seller_id=variant.seller_id,
                quantity=quantity,
                unit_price_seen_minor=variant.price_minor,
                added_at=clock.now(),
            )
        )
    cart.currency = variant.currency
    cart.updated_at = clock.now()
    await session.flush()
    return cart


async def change_quantity(
    session: AsyncSession,
    principal_or_owner: Principal | CartOwner,
    line_id: uuid.UUID,
    quantity: int,
) -> CartOut:
    """Set a line's quantity; 0 removes it. Above stock or the per-line limit is refused."""
    cart = await _require(session, _owner(principal_or_owner))
    line = _line(cart, line_id)
    if quantity <= 0:
        return await _remove(session, cart, line)
    if quantity > MAX_QUANTITY:
        raise ValidationFailed.on("quantity", f"You can have at most {MAX_QUANTITY} of one item.")
    variant = await catalog.get_variant_for_checkout(session, line.variant_id)
    if quantity > line.quantity and (variant is None or quantity > variant.stock):
        left = variant.stock if variant and variant.purchasable else 0
        raise ValidationFailed.on("quantity", f"Only {left} left.")
    line.quantity = quantity
    await session.flush()
    return await _priced(session, cart)


async def _remove(session: AsyncSession, cart: Cart, line: CartLine) -> CartOut:
    cart.lines.remove(line)
    _tidy(cart)
    await session.flush()
    return await _priced(session, cart)


async def remove_line(
    session: AsyncSession, principal_or_owner: Principal | CartOwner, line_id: uuid.UUID
) -> CartOut:
    cart = await _require(session, _owner(principal_or_owner))
    return await _remove(session, cart, _line(cart, line_id))


async def choose_shipping(
    session: AsyncSession,
    principal_or_owner: Principal | CartOwner,
    seller_id: uuid.UUID,
    shipping_profile_id: uuid.UUID,
) -> CartOut:
    """Pick how one seller's parcel is shipped: one of that seller's profiles in the cart's
    currency."""
    cart = await _require(session, _owner(principal_or_owner))
    if not any(line.seller_id == seller_id for line in cart.lines):
        raise NotFound("Your cart holds nothing from this seller.")
    offered = await catalog.list_shipping_options(session, seller_id)
    if not any(p.id == shipping_profile_id and p.currency == cart.currency for p in offered):
        raise ValidationFailed.on(
            "shipping_profile_id", "This seller does not offer that shipping option."
        )
    choice = next((c for c in cart.shipping_choices if c.seller_id == seller_id), None)
    if choice is None:
        cart.shipping_choices.append(
            CartShippingChoice(
                id=new_id(), seller_id=seller_id, shipping_profile_id=shipping_profile_id
            )
        )
    else:
        choice.shipping_profile_id = shipping_profile_id
    await session.flush()
    return await _priced(session, cart)


async def acknowledge_changes(
    session: AsyncSession, principal_or_owner: Principal | CartOwner
) -> CartOut:
    """The buyer accepts what changed: current prices become the seen ones, quantities shrink
    to the stock left, and items no longer for sale leave the cart."""
    cart = await _load(session, _owner(principal_or_owner))
    if cart is None:
        return await _priced(session, None)
    for line in list(cart.lines):
        variant = await catalog.get_variant_for_checkout(session, line.variant_id)
        if not calculations.is_available(_live(variant), cart.currency):
            cart.lines.remove(line)
            continue
        assert variant is not None
        line.unit_price_seen_minor = variant.price_minor
        line.quantity = calculations.clamp_quantity(line.quantity, variant.stock)
    _tidy(cart)
    await session.flush()
    return await _priced(session, cart)


async def empty_cart(session: AsyncSession, buyer_id: uuid.UUID, cart_id: uuid.UUID) -> None:
    """Remove the lines and shipping choices of the buyer's cart, after a successful checkout.
    Another buyer's cart id is "not found"."""
    cart = await repository.get_by_buyer(session, buyer_id)
    if cart is None or cart.id != cart_id:
        raise NotFound("No such cart.")
    cart.lines.clear()
    cart.shipping_choices.clear()
    cart.currency = None
    await session.flush()


async def merge_guest_cart(
    session: AsyncSession, buyer_id: uuid.UUID, guest_token: str
) -> MergeResult:
    """Move a guest's cart into the buyer's at sign-in: quantities of the same item add up
    (clamped to the stock left), the guest cart is deleted. Items in another currency than the
    buyer's cart cannot join; they are named in the result."""
    guest = await repository.get_by_guest_hash(session, hash_guest_token(guest_token))
    if guest is None:
        return MergeResult(merged_lines=0, left_out=[])
    cart = await _load_or_create(session, CartOwner(buyer_id=buyer_id))
    merged, left_out = 0, []
    for line in guest.lines:
        variant = await catalog.get_variant_for_checkout(session, line.variant_id)
        currency = variant.currency if variant else guest.currency
        if cart.lines and cart.currency and currency != cart.currency:
            left_out.append(variant.title if variant else "An item")
            continue
        _merge_line(cart, line, variant)
        cart.currency = currency
        merged += 1
    known = {c.seller_id for c in cart.shipping_choices}
    for choice in guest.shipping_choices:
        if choice.seller_id not in known:
            cart.shipping_choices.append(
                CartShippingChoice(
                    id=new_id(),
                    seller_id=choice.seller_id,
                    shipping_profile_id=choice.shipping_profile_id,
                )
            )
    await repository.delete_cart(session, guest)
    _tidy(cart)
    await session.flush()
    log.info("cart_merged", buyer_id=str(buyer_id), lines=merged, left_out=len(left_out))
    return MergeResult(merged_lines=merged, left_out=left_out)


def _merge_line(cart: Cart, line: CartLine, variant: VariantForCheckout | None) -> None:
    existing = next((ln for ln in cart.lines if ln.variant_id == line.variant_id), None)
    wanted = line.quantity + (existing.quantity if existing else 0)
    # Clamp to stock only while the item is for sale; otherwise the line shows why it is not.
    quantity = (
        calculations.clamp_quantity(wanted, variant.stock)
        if variant is not None and variant.purchasable
        else min(wanted, MAX_QUANTITY)
    )
    if existing is not None:
        existing.quantity = max(quantity, 1)
        return
    cart.lines.append(
        CartLine(
            id=new_id(),
            variant_id=line.variant_id,
            seller_id=line.seller_id,
            quantity=max(quantity, 1),
            unit_price_seen_minor=line.unit_price_seen_minor,
            added_at=line.added_at,
        )
    )
