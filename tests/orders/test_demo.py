"""The demo orders: every order status is shown, the money adds up, and seeding twice
duplicates nothing (Bob's demo cart survives the seeding)."""

from __future__ import annotations

from sqlalchemy import func, select

import mercato.orders.handlers
import mercato.payments.tasks  # sandbox webhook deliveries
import mercato.settlement.handlers  # noqa: F401  (escrow, refunds of cancelled paid orders)
from mercato.accounts.service import create_user_with_role
from mercato.cart import service as cart
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import Runtime
from mercato.orders.demo import STORIES, seed_orders_demo
from mercato.orders.models import Order, OrderGroup
from mercato.orders.policy import OrderStatus
from mercato.payments.service import balance
from tests.fixtures.accounts import PASSWORD, create_user
from tests.fixtures.catalog import admit


async def _demo_people(runtime: Runtime) -> Principal:
    for email, name in (("atelier@mercato.example", "Lea"), ("nordic@mercato.example", "Erik")):
        await admit(runtime, await create_user(runtime, email, Role.SELLER, name))
    async with runtime.database.transaction() as session:
        for email in ("alice@mercato.example", "bob@mercato.example"):
            user = await create_user_with_role(session, email, PASSWORD, "Buyer", Role.BUYER)
    return Principal(user_id=user.id, role=Role.BUYER, email="bob@mercato.example")


async def _cart_lines(runtime: Runtime, buyer: Principal) -> list[tuple[object, int]]:
    async with runtime.database.reading() as session:
        found = await cart.get_cart(session, buyer)
    return sorted((line.variant_id, line.quantity) for g in found.groups for line in g.lines)


async def test_demo_orders_cover_every_status_once_seeded(runtime: Runtime):
    bob = await _demo_people(runtime)
    for seed in (seed_catalog_demo, seed_cart_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    bobs_cart = await _cart_lines(runtime, bob)
    assert bobs_cart
    for _ in range(2):
        async with runtime.database.transaction() as session:
            await seed_orders_demo(session, runtime.files)
    async with runtime.database.reading() as session:
        orders = list((await session.execute(select(Order))).scalars())
        groups = (await session.execute(select(func.count()).select_from(OrderGroup))).scalar_one()
        statuses = {OrderStatus(order.status) for order in orders}
        assert len(orders) == groups == len(STORIES)
        assert statuses == set(OrderStatus)
        kinds = {(order.kind, order.status) for order in orders}
        for status in ("scheduled", "performed", "confirmed", "completed"):
            assert ("service", status) in kinds
        reasons = {order.canceled_by: order.cancel_reason for order in orders if order.canceled_by}
        assert set(reasons) == {"buyer", "seller", "system"} and reasons["seller"]
        assert {order.buyer_id for order in orders} == {bob.user_id, *(o.buyer_id for o in orders)}
        assert len({order.buyer_id for order in orders}) == 2
        assert len({order.seller_id for order in orders}) == 2
        for order in orders:  # each escrow holds what was captured, until a refund
            held = await balance(session, order.escrow_account, order.currency)
            refunded = order.status == OrderStatus.CANCELED  # paid, then cancelled: refunded
            assert held.amount_minor == (0 if refunded else order.captured_minor), order.status
    assert await _cart_lines(runtime, bob) == bobs_cart
