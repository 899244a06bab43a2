"""The ledger benchmark's driver posts balanced capture and release journals through the
payments service, and its report line names the pgbench ceiling beside the rate."""

from __future__ import annotations

from bench import ledger
from mercato.kit.money import apply_rate
from mercato.kit.runtime import Runtime
from mercato.payments import PLATFORM_COMMISSION, balance
from mercato.payments.service import check_ledger


async def test_the_driver_posts_capture_and_release_journals(runtime: Runtime) -> None:
    # One worker: the test database runs on a single connection.
    run = await ledger.drive(runtime.database, workers=1, seconds=600, orders_per_worker=3)
    summary = run.summary()
    assert (summary["workers"], summary["journals"], summary["errors"]) == (1, 6, 0)
    assert len(run.journal_ms) == 6
    async with runtime.database.reading() as session:
        report = await check_ledger(session)
        assert report.ok, report.violations
        assert report.journals == 6
        captured = -(await balance(session, ledger.CLEARING, "EUR")).amount_minor
        commission = (await balance(session, PLATFORM_COMMISSION, "EUR")).amount_minor
    assert captured > 0
    assert 0 < commission <= apply_rate(captured, ledger.COMMISSION_BPS) + 3


def test_the_report_names_the_ceiling() -> None:
    summary = {
        "workers": 8,
        "journals": 1200,
        "errors": 0,
        "seconds": 3.0,
        "journals_per_second": 400.0,
        "journal_p50_ms": 12.5,
        "journal_p99_ms": 40.1,
    }
    lines = ledger.markdown(summary, 1487.2)
    assert lines[-2] == "| 400.0 | 12.5 | 40.1 | 1,200 | 0 | 1,487 tx/s |"
    assert "not measured in this run" in ledger.markdown(summary, None)[-2]
