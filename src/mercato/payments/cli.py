"""``mercato payments …``: ledger integrity and the sandbox provider's manual controls."""

from __future__ import annotations

import asyncio
import uuid

import typer
from rich.console import Console

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
