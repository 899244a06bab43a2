"""Cart use cases on both databases: adding, guest carts merging at sign-in, changes explained
and acknowledged, refusals that write nothing, and the checkout's read and emptying."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, func, select, update

from mercato.cart import service
from mercato.cart.models import Cart, CartLine, CartShippingChoice
from mercato.cart.schemas import AddLineIn
from mercato.catalog.models import Listing, Variant
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from mercato.sellers.models import Seller


async def counts(runtime) -> tuple[int, int, int]:
    found = []
    async with runtime.database.reading() as session:
        for model in (Cart, CartLine, CartShippingChoice):
            found.append(
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
            )
    return found[0], found[1], found[2]


def buyer_of(shop) -> service.CartOwner:
    return service.CartOwner(buyer_id=uuid.UUID(shop.buyer_id))


async def add(runtime, owner, variant_id: str, quantity: int = 1):
    async with runtime.database.transaction() as session:
        return await service.add_line(
            session, owner, AddLineIn(variant_id=uuid.UUID(variant_id), quantity=quantity)
        )


async def test_guest_cart_keeps_only_the_token_hash(runtime, shop):
    token = service.new_guest_token()
    guest = service.CartOwner(guest_token=token)
    cart = await add(runtime, guest, shop.mug_small, 2)
    assert cart.item_count == 2
    async with runtime.database.reading() as session:
        row = (await session.execute(select(Cart.buyer_id, Cart.guest_token_hash))).one()
    assert row.buyer_id is None
    assert row.guest_token_hash == service.hash_guest_token(token) != token
    async with runtime.database.reading() as session:
        assert await service.count_items(session, guest) == 2
        other = service.CartOwner(guest_token=service.new_guest_token())
        assert (await service.get_cart(session, other)).groups == []


async def test_adding_the_same_variant_adds_to_its_quantity(runtime, shop):
    owner = buyer_of(shop)
    await add(runtime, owner, shop.mug_small, 2)
    cart = await add(runtime, owner, shop.mug_small, 3)
    assert [(ln.sku, ln.quantity) for g in cart.groups for ln in g.lines] == [("MUG-S", 5)]
    with pytest.raises(ValidationFailed) as refused:
        await add(runtime, owner, shop.mug_small, 1)
    assert refused.value.errors[0].message == "Only 5 left (you already have 5 in your cart)."
    assert await counts(runtime) == (1, 1, 0)


async def test_merge_at_sign_in_adds_up_clamped_to_stock(runtime, shop):
    token = service.new_guest_token()
    guest = service.CartOwner(guest_token=token)
    await add(runtime, guest, shop.mug_large, 2)  # stock 3
    await add(runtime, guest, shop.lamp, 1)
    async with runtime.database.transaction() as session:
        await service.choose_shipping(
            session, guest, uuid.UUID(shop.seller_id), uuid.UUID(shop.flat_profile)
        )
    owner = buyer_of(shop)
    await add(runtime, owner, shop.mug_large, 2)
    async with runtime.database.transaction() as session:
        result = await service.merge_guest_cart(session, owner.buyer_id, token)
    assert result.merged_lines == 2 and result.left_out == []
    async with runtime.database.reading() as session:
        cart = await service.get_cart(session, owner)
        assert (await service.get_cart(session, guest)).groups == []
    quantities = {ln.sku: ln.quantity for g in cart.groups for ln in g.lines}
    assert quantities == {"MUG-L": 3, "LAMP-1": 1}
    shipping = {g.seller_name: g.shipping_name for g in cart.groups}
    assert shipping["Seller Shop"] == "Standard"  # the guest's choice came along
    assert await counts(runtime) == (1, 2, 1)  # the guest cart is gone


async def test_merge_leaves_out_items_in_another_currency(runtime, shop):
    token = service.new_guest_token()
    await add(runtime, service.CartOwner(guest_token=token), shop.dollar_mug, 1)
    owner = buyer_of(shop)
    await add(runtime, owner, shop.mug_small, 1)
    async with runtime.database.transaction() as session:
        result = await service.merge_guest_cart(session, owner.buyer_id, token)
    assert result.merged_lines == 0 and result.left_out == ["Dollar mug"]
    assert await counts(runtime) == (1, 1, 0)


async def test_unavailable_items_are_refused_and_nothing_is_written(runtime, shop):
    owner = buyer_of(shop)
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Variant).where(Variant.id == uuid.UUID(shop.mug_large)).values(stock=0)
        )
        await session.execute(
            update(Listing)
            .where(Listing.id == uuid.UUID(shop.mug_listing))
            .values(status="archived")
        )
        await session.execute(
            update(Seller).where(Seller.id == uuid.UUID(shop.other_id)).values(status="suspended")
        )
    refusals = {
        shop.mug_small: "This item is not for sale.",  # archived listing
        shop.lamp: "This item is not for sale.",  # suspended seller
        str(uuid.uuid4()): "This item does not exist.",
    }
    for variant_id, message in refusals.items():
        with pytest.raises(ValidationFailed) as refused:
            await add(runtime, owner, variant_id)
        assert refused.value.errors[0].field == "variant_id"
        assert refused.value.errors[0].message == message
    assert await counts(runtime) == (0, 0, 0)


async def test_sellers_and_staff_may_not_buy(runtime, shop):
    for role in (Role.SELLER, Role.SUPPORT, Role.ADMIN):
        with pytest.raises(Forbidden):
            service.owner_of(Principal(user_id=uuid.uuid4(), role=role))
    with pytest.raises(Unauthorized):
        service.buyer_of(Principal(user_id=None, role=None))
    with pytest.raises(Unauthorized):  # a visitor without a cart cookie cannot keep a cart
        await add(runtime, service.CartOwner(), shop.mug_small)
    assert await counts(runtime) == (0, 0, 0)


async def test_problems_then_acknowledge_removes_what_is_gone(runtime, shop):
    owner = buyer_of(shop)
    await add(runtime, owner, shop.mug_small, 1)
    await add(runtime, owner, shop.lamp, 2)
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Variant).where(Variant.id == uuid.UUID(shop.lamp)).values(stock=0)
        )
        await session.execute(
            update(Variant).where(Variant.id == uuid.UUID(shop.mug_small)).values(price_minor=1500)
        )
    async with runtime.database.reading() as session:
        cart = await service.get_cart(session, owner)
    problems = {ln.sku: (ln.problem, ln.line_total_minor) for g in cart.groups for ln in g.lines}
    assert problems == {
        "MUG-S": ("Price changed from €18.00 to €15.00", 1500),
        "LAMP-1": ("Sold out", 0),
    }
    assert cart.has_problems and cart.items_minor == 1500
    assert cart.groups[1].needs_shipping is False and cart.groups[1].shipping_options == []

    async with runtime.database.transaction() as session:
        accepted = await service.acknowledge_changes(session, owner)
    assert [(ln.sku, ln.unit_price_seen_minor) for g in accepted.groups for ln in g.lines] == [
        ("MUG-S", 1500)
    ]
    assert not accepted.has_problems


async def test_checkout_reads_and_empties_the_buyers_cart(runtime, shop):
    buyer_id = uuid.UUID(shop.buyer_id)
    async with runtime.database.reading() as session:
        empty = await service.cart_for_checkout(session, buyer_id)
    assert empty.groups == [] and empty.id is None
    await add(runtime, buyer_of(shop), shop.tune_up, 1)
    async with runtime.database.reading() as session:
        cart = await service.cart_for_checkout(session, buyer_id)
    assert cart.groups[0].needs_shipping is False and cart.total_minor == 4500
    assert cart.id is not None
    with pytest.raises(NotFound):
        async with runtime.database.transaction() as session:
            await service.empty_cart(session, buyer_id, uuid.uuid4())
    async with runtime.database.transaction() as session:
        await service.empty_cart(session, buyer_id, cart.id)
    assert await counts(runtime) == (1, 0, 0)


async def test_pricing_a_cart_reads_each_seller_once_however_many_lines(runtime, shop):
    """No query per line: pricing two lines of one seller costs what pricing one costs."""
    owner = buyer_of(shop)
    await add(runtime, owner, shop.mug_small, 1)
    one_line = await _statements_to_price(runtime, owner)
    await add(runtime, owner, shop.mug_large, 1)
    assert await _statements_to_price(runtime, owner) == one_line


async def _statements_to_price(runtime, owner) -> int:
    executed: list[object] = []
    async with runtime.database.reading() as session:
        event.listen(session.sync_session, "do_orm_execute", executed.append)
        cart = await service.get_cart(session, owner)
    assert cart.item_count > 0
    return len(executed)
