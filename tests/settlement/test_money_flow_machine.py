"""Random sequences of checkout, capture, delivery, completion, release, cancellation and
refunds (partial and full, before and after release), checking every ledger invariant after
every step, on SQLite and PostgreSQL.

Hypothesis drives the state machine from a worker thread; each step runs its coroutine on the
test's event loop (where the database connection lives) and waits for it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import update

from mercato.catalog.models import Variant
from mercato.kit.clock import FrozenClock
from mercato.kit.errors import Conflict
from mercato.kit.runtime import Runtime
from mercato.orders.tasks import advance_due_orders
from mercato.payments.service import check_ledger
from mercato.settlement import service
from mercato.settlement.schemas import EscrowStatus, RefundIn
from tests.settlement.conftest import Market, act, admin_of, deliver, paid_orders, release

T = TypeVar("T")


def machine_for(
    loop: asyncio.AbstractEventLoop,
    runtime: Runtime,
    client: httpx.AsyncClient,
    market: Market,
    clock: FrozenClock,
) -> type[RuleBasedStateMachine]:
    def run(coroutine: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()  # type: ignore[arg-type]

    async def escrow_of(order_id: str):
        async with runtime.database.reading() as session:
            return await service.get_escrow(session, admin_of(market), uuid.UUID(order_id))

    class MoneyFlow(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.orders: list[dict[str, Any]] = []  # {"order", "who", "stage"}

        def pick(self, index: int, *stages: str) -> dict[str, Any] | None:
            found = [o for o in self.orders if o["stage"] in stages]
            return found[index % len(found)] if found else None

        @rule(mugs=st.integers(0, 2), lamps=st.integers(0, 1))
        def checkout_and_pay(self, mugs: int, lamps: int) -> None:
            items = [(v, n) for v, n in ((market.mug_small, mugs), (market.lamp, lamps)) if n]
            if not items:
                return
            for who, order in run(paid_orders(runtime, client, market, *items)).items():
                self.orders.append({"order": order, "who": who, "stage": "paid"})

        @precondition(lambda self: any(o["stage"] == "paid" for o in self.orders))
        @rule(index=st.integers(0, 50))
        def ship_and_deliver(self, index: int) -> None:
            chosen = self.pick(index, "paid")
            assert chosen is not None
            run(deliver(client, market, chosen["who"], chosen["order"]))
            chosen["stage"] = "delivered"

        @rule()
        def time_passes(self) -> None:
            clock.advance(timedelta(days=3, seconds=1))
            run(advance_due_orders())
            for order in self.orders:
                if order["stage"] == "delivered":
                    order["stage"] = "completed"

        @rule()
        def release_sweep(self) -> None:
            run(release())
            for order in self.orders:
                if order["stage"] == "completed":
                    order["stage"] = "released"

        @precondition(lambda self: any(o["stage"] == "paid" for o in self.orders))
        @rule(index=st.integers(0, 50))
        def cancel(self, index: int) -> None:
            chosen = self.pick(index, "paid")
            assert chosen is not None
            response = run(act(client, market, "buyer", chosen["order"], "cancel"))
            assert response.status_code == 200, response.text
            chosen["stage"] = "canceled"
            assert run(escrow_of(chosen["order"]["id"])).held_minor == 0

        @precondition(lambda self: bool(self.orders))
        @rule(index=st.integers(0, 50), share=st.integers(1, 100), full=st.booleans())
        def refund(self, index: int, share: int, full: bool) -> None:
            chosen = self.orders[index % len(self.orders)]
            before = run(escrow_of(chosen["order"]["id"]))
            left = before.captured_minor - before.refunded_minor
            amount = max(1, left * share // 100)
            body: dict[str, Any] = {"full": True} if full else {"amount_minor": amount}
            data = RefundIn.model_validate({"reason": "Random refund", **body})

            async def go() -> None:
                async with runtime.database.transaction() as session:
                    await service.refund_order(
                        session, admin_of(market), before.order_id, data, uuid.uuid4().hex
                    )

            if left == 0:
                try:
                    run(go())
                except Conflict:
                    return
                raise AssertionError("a refund of a fully refunded order was accepted")
            run(go())
            after = run(escrow_of(chosen["order"]["id"]))
            assert after.refunded_minor == before.refunded_minor + (left if full else amount)
            assert after.refunded_minor <= after.captured_minor
            if after.refunded_minor == after.captured_minor and before.status != "released":
                assert after.status == EscrowStatus.REFUNDED

        @invariant()
        def ledger_is_sound(self) -> None:
            async def check() -> list[Any]:
                async with runtime.database.reading() as session:
                    return (await check_ledger(session)).violations

            assert run(check()) == []

    return MoneyFlow


async def test_random_money_flows_keep_the_ledger_sound(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, clock: FrozenClock
):
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Variant)
            .where(Variant.id.in_([market.mug_small, market.lamp]))
            .values(stock=100_000)
        )
    machine = machine_for(asyncio.get_running_loop(), runtime, client, market, clock)
    machine.TestCase.settings = settings(
        max_examples=8,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=machine.TestCase.settings)
