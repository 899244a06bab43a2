"""Disputes test helpers: paid orders of the settlement test market, the principals acting on
them, and calls of the disputes service each in its own unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

import mercato.disputes.tasks  # noqa: F401
from mercato.kit.auth import Principal, Role
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.settlement import service as settlement
from tests.orders.conftest import market
from tests.settlement.conftest import (
    Market,
    act,
    admin_of,
    complete,
    deliver,
    money,
    paid_orders,
    release,
    seller_of,
)

__all__ = [
    "Market",
    "act",
    "admin_of",
    "complete",
    "deliver",
    "market",
    "money",
    "paid_orders",
    "release",
    "seller_of",
]
T = TypeVar("T")


def support_of(market: Market) -> Principal:
    support = market.people["support"]
    return Principal(user_id=uuid.UUID(support.user_id), role=Role.SUPPORT, email=support.email)


async def run(runtime: Runtime, call: Callable[..., Awaitable[T]], *args: Any, **kw: Any) -> T:
    """One service call in its own committed unit of work."""
    async with runtime.database.transaction() as session:
        return await call(session, *args, **kw)


async def escrow(runtime: Runtime, order_id: str) -> Any:
    async with runtime.database.reading() as session:
        return await settlement.escrow_of_order(session, uuid.UUID(order_id))


@pytest.fixture
def clock(frozen_clock: FrozenClock) -> FrozenClock:
    return frozen_clock
