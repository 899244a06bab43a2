"""``mercato catalog …``: the operator's catalog commands (bulk import for a seller)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mercato.catalog.schemas import ImportJobOut
from mercato.config import Settings

app = typer.Typer(help="Catalog: bulk import of listings.", no_args_is_help=True)
console = Console()
SHOWN_PROBLEMS = 25


@app.command("import-csv")
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="UTF-8 CSV."),
    seller: str = typer.Option(..., "--seller", help="The id of the seller to import for."),
    valid_only: bool = typer.Option(
        False, "--valid-only", help="Import the valid rows even when others have problems."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Also write the problems to this CSV file (row, column, reason)."
    ),
) -> None:
    """Import listings from a CSV for a seller: every row is checked first; without
    --valid-only nothing is written unless all rows pass. Rows upsert by SKU."""
    from mercato.config import get_settings

    try:
        seller_id = uuid.UUID(seller)
    except ValueError:
        console.print(f"[red]“{seller}” is not a seller id (a UUID).[/red]")
        raise typer.Exit(2) from None
    settings = get_settings()
    settings.require_production_secrets()
    data = file.read_bytes()
    exit_code = asyncio.run(_run(settings, file.name, data, seller_id, valid_only, report))
    raise typer.Exit(exit_code)


async def _run(
    settings: Settings,
    filename: str,
    data: bytes,
    seller_id: uuid.UUID,
    valid_only: bool,
    report: Path | None,
) -> int:
    from mercato.catalog import service
    from mercato.kit.errors import MercatoError
    from mercato.kit.runtime import build_runtime

    runtime = build_runtime(settings)
    started = time.perf_counter()
    try:
        try:
            async with runtime.database.transaction() as session:
                job_id = await service.create_import_job(
                    session, seller_id, filename, data, runtime.files, valid_only=valid_only
                )
        except MercatoError as error:
            console.print(f"[red]{error.detail}[/red]")
            return 2
        progress = service.ImportProgress()
        with Progress(
            TextColumn("[bold]Importing[/bold] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task(filename, total=None)

            async def work() -> ImportJobOut:
                async with runtime.database.transaction() as session:
                    return await service.run_import(session, job_id, data, progress)

            running = asyncio.create_task(work())
            while not running.done():
                bar.update(task, total=progress.total or None, completed=progress.processed)
                await asyncio.wait({running}, timeout=0.1)
            outcome = running.result()
            bar.update(task, total=progress.total or 1, completed=progress.total or 1)
        runtime.files.delete(f"imports/{seller_id}/{job_id}.csv")
    finally:
        await runtime.close()
    elapsed = time.perf_counter() - started
    return _print_outcome(outcome, elapsed, report)


def _print_outcome(outcome: ImportJobOut, elapsed: float, report: Path | None) -> int:
    from mercato.catalog.policy.importing import Problem, problems_csv

    colour = "red" if outcome.error_count else "green"
    console.print(
        f"[{colour}]{outcome.message}[/{colour}]  ({outcome.total_rows} rows, {elapsed:.1f} s)"
    )
    if outcome.errors:
        table = Table(title=f"Problems ({outcome.error_count})")
        for column in ("row", "column", "reason"):
            table.add_column(column)
        for item in outcome.errors[:SHOWN_PROBLEMS]:
            table.add_row(str(item.row), item.column, item.reason)
        console.print(table)
        if report is not None:
            problems = [Problem(p.row, p.column, p.reason) for p in outcome.errors]
            report.write_text(problems_csv(problems), encoding="utf-8")
            console.print(f"The full report is in {report}.")
    return 1 if outcome.error_count else 0
