"""Performance test helpers: the governance test market (SLA clocks listening), and a seller
with enough shipped orders, some of them late."""

from __future__ import annotations

from datetime import timedelta

import pytest

import mercato.performance.handlers
import mercato.search.handlers  # noqa: F401  (search follows the seller's standing)
from mercato.governance.tasks import sweep_sla_clocks
from mercato.kit.clock import FrozenClock
from tests.governance.conftest import act, activate_sla, admin_of, market, paid_orders, seller_of

__all__ = ["act", "activate_sla", "admin_of", "market", "paid_orders", "seller_of"]


async def shipped_orders(runtime, client, market, clock, *, on_time: int, late: int) -> list[dict]:
    """``on_time + late`` goods orders of "seller", each paid then shipped with tracking;
    the late ones after their ship-by deadline passed (the sweep records the breach)."""
    await activate_sla(runtime, admin_of(market))
    orders = []
    for index in range(on_time + late):
        order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
        assert (await act(client, market, "seller", order, "accept")).status_code == 200
        if index >= on_time:
            clock.advance(timedelta(days=3, hours=1))
            await sweep_sla_clocks()
        shipped = await act(
            client, market, "seller", order, "ship", carrier="DHL", tracking_number=f"JD000{index}"
        )
        assert shipped.status_code == 200, shipped.text
        orders.append(order)
    return orders


@pytest.fixture
def clock(frozen_clock: FrozenClock) -> FrozenClock:
    return frozen_clock
