"""The demo marketplace loaded by ``make run`` (``mercato demo seed``). Idempotent: every row
is looked up by a natural key first, so seeding twice duplicates nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.schemas import AddressIn
from mercato.accounts.service import (
    add_address,
    create_user_with_role,
    find_user_id_by_email,
    list_addresses,
)
from mercato.audit.demo import seed_audit_demo
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.commission.demo import seed_commission_demo
from mercato.config import Settings
from mercato.disputes.demo import seed_disputes_demo, seed_returns_demo
from mercato.governance.demo import seed_escrow_hold_demo, seed_governance_demo
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import build_runtime
from mercato.kit.storage import FileStore
from mercato.orders.demo import seed_orders_demo
from mercato.payouts.demo import seed_payouts_demo
from mercato.performance.demo import seed_performance_demo
from mercato.reviews.demo import seed_reviews_demo
from mercato.sellers.demo import seed_sellers_demo
from mercato.sellers.service import find_seller_of, open_application
from mercato.settlement.demo import seed_settlement_demo
from mercato.tasks_registry import load_all_tasks

# Seller applicants the sellers demo creates, shown with the logins so the review queue can be
# tried from both sides.
APPLICANTS = (
    ("verte@mercato.example", "Maison Verte", "application awaiting review"),
    ("bergstrom@mercato.example", "Bergström Design", "more information requested"),
    ("quickdeals@mercato.example", "QuickDeals LLC", "rejected"),
)
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


DEMO_ADDRESSES = {
    "alice@mercato.example": [
        AddressIn(
            label="Home",
            full_name="Alice Buyer",
            line1="12 rue des Lilas",
            city="Lyon",
            postal_code="69003",
            country="FR",
            phone="+33 4 72 00 00 01",
            is_default=True,
        ),
        AddressIn(
            label="Office",
            full_name="Alice Buyer",
            line1="3 place Bellecour",
            line2="Floor 4",
            city="Lyon",
            postal_code="69002",
            country="FR",
        ),
    ],
    "bob@mercato.example": [
        AddressIn(
            label="Home",
            full_name="Bob Buyer",
            line1="221B Baker Street",
            city="London",
            postal_code="NW1 6XE",
            country="GB",
            is_default=True,
        ),
    ],
}


async def _seed_user(session: AsyncSession, demo: DemoUser) -> None:
    user_id = await find_user_id_by_email(session, demo.email)
    if user_id is None:
        user = await create_user_with_role(session, demo.email, DEMO_PASSWORD, demo.name, demo.role)
        user_id = user.id
    if demo.business_name and await find_seller_of(session, user_id) is None:
        await open_application(session, user_id, demo.business_name)
    principal = Principal(user_id=user_id, role=demo.role, email=demo.email)
    existing = {a.label for a in await list_addresses(session, principal)}
    for address in DEMO_ADDRESSES.get(demo.email, []):
        if address.label not in existing:
            await add_address(session, principal, address)


DomainSeed = Callable[[AsyncSession, FileStore], Awaitable[None]]

# Each domain seeds its own part, in dependency order (sellers are admitted before their
# listings are created; search indexes listings as they are committed).
DOMAIN_SEEDS: tuple[tuple[str, DomainSeed], ...] = (
    ("Seller applications and storefronts", seed_sellers_demo),
    ("Catalog: categories, listings, images", seed_catalog_demo),
    ("Commission: rules, plans, a campaign", seed_commission_demo),
    ("Cart: Bob's cart with items from both demo sellers", seed_cart_demo),
    ("Escrow hold policy: three days, lamps a week, since launch", seed_escrow_hold_demo),
    ("Orders: Alice's and Bob's orders in every status", seed_orders_demo),
    ("Settlement: releases of completed orders, refunds before and after", seed_settlement_demo),
    ("Payouts: schedules, a paid, a failed and a pending payout", seed_payouts_demo),
    ("Reviews: ratings and replies on delivered orders, a reported review", seed_reviews_demo),
    ("Disputes and returns: open, answered, escalated and decided", seed_disputes_demo),
    ("Governance: policies, SLA clocks, buyer-seller messages, breaches", seed_governance_demo),
    ("Returns under the SLA: a restocking fee kept, an expired return", seed_returns_demo),
    ("Performance: a late seller warned then suppressed, its appeal", seed_performance_demo),
    ("Audit log: the chain of every action above", seed_audit_demo),
)


async def seed_demo(settings: Settings, console: Console) -> None:
    runtime = build_runtime(settings)
    load_all_tasks()  # event handlers (search indexing) and jobs (thumbnails) run while seeding
    try:
        with Progress(console=console, transient=False) as progress:
            task = progress.add_task("Demo accounts", total=len(DEMO_USERS))
            for demo in DEMO_USERS:
                async with runtime.database.transaction() as session:
                    await _seed_user(session, demo)
                progress.advance(task)
            for label, seed in DOMAIN_SEEDS:
                task = progress.add_task(label, total=1)
                async with runtime.database.transaction() as session:
                    await seed(session, runtime.files)
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
    for email, name, state in APPLICANTS:
        table.add_row("seller", email, f"{name} ({state})")
    console.print(table)
