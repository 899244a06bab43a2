"""All SQL of the cart domain."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from mercato.cart.models import Cart, CartLine


def _with_children() -> tuple[_AbstractLoad, ...]:
    return (selectinload(Cart.lines), selectinload(Cart.shipping_choices))


async def get_by_buyer(session: AsyncSession, buyer_id: uuid.UUID) -> Cart | None:
    statement = select(Cart).where(Cart.buyer_id == buyer_id).options(*_with_children())
    return (await session.execute(statement)).scalar_one_or_none()


async def get_by_guest_hash(session: AsyncSession, token_hash: str) -> Cart | None:
    statement = select(Cart).where(Cart.guest_token_hash == token_hash).options(*_with_children())
    return (await session.execute(statement)).scalar_one_or_none()


async def add_cart(session: AsyncSession, cart: Cart) -> Cart:
    session.add(cart)
    await session.flush()
    return cart


async def delete_cart(session: AsyncSession, cart: Cart) -> None:
    await session.delete(cart)
    await session.flush()


async def count_items_of_buyer(session: AsyncSession, buyer_id: uuid.UUID) -> int:
    statement = (
        select(func.coalesce(func.sum(CartLine.quantity), 0))
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(Cart.buyer_id == buyer_id)
    )
    return int((await session.execute(statement)).scalar_one())


async def count_items_of_guest(session: AsyncSession, token_hash: str) -> int:
    statement = (
        select(func.coalesce(func.sum(CartLine.quantity), 0))
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(Cart.guest_token_hash == token_hash)
    )
    return int((await session.execute(statement)).scalar_one())
