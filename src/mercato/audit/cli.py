"""``mercato audit …``: verify the audit log's hash chain."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from mercato.audit.schemas import VerificationOut

app = typer.Typer(help="The audit log.", no_args_is_help=True)
console = Console()


@app.command("verify")
def verify() -> None:
    """Walk the audit chain in order: exit 0 with the number of entries when every entry holds,
    exit 1 naming the first broken one (a gap, a broken link, an altered entry)."""
    from mercato.audit.service import verify_chain
    from mercato.config import get_settings
    from mercato.kit.runtime import build_runtime

    async def run() -> VerificationOut:
        runtime = build_runtime(get_settings())
        try:
            async with runtime.database.reading() as session:
                return await verify_chain(session)
        finally:
            await runtime.close()

    result = asyncio.run(run())
    if result.ok:
        console.print(
            f"[green]Audit chain OK[/green]: {result.checked} entries, "
            f"last hash {result.last_hash[:16]}…",
            highlight=False,
        )
        return
    assert result.broken is not None
    console.print(
        f"[red]Audit chain BROKEN at entry {result.broken.seq}[/red] "
        f"({result.broken.problem}): {result.broken.message}",
        highlight=False,
    )
    console.print(f"{result.checked} entries before it are intact.", highlight=False)
    raise typer.Exit(1)
