"""The ``mercato`` command line: run the platform in any mode and operate it."""

from __future__ import annotations

import asyncio
import getpass

import typer
from rich.console import Console

from mercato.audit import cli as audit_cli
from mercato.catalog import cli as catalog_cli
from mercato.config import (
    ConfigurationError,
    Mode,
    Settings,
    get_settings,
    new_encryption_key,
    store_embedded_encryption_keys,
)
from mercato.payments import cli as payments_cli
from mercato.search import cli as search_cli

app = typer.Typer(help="Mercato marketplace platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
users_app = typer.Typer(help="User administration.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(payments_cli.app, name="payments")
app.add_typer(catalog_cli.app, name="catalog")
app.add_typer(search_cli.app, name="search")
app.add_typer(audit_cli.app, name="audit")
console = Console()


@app.callback()
def _register_handlers() -> None:
    """Mercato marketplace platform."""
    # Commands change data too (imports, demo data): the event handlers that keep other domains
    # current (the search index) must be registered in this process as in the web app.
    from mercato.tasks_registry import load_all_tasks

    load_all_tasks()


def _settings() -> Settings:
    settings = get_settings()
    try:
        settings.require_production_secrets()
    except Exception as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    return settings


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    from mercato.kit.migrate import upgrade

    settings = _settings()
    upgrade(settings.effective_database_url)
    console.print("Database schema is up to date.")


@app.command("all")
def run_all(
    host: str = typer.Option(None, help="Interface to bind (default MERCATO_HOST)."),
    port: int = typer.Option(None, help="Port (default MERCATO_PORT)."),
    migrate: bool = typer.Option(True, help="Apply migrations before starting."),
) -> None:
    """Embedded mode: web + API + in-process jobs + scheduler in one process."""
    import uvicorn

    from mercato.kit.migrate import upgrade

    settings = _settings()
    if migrate:
        upgrade(settings.effective_database_url)
    console.print(f"Mercato is running at [bold]{settings.base_url}[/bold]  (Ctrl+C to stop)")
    uvicorn.run(
        "mercato.entrypoints:embedded_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level="warning",
        proxy_headers=True,
    )


@app.command("web")
def run_web(
    workers: int = typer.Option(2, min=1, help="Number of uvicorn worker processes."),
    host: str = typer.Option(None),
    port: int = typer.Option(None),
) -> None:
    """Production web server: stateless workers; jobs go to the queue (run `mercato worker`)."""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "mercato.entrypoints:web_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        loop="uvloop",
        http="httptools",
    )


@app.command("worker")
def run_worker_command(
    processes: int = typer.Option(1, min=1, help="Worker processes to run."),
    threads: int = typer.Option(8, min=1, help="Jobs each process runs at once."),
) -> None:
    """Production job worker: runs queued jobs from Dramatiq on Redis (MERCATO_REDIS_URL)."""
    from mercato.worker import configure_process_logging, run_worker

    settings = _settings()
    _require_redis(settings, "worker")
    configure_process_logging(settings)
    raise typer.Exit(run_worker(settings, processes=processes, threads=threads))


@app.command("scheduler")
def run_scheduler_command() -> None:
    """Production scheduler: enqueues periodic jobs for the workers (safe to run several)."""
    from mercato.worker import configure_process_logging, run_scheduler

    settings = _settings()
    _require_redis(settings, "scheduler")
    configure_process_logging(settings)
    asyncio.run(run_scheduler(settings))


def _require_redis(settings: Settings, command: str) -> None:
    from mercato.worker import require_redis

    try:
        require_redis(settings, command)
    except ConfigurationError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error


@users_app.command("create-admin")
def create_admin(
    email: str = typer.Option(..., prompt=True),
    name: str = typer.Option("Administrator", help="Display name."),
    password: str = typer.Option(
        None, help="Password (prompted when omitted; never put it in shell history)."
    ),
) -> None:
    """Create an admin account (email verified)."""
    from mercato.accounts.service import create_user_with_role
    from mercato.kit.auth import Role
    from mercato.kit.errors import MercatoError
    from mercato.kit.runtime import build_runtime

    secret = password or getpass.getpass("Password: ")

    async def create() -> None:
        runtime = build_runtime(_settings())
        try:
            async with runtime.database.transaction() as session:
                await create_user_with_role(session, email, secret, name, Role.ADMIN)
        finally:
            await runtime.close()

    try:
        asyncio.run(create())
    except MercatoError as error:
        console.print(f"[red]Cannot create the admin: {error.detail}[/red]")
        raise typer.Exit(1) from error
    console.print(f"Admin {email} created.")


@keys_app.command("rotate")
def rotate_keys(
    new_key: bool = typer.Option(
        True,
        help="Embedded mode: add a fresh key first. In production add the key to "
        "MERCATO_ENCRYPTION_KEYS yourself and pass --no-new-key.",
    ),
) -> None:
    """Re-encrypt every encrypted column with the newest key."""
    from mercato.kit.crypto import KeyRing
    from mercato.kit.keys import encrypted_columns, reencrypt_table
    from mercato.kit.runtime import build_runtime

    settings = _settings()
    if new_key:
        if settings.mode is Mode.PRODUCTION or settings.encryption_keys:
            console.print(
                "[red]Keys come from MERCATO_ENCRYPTION_KEYS: add the new key there "
                "and run `mercato keys rotate --no-new-key`.[/red]"
            )
            raise typer.Exit(2)
        ring = KeyRing.parse(settings.resolved_encryption_keys())
        keys = f"{settings.resolved_encryption_keys()},{ring.primary_id + 1}:{new_encryption_key()}"
        store_embedded_encryption_keys(settings.var_dir, keys)
        console.print(f"Added encryption key {ring.primary_id + 1}.")

    async def rotate() -> None:
        runtime = build_runtime(Settings())
        try:
            for table, columns in encrypted_columns():
                async with runtime.database.transaction() as session:
                    changed = await reencrypt_table(session, table, columns, runtime.keyring)
                console.print(f"{table.name}: {changed} row(s) re-encrypted")
        finally:
            await runtime.close()

    asyncio.run(rotate())
    console.print("Every encrypted value now uses the newest key.")


@demo_app.command("seed")
def demo_seed() -> None:
    """Load the demo data (idempotent: running it twice duplicates nothing)."""
    from mercato.demo import seed_demo

    asyncio.run(seed_demo(_settings(), console))


def main() -> None:
    app()
