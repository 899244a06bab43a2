"""The demo marketplace loaded by ``make run`` (``mercato demo seed``). Idempotent: every row
is looked up by a natural key first, so seeding twice duplicates nothing."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import create_user_with_role, find_user_id_by_email
from mercato.config import Settings
from mercato.kit.auth import Role
from mercato.kit.runtime import build_runtime
from mercato.sellers.service import find_seller_of, open_application

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo login)


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    business_name: str | None = None


DEMO_USERS = (
    DemoUser("admin@mercato.example", "Ada Admin", Role.ADMIN),
    DemoUser("support@mercato.example", "Sam Support", Role.SUPPORT),
    DemoUser("atelier@mercato.example", "Lea Martin", Role.SELLER, "Atelier Lumière"),
    DemoUser("nordic@mercato.example", "Erik Berg", Role.SELLER, "Nordic Outdoor Co."),
    DemoUser("alice@mercato.example", "Alice Buyer", Role.BUYER),
    DemoUser("bob@mercato.example", "Bob Buyer", Role.BUYER),
)


async def _seed_user(session: AsyncSession, demo: DemoUser) -> None:
    user_id = await find_user_id_by_email(session, demo.email)
    if user_id is None:
        user = await create_user_with_role(session, demo.email, DEMO_PASSWORD, demo.name, demo.role)
        user_id = user.id
    if demo.business_name and await find_seller_of(session, user_id) is None:
        await open_application(session, user_id, demo.business_name)


async def seed_demo(settings: Settings, console: Console) -> None:
    runtime = build_runtime(settings)
    try:
        with Progress(console=console, transient=False) as progress:
            task = progress.add_task("Seeding demo accounts", total=len(DEMO_USERS))
            for demo in DEMO_USERS:
                async with runtime.database.transaction() as session:
                    await _seed_user(session, demo)
                progress.advance(task)
    finally:
        await runtime.close()
    print_logins(console)


def print_logins(console: Console) -> None:
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    table.add_column("role")
    table.add_column("email")
    table.add_column("name")
    for demo in DEMO_USERS:
        table.add_row(demo.role.value, demo.email, demo.name)
    console.print(table)
