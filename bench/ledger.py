"""The ledger scenario: concurrent workers post capture- and release-shaped journals through the
payments service, each journal in its own transaction, as the payment webhook and the release
sweep do. Reported as journals per second beside the pgbench ceiling of the same run.

A capture moves an order's gross from the provider's clearing account into its escrow; the
release empties that escrow into a seller's available balance and the platform's commission,
through ``credit_seller`` (which locks the seller's balances: workers releasing for the same
seller wait for each other, as they would in production). Sellers are drawn from a pool, so
that contention is real but not total.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from mercato.kit.db import Database
from mercato.kit.money import apply_rate
from mercato.payments import (
    PLATFORM_COMMISSION,
    Posting,
    clearing_account,
    escrow_account,
    post_journal,
)
from mercato.payments.service import credit_seller

CLEARING = clearing_account("sandbox")
COMMISSION_BPS = 1_250
SELLERS = 64


@dataclass
class LedgerRun:
    workers: int
    journals: int = 0
    errors: int = 0
    seconds: float = 0.0
    journal_ms: list[float] = field(default_factory=list)

    @property
    def journals_per_second(self) -> float:
        return self.journals / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.journal_ms)

        def percentile(share: float) -> float:
            if not ordered:
                return 0.0
            return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

        return {
            "workers": self.workers,
            "journals": self.journals,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "journals_per_second": round(self.journals_per_second, 1),
            "journal_p50_ms": percentile(0.5),
            "journal_p99_ms": percentile(0.99),
        }


async def _one_order(database: Database, sellers: list[uuid.UUID], run: LedgerRun) -> None:
    order_id = uuid.uuid4()
    gross = random.randint(500, 50_000)
    fee = apply_rate(gross, COMMISSION_BPS)
    escrow = escrow_account("order", order_id)
    started = time.perf_counter()
    async with database.transaction() as session:
        capture = [Posting(CLEARING, -gross, "EUR"), Posting(escrow, gross, "EUR")]
        await post_journal(
            session, f"payment:{order_id}:capture", "payment_capture", capture, f"order:{order_id}"
        )
    captured = time.perf_counter()
    async with database.transaction() as session:
        source = [Posting(escrow, -gross, "EUR"), Posting(PLATFORM_COMMISSION, fee, "EUR")]
        await credit_seller(
            session,
            random.choice(sellers),
            source,
            key=f"release:order:{order_id}",
            kind="escrow_release",
            reference=f"order:{order_id}",
        )
    released = time.perf_counter()
    run.journal_ms += [(captured - started) * 1000, (released - captured) * 1000]
    run.journals += 2


async def drive(
    database: Database,
    *,
    workers: int = 8,
    seconds: float = 10.0,
    orders_per_worker: int | None = None,
    seed: int = 7,
) -> LedgerRun:
    """Post journals from ``workers`` concurrent workers for ``seconds`` (or exactly
    ``orders_per_worker`` orders each, two journals per order)."""
    random.seed(seed)
    sellers = [uuid.UUID(int=index + 1) for index in range(SELLERS)]
    run = LedgerRun(workers=workers)
    deadline = time.perf_counter() + seconds

    async def work() -> None:
        done = 0
        while time.perf_counter() < deadline and (
            orders_per_worker is None or done < orders_per_worker
        ):
            try:
                await _one_order(database, sellers, run)
            except Exception:  # a failed journal is counted, and the run carries on
                run.errors += 1
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(work() for _ in range(workers)))
    run.seconds = time.perf_counter() - started
    return run


def markdown(summary: dict[str, Any], pgbench_tps: float | None) -> list[str]:
    ceiling = f"{pgbench_tps:,.0f} tx/s" if pgbench_tps else "not measured in this run"
    return [
        "## Ledger journals",
        "",
        f"{summary['workers']} concurrent workers post capture- and release-shaped journals "
        "through `post_journal` / `credit_seller`, one transaction each (PostgreSQL).",
        "",
        "| journals/s | p50 ms | p99 ms | journals | errors | pgbench ceiling |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {summary['journals_per_second']:,.1f} | {summary['journal_p50_ms']} "
        f"| {summary['journal_p99_ms']} | {summary['journals']:,} | {summary['errors']} "
        f"| {ceiling} |",
        "",
    ]


async def measure(database_url: str, workers: int, seconds: float) -> dict[str, Any]:
    database = Database(database_url)
    try:
        return (await drive(database, workers=workers, seconds=seconds)).summary()
    finally:
        await database.dispose()
