"""The release sweep scenario: orders released per second by the settlement domain's own sweep.

``count`` completed orders whose escrow is due are bulk-written (:mod:`bench.orders`), then the
function the periodic job ``settlement.release_due_escrow`` calls,
:func:`mercato.settlement.tasks.release_due_escrow`, runs back to back until a run releases
nothing. Each run reads due orders a batch at a time and releases them a few per transaction,
in sequence, until none is left or its time budget is spent (the task has no concurrent
workers: two sweeps would read the same batch and race for the same rows). Afterwards every
order must have been released exactly once (one release journal, the one its escrow names) and
every ledger invariant must hold.

Run by ``bench.run`` in its own process with the platform's environment, like a worker::

    python -m bench.sweep --plan smoke --orders 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bench import dataset
from bench.fees import load_pricing
from bench.orders import (
    CompletedOrder,
    CopyWriter,
    Writer,
    completed_orders,
    write_orders,
)
from mercato.kit import clock
from mercato.kit.db import Base, Database
from mercato.kit.scheduler import periodic_jobs
from mercato.payments.service import check_ledger
from mercato.settlement.tasks import (
    DUE_PER_BATCH,
    RELEASES_PER_TRANSACTION,
    RUN_BUDGET,
    release_due_escrow,
)

SERIES = "due"  # order numbers start with "D"
MARKER = "SWEEP_JSON "
# How many due orders the job reads at a time.
BATCH_LIMIT: int = DUE_PER_BATCH
# How often the scheduler enqueues it (mercato.settlement.tasks registered it on import).
PERIODIC_EVERY = periodic_jobs()["settlement.release_due_escrow"].every


def due_orders(
    scale: dataset.Scale, count: int, now: datetime, seed: int = 42
) -> Iterator[CompletedOrder]:
    """``count`` orders paid seven to twenty days before ``now`` and completed one to six
    days before it: their escrow is releasable and due (no hold period is set)."""
    return completed_orders(
        scale,
        count,
        series=SERIES,
        first_paid=now - timedelta(days=20),
        last_paid=now - timedelta(days=7),
        released=False,
        seed=seed,
    )


async def write_due_orders(
    writer: Writer,
    session: AsyncSession,
    scale: dataset.Scale,
    count: int,
    now: datetime | None = None,
    seed: int = 42,
) -> int:
    """Write :func:`due_orders` (up to now); the number written."""
    now = now or clock.now()
    pricing = await load_pricing(session)
    return await write_orders(writer, due_orders(scale, count, now, seed), pricing, now)


async def sweep_until_done() -> tuple[int, int, float]:
    """Run the periodic job's function until a run releases nothing: (released, runs,
    seconds)."""
    released = runs = 0
    started = time.perf_counter()
    while True:
        count = await release_due_escrow()
        runs += 1
        released += count
        if count == 0:
            return released, runs, time.perf_counter() - started


async def audit(session: AsyncSession) -> dict[str, int]:
    """How the series' orders were released: ``released_once`` counts those with exactly one
    release journal, the one their escrow names; the other counts are problems."""
    escrow = Base.metadata.tables["settlement_escrow"]
    journal = Base.metadata.tables["payments_ledger_journal"]
    escrows = (
        await session.execute(
            select(
                escrow.c.order_id,
                escrow.c.status,
                escrow.c.release_journal_id,
                escrow.c.released_minor,
                escrow.c.captured_minor,
            ).where(escrow.c.number.like(f"{SERIES[0].upper()}%"))
        )
    ).all()
    releases = (
        await session.execute(
            select(journal.c.id, journal.c.reference).where(journal.c.kind == "escrow_release")
        )
    ).all()
    journals_of = Counter(reference for _id, reference in releases)
    journal_ids = {reference: journal_id for journal_id, reference in releases}
    counts = Counter[str]()
    for order_id, status, journal_id, released_minor, captured_minor in escrows:
        reference = f"order:{uuid.UUID(str(order_id))}"
        if status != "released" or journal_id is None:
            counts["not_released"] += 1
        elif journals_of[reference] != 1 or journal_ids[reference] != journal_id:
            counts["released_twice_or_unjournaled"] += 1
        elif released_minor != captured_minor:
            counts["partly_released"] += 1
        else:
            counts["released_once"] += 1
    counts["orders"] = len(escrows)
    return dict(counts)


async def measure(database: Database, scale: dataset.Scale, count: int) -> dict[str, Any]:
    """Write ``count`` due orders, sweep them, audit, check the ledger: the summary."""
    async with database.reading() as session:
        if (await audit(session))["orders"]:
            raise RuntimeError(
                "the database already holds a release-sweep series (a reused dataset): "
                "run the benchmark without --reuse-data"
            )
    assert database.engine is not None  # a database of its own, not a test's connection
    url = database.engine.url.render_as_string(hide_password=False)
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        started = time.perf_counter()
        async with connection.transaction(), database.reading() as session:
            written = await write_due_orders(CopyWriter(connection), session, scale, count)
        await connection.execute("ANALYZE")
        load_seconds = time.perf_counter() - started
    finally:
        await connection.close()
    released, runs, seconds = await sweep_until_done()
    async with database.reading() as session:
        counts = await audit(session)
        ledger = await check_ledger(session)
    return summary(
        written, released, runs, seconds, load_seconds, counts, [str(v) for v in ledger.violations]
    )


def summary(
    orders: int,
    released: int,
    runs: int,
    seconds: float,
    load_seconds: float,
    counts: dict[str, int],
    violations: list[str],
) -> dict[str, Any]:
    return {
        "orders": orders,
        "released": released,
        "runs": runs,
        "batch_limit": BATCH_LIMIT,
        "seconds": round(seconds, 2),
        "orders_per_second": round(released / seconds, 1) if seconds else 0.0,
        "load_seconds": round(load_seconds, 1),
        "released_once": counts.get("released_once", 0),
        "not_released": counts.get("not_released", 0),
        "released_twice_or_unjournaled": counts.get("released_twice_or_unjournaled", 0),
        "partly_released": counts.get("partly_released", 0),
        "ledger_violations": len(violations),
        "ledger_violation_samples": violations[:5],
    }


def failures(summary: dict[str, Any]) -> list[str]:
    """What makes the run fail: an order not released exactly once, or a broken invariant."""
    problems = []
    if not summary["orders"] or summary["released_once"] != summary["orders"]:
        problems.append(
            f"release sweep: {summary['released_once']} of {summary['orders']} order(s) "
            f"released exactly once ({summary['not_released']} not released, "
            f"{summary['released_twice_or_unjournaled']} twice or without their journal, "
            f"{summary['partly_released']} partly)"
        )
    if summary["ledger_violations"]:
        problems.append(
            f"release sweep: ledger check found {summary['ledger_violations']} violation(s), "
            f"e.g. {summary['ledger_violation_samples'][:2]}"
        )
    return problems


def markdown(summary: dict[str, Any], pgbench_tps: float | None) -> list[str]:
    ceiling = f"{pgbench_tps:,.0f} tx/s" if pgbench_tps else "not measured in this run"
    busy = min(RUN_BUDGET, PERIODIC_EVERY) / PERIODIC_EVERY  # the share of each minute at work
    per_minute = summary["orders_per_second"] * 60 * busy
    ledger = (
        "OK" if not summary["ledger_violations"] else f"{summary['ledger_violations']} violation(s)"
    )
    return [
        "## Release sweep",
        "",
        f"{summary['orders']:,} completed orders with due escrow, released by "
        "`mercato.settlement.tasks.release_due_escrow` (the periodic job's function) run back "
        f"to back until a run released nothing: one worker, {RELEASES_PER_TRANSACTION} "
        f"releases per transaction, {summary['batch_limit']} due orders read at a time, a run "
        f"working for at most {_seconds(RUN_BUDGET)} (PostgreSQL).",
        "",
        "| orders/s | orders | runs | seconds | released exactly once | ledger check "
        "| pgbench ceiling |",
        "|---:|---:|---:|---:|---:|---|---:|",
        f"| {summary['orders_per_second']:,.1f} | {summary['orders']:,} | {summary['runs']} "
        f"| {summary['seconds']} | {summary['released_once']:,} | {ledger} | {ceiling} |",
        "",
        f"Scheduled every {_every(PERIODIC_EVERY)}, each run works through the backlog for up "
        f"to {_seconds(RUN_BUDGET)}: about {per_minute:,.0f} orders a minute at this rate.",
        "",
    ]


def _seconds(interval: timedelta) -> str:
    return f"{interval.total_seconds():g} s"


def _every(interval: timedelta) -> str:
    minutes = interval.total_seconds() / 60
    return "minute" if minutes == 1 else f"{minutes:g} minutes"


async def _main(plan: str, count: int) -> dict[str, Any]:
    from mercato.config import get_settings
    from mercato.kit.runtime import build_runtime
    from mercato.tasks_registry import load_all_tasks

    # Every domain's handlers and ledger invariants, as in a worker process.
    load_all_tasks()
    runtime = build_runtime(get_settings())
    try:
        scale = dataset.FULL if plan == "full" else dataset.SMOKE
        return await measure(runtime.database, scale, count)
    finally:
        await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure the settlement release sweep.")
    parser.add_argument("--plan", choices=("full", "smoke"), required=True)
    parser.add_argument("--orders", type=int, required=True)
    arguments = parser.parse_args()
    result = asyncio.run(_main(arguments.plan, arguments.orders))
    print(MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
