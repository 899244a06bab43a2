"""``mercato search …``: maintain the search index."""

from __future__ import annotations

import asyncio
import uuid

import typer
from rich.console import Console
from rich.progress import Progress

app = typer.Typer(help="Search index.", no_args_is_help=True)
console = Console()
BATCH = 200


@app.command("reindex")
def reindex(
    listing: list[str] = typer.Option(
        None, "--listing", help="A listing id to (re)index as well; repeatable."
    ),
) -> None:
    """Re-read listings from the catalog: every listing the catalog has and every indexed one
    (refreshed, added, or dropped when no longer visible), or only those given with --listing.
    Safe to run at any time."""
    from mercato.catalog import service as catalog
    from mercato.config import get_settings
    from mercato.kit.runtime import build_runtime
    from mercato.search import service

    try:
        extra = [uuid.UUID(value) for value in listing or []]
    except ValueError as error:
        console.print(f"[red]Not a listing id: {error}[/red]")
        raise typer.Exit(2) from error

    async def run() -> tuple[int, int]:
        runtime = build_runtime(get_settings())
        try:
            async with runtime.database.reading() as session:
                everything = [
                    *await catalog.list_listing_ids(session),
                    *await service.indexed_listing_ids(session),
                ]
                ids = list(dict.fromkeys(extra or everything))
            searchable = 0
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("Indexing", total=len(ids))
                for start in range(0, len(ids), BATCH):
                    batch = ids[start : start + BATCH]
                    async with runtime.database.transaction() as session:
                        searchable += await service.reindex_listings(session, batch)
                    progress.advance(task, len(batch))
            async with runtime.database.transaction() as session:
                await service.rebuild_vocabulary(session)
            await service.invalidate_search_cache(runtime.cache)
            return len(ids), searchable
        finally:
            await runtime.close()

    checked, searchable = asyncio.run(run())
    console.print(f"Checked {checked} listing(s); {searchable} searchable.")
