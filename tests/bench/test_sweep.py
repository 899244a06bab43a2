"""The release sweep benchmark: its generated orders are what the application itself writes (the
escrow and the fees match the settlement and commission services' own), the real sweep releases
every due order exactly once, and the ledger stays sound. PostgreSQL only: the benchmark loads
with COPY."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench import dataset, fees, orders, sweep
from mercato.kit.crypto import KeyRing
from mercato.kit.db import Base
from mercato.kit.runtime import Runtime
from mercato.orders.events import OrderCompleted, OrderPaid, SoldLine
from mercato.payments import PLATFORM_COMMISSION, balance, seller_available_account
from mercato.payments.service import check_ledger
from mercato.settlement.models import Escrow, EscrowLine
from mercato.settlement.service import mark_completed, open_escrow

SMALL = dataset.Scale(sellers=4, listings=60, buyers=6, past_orders=25)
KEYS = "1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


async def _driver_connection(runtime: Runtime) -> Any:
    """The asyncpg connection under the test's transaction, for the bench's COPY writes."""
    if runtime.database.dialect != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL only")
    assert runtime.database.bind is not None
    raw = await runtime.database.bind.get_raw_connection()
    return raw.driver_connection


async def _marketplace(runtime: Runtime) -> Any:
    """The small marketplace with its past orders, loaded by the dataset's own steps."""
    connection = await _driver_connection(runtime)
    async with runtime.database.reading() as session:
        pricing = await fees.load_pricing(session)
    context = dataset.LoadContext(connection, SMALL, 42, KeyRing.parse(KEYS), "x", pricing)
    for _name, step in dataset.STEPS:
        await step(context)
    return connection


def _rows(session_row: Any, skip: set[str]) -> dict[str, Any]:
    return {
        column.key: getattr(session_row, column.key)
        for column in session_row.__table__.columns
        if column.key not in skip
    }


async def _escrow_rows(session: AsyncSession, order_id: uuid.UUID) -> dict[str, Any]:
    escrow = (await session.execute(select(Escrow).where(Escrow.order_id == order_id))).scalar_one()
    lines = (
        await session.execute(
            select(EscrowLine)
            .where(EscrowLine.escrow_id == escrow.id)
            .order_by(EscrowLine.position)
        )
    ).scalars()
    skip = {"id", "escrow_id", "created_at", "updated_at"}
    return {"escrow": _rows(escrow, skip), "lines": [_rows(line, skip) for line in lines]}


def _paid(order: orders.CompletedOrder) -> OrderPaid:
    return OrderPaid(
        order_id=order.id,
        group_id=order.group_id,
        seller_id=order.seller.id,
        buyer_id=order.buyer_id,
        total_minor=order.total_minor,
        currency=dataset.CURRENCY,
        escrow_account=order.escrow_account,
        number=order.order_number,
        kind=order.kind,
        items_minor=order.items_minor,
        shipping_minor=order.shipping_minor,
        captured_minor=order.total_minor,
        paid_at=order.paid_at,
        lines=tuple(
            SoldLine(
                line.id,
                line.listing.id,
                line.listing.variants[line.variant_index].id,
                line.listing.variants[line.variant_index].sku,
                line.listing.title,
                line.quantity,
                line.unit_price_minor,
                line.total_minor,
            )
            for line in order.lines
        ),
    )


async def test_generated_escrows_and_fees_are_what_the_services_write(runtime: Runtime) -> None:
    connection = await _marketplace(runtime)
    now = datetime.now(UTC)
    async with runtime.database.transaction() as session:
        writer = orders.CopyWriter(connection)
        assert await sweep.write_due_orders(writer, session, SMALL, 40, now) == 40
    # The last order: the trailing volume its fees look at holds the earlier ones.
    witness = list(sweep.due_orders(SMALL, 40, now))[-1]
    async with runtime.database.transaction() as session:
        generated = await _escrow_rows(session, witness.id)
        fee_table = Base.metadata.tables["commission_fee_line"]
        fee_columns = [c for c in fee_table.c if c.key not in {"id", "created_at"}]
        fees_query = select(*fee_columns).where(fee_table.c.order_id == witness.id)
        generated_fees = (await session.execute(fees_query.order_by(fee_table.c.position))).all()
        # The same order, opened and completed by the services themselves.
        escrow_table = Base.metadata.tables["settlement_escrow"]
        escrow_id = (
            await session.execute(
                select(escrow_table.c.id).where(escrow_table.c.order_id == witness.id)
            )
        ).scalar_one()
        await session.execute(delete(EscrowLine).where(EscrowLine.escrow_id == escrow_id))
        await session.execute(delete(Escrow).where(Escrow.id == escrow_id))
        await session.execute(delete(fee_table).where(fee_table.c.order_id == witness.id))
        stored = generated["escrow"]
        assert (stored["status"], stored["fee_minor"] > 0) == ("releasable", True)
        assert len(generated["lines"]) == len(generated_fees) == len(witness.lines)
        paid = _paid(witness)
        assert await open_escrow(session, paid)
        completed = OrderCompleted(
            witness.id,
            witness.seller.id,
            witness.total_minor,
            dataset.CURRENCY,
            witness.escrow_account,
            stored["completed_at"],
        )
        assert await mark_completed(session, completed)
        session.expunge_all()
        assert await _escrow_rows(session, witness.id) == generated
        assert (await session.execute(fees_query.order_by(fee_table.c.position))).all() == (
            generated_fees
        )


async def test_the_sweep_releases_every_due_order_once_and_the_ledger_holds(
    runtime: Runtime,
) -> None:
    connection = await _marketplace(runtime)
    now = datetime.now(UTC)
    async with runtime.database.transaction() as session:
        writer = orders.CopyWriter(connection)
        assert await sweep.write_due_orders(writer, session, SMALL, 30, now) == 30
        before = await check_ledger(session)
    assert before.ok, before.violations
    assert before.journals == 2 * SMALL.past_orders + 30  # capture + release, then captures

    released, runs, seconds = await sweep.sweep_until_done()
    assert (released, runs) == (30, 2)  # one batch, then a run that finds nothing due
    assert seconds > 0
    again = await sweep.sweep_until_done()
    assert again[:2] == (0, 1)  # nothing left to release, nothing released twice

    async with runtime.database.reading() as session:
        counts = await sweep.audit(session)
        report = await check_ledger(session)
        escrows = Base.metadata.tables["settlement_escrow"]
        released_minor, fees_minor = (
            await session.execute(
                select(func.sum(escrows.c.released_minor), func.sum(escrows.c.released_fee_minor))
            )
        ).one()
        commission = await balance(session, PLATFORM_COMMISSION, dataset.CURRENCY)
        available = [
            await balance(session, seller_available_account(seller.id), dataset.CURRENCY)
            for seller in dataset.sellers(SMALL)
        ]
    assert counts == {"orders": 30, "released_once": 30}
    assert report.ok, report.violations
    assert report.journals == 2 * SMALL.past_orders + 2 * 30
    # Every order's gross, past and swept, went to its seller and the platform's commission.
    assert commission.amount_minor == fees_minor > 0
    assert sum(money.amount_minor for money in available) == released_minor - fees_minor


def test_the_report_names_the_ceiling_and_the_failures() -> None:
    summary = sweep.summary(2000, 2000, 5, 8.0, 3.2, {"released_once": 2000}, [])
    assert sweep.failures(summary) == []
    lines = sweep.markdown(summary, 1487.2)
    assert lines[6] == "| 250.0 | 2,000 | 5 | 8.0 | 2,000 | OK | 1,487 tx/s |"
    assert lines[-2] == (  # 250 orders/s for 45 s of each minute
        "Scheduled every minute, each run works through the backlog for up to 45 s: about "
        "11,250 orders a minute at this rate."
    )
    assert "not measured in this run" in sweep.markdown(summary, None)[6]

    broken = sweep.summary(
        10, 9, 2, 1.0, 0.1, {"released_once": 8, "not_released": 1, "partly_released": 1}, ["x"]
    )
    assert sweep.failures(broken) == [
        "release sweep: 8 of 10 order(s) released exactly once (1 not released, 0 twice or "
        "without their journal, 1 partly)",
        "release sweep: ledger check found 1 violation(s), e.g. ['x']",
    ]


def test_generated_orders_are_deterministic_and_sold_by_one_seller() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    first = list(sweep.due_orders(SMALL, 50, now))
    again = list(sweep.due_orders(SMALL, 50, now))
    assert [order.id for order in first] == [order.id for order in again]
    assert len({order.id for order in first}) == len({order.number for order in first}) == 50
    for order in first:
        assert {line.listing.seller.id for line in order.lines} == {order.seller.id}
        assert {line.listing.kind for line in order.lines} == {order.kind}
        assert 1 <= len(order.lines) == len({line.listing.id for line in order.lines}) <= 3
        assert order.paid_at < order.completed_at < now
        assert order.number.startswith("D") and order.order_number == f"{order.number}-1"
        assert order.total_minor == order.items_minor + order.shipping_minor
    assert [order.paid_at for order in first] == sorted(order.paid_at for order in first)
