"""``mercato payments …``: ledger integrity and the sandbox provider's manual controls."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from mercato.payments.service import ReconciliationOut

app = typer.Typer(help="Payments and the ledger.", no_args_is_help=True)
console = Console()


@app.command("ledger-check")
def ledger_check() -> None:
    """Verify every ledger invariant on the database; exit 1 naming each violation."""
    from mercato.config import get_settings
    from mercato.kit.runtime import build_runtime
    from mercato.payments.service import RULES, LedgerReport, check_ledger

    async def run() -> LedgerReport:
        runtime = build_runtime(get_settings())
        try:
            async with runtime.database.reading() as session:
                return await check_ledger(session)
        finally:
            await runtime.close()

    report = asyncio.run(run())
    summary = f"{report.journals} journals, {report.postings} postings, {report.balances} balances"
    if report.ok:
        console.print(f"[green]Ledger OK[/green]: {summary}; every invariant holds:")
        for description in RULES.values():
            console.print(f"  ✓ {description}")
        return
    console.print(f"[red]Ledger check FAILED: {len(report.violations)} violation(s)[/red]")
    for violation in report.violations:
        console.print(
            f"  ✗ [bold]{violation.rule}[/bold] {violation.subject}: {violation.detail}",
            highlight=False,
        )
    console.print(f"Checked {summary}.")
    raise typer.Exit(1)


@app.command("sandbox-settle")
def sandbox_settle(
    payment_id: str = typer.Argument(..., help="Our payment id (or the sandbox's sbx_pay_… id)."),
) -> None:
    """Settle a processing sandbox payment now (confirm a bank transfer) and send its webhook."""
    from mercato.config import get_settings
    from mercato.kit.errors import MercatoError
    from mercato.kit.runtime import build_runtime
    from mercato.payments import service
    from mercato.tasks_registry import load_all_tasks

    load_all_tasks()  # the webhook is delivered by a job, run in this process after the commit

    async def run() -> bool:
        runtime = build_runtime(get_settings())
        try:
            async with runtime.database.transaction() as session:
                if payment_id.startswith("sbx_"):
                    return await service.settle_sandbox_payment(session, payment_id)
                return await service.settle_sandbox_payment_of(session, uuid.UUID(payment_id))
        finally:
            await runtime.close()

    try:
        settled = asyncio.run(run())
    except (MercatoError, ValueError) as error:
        detail = getattr(error, "detail", None) or str(error)
        console.print(f"[red]Cannot settle: {detail}[/red]")
        raise typer.Exit(1) from error
    console.print("Settled; the webhook was delivered." if settled else "Nothing to settle.")


@app.command("reconcile")
def reconcile(
    day: str = typer.Option(
        "", "--date", help="The UTC day to reconcile, YYYY-MM-DD (default: yesterday)."
    ),
    provider: str = typer.Option(
        "", "--provider", help="One provider (default: every provider that is set up)."
    ),
) -> None:
    """Compare a day's journals on each provider's clearing account with the provider's balance
    transactions; keep the run and exit 1 when anything does not match."""
    from mercato.config import get_settings
    from mercato.kit import clock
    from mercato.kit.errors import MercatoError
    from mercato.kit.runtime import build_runtime
    from mercato.payments.service import reconcile_day, reconciled_providers

    try:
        chosen = date.fromisoformat(day) if day else clock.now().date() - timedelta(days=1)
    except ValueError:
        console.print(f"[red]--date must be YYYY-MM-DD, not {day!r}.[/red]")
        raise typer.Exit(2) from None
    providers = [provider] if provider else reconciled_providers()

    async def run() -> list[ReconciliationOut]:
        runtime = build_runtime(get_settings())
        try:
            results = []
            for name in providers:
                async with runtime.database.transaction() as session:
                    results.append(await reconcile_day(session, chosen, name))
            return results
        finally:
            await runtime.close()

    try:
        results = asyncio.run(run())
    except MercatoError as error:
        console.print(f"[red]Cannot reconcile: {error.detail}[/red]")
        raise typer.Exit(2) from error
    for result in results:
        _print_reconciliation(result)
    if any(result.status != "ok" for result in results):
        raise typer.Exit(1)


def _print_reconciliation(result: ReconciliationOut) -> None:
    head = f"{result.provider} {result.day.isoformat()}"
    counts = (
        f"{result.ledger_entries} journal(s), {result.provider_transactions} provider "
        f"transaction(s), {result.matched} matched"
    )
    if result.status == "failed":
        console.print(f"[red]{head}: FAILED[/red] {result.error}", highlight=False)
        return
    if result.status == "ok":
        console.print(f"[green]{head}: OK[/green] {counts}", highlight=False)
        return
    console.print(f"[red]{head}: {result.mismatch_count} mismatch(es)[/red] {counts}")
    for mismatch in result.mismatches:
        console.print(f"  ✗ [bold]{mismatch.kind}[/bold] {mismatch.detail}", highlight=False)
