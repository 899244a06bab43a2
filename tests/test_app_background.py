"""The app's lifespan wires background work by deployment mode: `mercato all` runs jobs and the
scheduler in-process; `mercato web` sends jobs to Dramatiq when Redis is configured."""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
from pathlib import Path

from redis.asyncio import Redis

from mercato.app import create_app
from mercato.config import Settings
from mercato.kit import jobs
from mercato.kit.db import Database
from mercato.kit.dramatiq_jobs import DramatiqBackend
from mercato.kit.outbox import OutboxDelivery, add_message, outbox_handler
from mercato.kit.runtime import build_runtime
from tests.conftest import REDIS_URL
from tests.kit.background_support import committed_runtime, process_globals_restored

relayed: list[int] = []


@outbox_handler("tests.app_ping")
async def on_app_ping(delivery: OutboxDelivery) -> None:
    relayed.append(delivery.payload["n"])


async def test_embedded_app_runs_the_scheduler_and_jobs_in_process(
    settings: Settings, tmp_path: Path
) -> None:
    relayed.clear()
    async with committed_runtime(settings, tmp_path) as runtime:
        app = create_app(runtime=runtime, run_background=True)
        before = jobs.current_backend()
        async with runtime.database.transaction() as session:
            add_message(session, "tests.app_ping", {"n": 7})

        async with app.router.lifespan_context(app):
            backend = jobs.current_backend()
            assert isinstance(backend, jobs.InProcessBackend)
            assert not backend.eager
            async with asyncio.timeout(10):  # the embedded scheduler enqueues kit.relay_outbox
                while relayed != [7]:
                    await asyncio.sleep(0.02)

        assert jobs.current_backend() is before


async def test_production_web_app_sends_jobs_to_dramatiq(
    settings: Settings, database: Database, redis_client: Redis
) -> None:
    with process_globals_restored():
        runtime = build_runtime(
            settings.model_copy(update={"redis_url": REDIS_URL}), database=database
        )
        app = create_app(runtime=runtime, run_background=False)
        before = jobs.current_backend()

        async with app.router.lifespan_context(app):
            assert isinstance(jobs.current_backend(), DramatiqBackend)

        assert jobs.current_backend() is before


def test_the_app_registers_every_domain_job(tmp_path: Path) -> None:
    # A fresh interpreter: in this one other tests have long imported the task modules.
    script = (
        "from mercato.app import create_app; from mercato.config import Settings; "
        "from mercato.kit.jobs import registered_jobs; "
        f"create_app(Settings(var_dir={str(tmp_path)!r})); print(sorted(registered_jobs()))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout

    assert ast.literal_eval(output) == [
        "catalog.import_csv",
        "catalog.make_thumbnails",
        "commission.charge_plan_fees",
        "disputes.escalate_overdue",
        "disputes.expire_returns",
        "governance.sweep_sla_clocks",
        "kit.relay_outbox",
        "notifications.deliver_mail",
        "notifications.retry_queued_mail",
        "orders.advance_due_orders",
        "orders.expire_reservations",
        "payments.reconcile_daily",
        "payments.roll_up_captures",
        "payments.sandbox_deliver_events",
        "payments.sandbox_run_due",
        "payments.sandbox_settle_transfer",
        "payouts.run_scheduled_payouts",
        "payouts.send_payout",
        "performance.evaluate_sellers",
        "settlement.alert_hold_horizon",
        "settlement.release_due_escrow",
    ]
