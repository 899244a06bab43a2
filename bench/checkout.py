"""The checkout scenario: virtual buyers each add an item to the cart, check out, and pay on the
sandbox's hosted card page — the whole buying path, four requests per order.

wrk replays fixed requests; a checkout needs per-buyer state (a token, a fresh Idempotency-Key,
the payment page's CSRF cookie), so this scenario is driven by asyncio + httpx instead. After
the run, the stock is audited: every unit that left a variant's stock is in exactly one order
line, so "zero oversold" is proved from the database, not assumed.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import httpx

ADDRESS = {
    "full_name": "Bench Buyer",
    "line1": "1 rue de la Paix",
    "city": "Paris",
    "postal_code": "75002",
    "country": "FR",
}
CARD = {"number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123", "name": "Bench Buyer"}
STOCK = 1_000_000
SIGN_IN_CONCURRENCY = 8
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHECKOUT_REQUESTS = 4  # add to cart, checkout, card page, card payment (see Buyer.buy)
TARGET_ORDERS_PER_SECOND = 300
TARGET_P99_MS = 150
CHECKOUT_TARGET = (
    f"≥ {TARGET_ORDERS_PER_SECOND} checkouts/s, p99 ≤ {TARGET_P99_MS} ms, zero errors, "
    "zero oversold"
)


@dataclass
class CheckoutRun:
    buyers: int
    seconds: float
    orders: int = 0
    errors: int = 0
    add_to_cart_ms: list[float] = field(default_factory=list)
    checkout_ms: list[float] = field(default_factory=list)
    flow_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    oversold_units: int | None = None
    negative_stock_variants: int | None = None
    cpu: dict[str, Any] | None = None  # bench.cpu.CpuSplit.summary() per order
    database: dict[str, float] | None = None  # DatabaseWork.per_order()

    @property
    def orders_per_second(self) -> float:
        return self.orders / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        data = {
            key: value
            for key, value in asdict(self).items()
            if key not in ("add_to_cart_ms", "checkout_ms", "flow_ms")
        }
        data["orders_per_second"] = round(self.orders_per_second, 1)
        data["add_to_cart_per_second"] = round(
            len(self.add_to_cart_ms) / self.seconds if self.seconds else 0.0, 1
        )
        measured = (
            ("add_to_cart", self.add_to_cart_ms),
            ("checkout", self.checkout_ms),
            ("flow", self.flow_ms),
        )
        for name, values in measured:
            for label, share in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
                data[f"{name}_{label}_ms"] = round(percentile(values, share), 1)
        data["target"] = CHECKOUT_TARGET
        data["target_met"] = (
            self.orders_per_second >= TARGET_ORDERS_PER_SECOND
            and percentile(self.checkout_ms, 0.99) <= TARGET_P99_MS
            and self.errors == 0
            and self.oversold_units == 0
        )
        return data


# A backend publishes its statistics when idle, at most once a second: wait that long before
# reading the counters after a run.
STATS_DELAY_SECONDS = 1.5


@dataclass(frozen=True)
class DatabaseWork:
    """PostgreSQL's own counters for the bench database (``pg_stat_database``)."""

    transactions: int  # committed and rolled back
    rows_written: int  # inserted, updated and deleted

    def per_order(self, before: DatabaseWork, orders: int) -> dict[str, float]:
        """What each order cost PostgreSQL between ``before`` and this reading (everything the
        database did meanwhile, the background jobs' sweeps included)."""
        share = 1 / orders if orders else 0.0
        return {
            "transactions_per_order": round((self.transactions - before.transactions) * share, 1),
            "rows_written_per_order": round((self.rows_written - before.rows_written) * share, 1),
        }


async def database_work(dsn: str) -> DatabaseWork:
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow(
            """
            SELECT xact_commit + xact_rollback AS transactions,
                tup_inserted + tup_updated + tup_deleted AS rows_written
            FROM pg_stat_database WHERE datname = current_database()
            """
        )
        return DatabaseWork(int(row["transactions"]), int(row["rows_written"]))
    finally:
        await connection.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def prepare(dsn: str, count: int) -> list[uuid.UUID]:
    """``count`` goods variants with plenty of stock, their sellers given a flat-rate shipping
    profile (the generated catalog has none), so every checkout can succeed."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            """
            SELECT DISTINCT ON (l.id) v.id AS variant_id, l.id AS listing_id, l.seller_id
            FROM catalog_listing l JOIN catalog_variant v ON v.listing_id = l.id
            WHERE l.kind = 'goods' AND l.status = 'published' AND l.currency = 'EUR'
            ORDER BY l.id, v.position LIMIT $1
            """,
            count,
        )
        async with connection.transaction():
            for seller_id in {row["seller_id"] for row in rows}:
                await connection.execute(
                    """
                    INSERT INTO catalog_shipping_profile (id, seller_id, name, currency, method,
                        flat_rate_minor, per_kg_minor, handling_days, created_at, updated_at)
                    VALUES ($1, $2, 'Bench post', 'EUR', 'flat', 490, 0, 2, now(), now())
                    ON CONFLICT DO NOTHING
                    """,
                    uuid.uuid4(),
                    seller_id,
                )
            await connection.execute(
                """
                UPDATE catalog_listing l SET shipping_profile_id = p.id
                FROM catalog_shipping_profile p
                WHERE p.seller_id = l.seller_id AND p.name = 'Bench post' AND l.id = ANY($1)
                """,
                [row["listing_id"] for row in rows],
            )
            await connection.execute(
                "UPDATE catalog_variant SET stock = $1 WHERE id = ANY($2)",
                STOCK,
                [row["variant_id"] for row in rows],
            )
        return [row["variant_id"] for row in rows]
    finally:
        await connection.close()


async def audit(
    dsn: str, variants: list[uuid.UUID], since: datetime | None = None
) -> tuple[int, int]:
    """(units sold beyond what left the stock, variants below zero): both must be 0. With
    ``since``, only checkouts from then on count (the dataset's past orders bought from these
    variants before :func:`prepare` set their stock)."""
    connection = await asyncpg.connect(dsn)
    try:
        taken = await connection.fetchval(
            "SELECT coalesce(sum($1 - stock), 0) FROM catalog_variant WHERE id = ANY($2)",
            STOCK,
            variants,
        )
        # Units still held by unpaid groups are in order lines too: every taken unit is in one.
        ordered = await connection.fetchval(
            """
            SELECT coalesce(sum(ln.quantity), 0) FROM orders_line ln
            JOIN orders_order o ON o.id = ln.order_id
            JOIN orders_group g ON g.id = o.group_id
            WHERE ln.variant_id = ANY($1) AND g.stock_released_at IS NULL
                AND ($2::timestamptz IS NULL OR g.created_at >= $2)
            """,
            variants,
            since,
        )
        negative = await connection.fetchval(
            "SELECT count(*) FROM catalog_variant WHERE stock < 0 AND id = ANY($1)", variants
        )
        return abs(int(ordered) - int(taken)), int(negative)
    finally:
        await connection.close()


class Buyer:
    """One virtual buyer: its own HTTP client (cookies for the payment page) and token."""

    def __init__(
        self,
        base_url: str,
        email: str,
        password: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url, timeout=30, follow_redirects=False, transport=transport
        )
        self.email, self.password = email, password
        self.headers: dict[str, str] = {}

    async def sign_in(self) -> None:
        answer = await self.client.post(
            "/api/v1/auth/token", data={"username": self.email, "password": self.password}
        )
        answer.raise_for_status()
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    async def buy(self, variant_id: uuid.UUID, run: CheckoutRun) -> None:
        started = time.perf_counter()
        added = await self.client.post(
            "/api/v1/cart/lines",
            json={"variant_id": str(variant_id), "quantity": 1},
            headers=self.headers,
        )
        run.add_to_cart_ms.append((time.perf_counter() - started) * 1000)
        _expect(added, 200, 201)
        checkout_started = time.perf_counter()
        placed = await self.client.post(
            "/api/v1/checkout",
            json={"address": ADDRESS, "payment_method": "card"},
            headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
        )
        run.checkout_ms.append((time.perf_counter() - checkout_started) * 1000)
        _expect(placed, 201)
        card_page = await self.client.get(placed.json()["payment"]["redirect_url"])
        _expect(card_page, 200)
        token = CSRF.search(card_page.text)
        if token is None:
            raise BuyError("no CSRF token on the card page")
        paid = await self.client.post(
            f"{card_page.url.path}/card", data={**CARD, "csrf_token": token.group(1)}
        )
        _expect(paid, 303, 302)
        run.flow_ms.append((time.perf_counter() - started) * 1000)
        run.orders += 1

    async def close(self) -> None:
        await self.client.aclose()


class BuyError(RuntimeError):
    pass


def _expect(answer: httpx.Response, *statuses: int) -> None:
    if answer.status_code not in statuses:
        raise BuyError(
            f"{answer.request.method} {answer.request.url.path}: "
            f"{answer.status_code} {answer.text[:200]}"
        )


async def sign_in(
    base_url: str,
    emails: list[str],
    password: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Buyer]:
    """One signed-in buyer per email. Each sign-in spends tens of milliseconds of Argon2 by
    design: buyers sign in a few at a time, as they would arrive, and before any measured run
    (a sign-in is not part of buying)."""
    buyers = [Buyer(base_url, email, password, transport) for email in emails]
    arriving = asyncio.Semaphore(SIGN_IN_CONCURRENCY)

    async def arrive(buyer: Buyer) -> None:
        async with arriving:
            await buyer.sign_in()

    try:
        await asyncio.gather(*(arrive(buyer) for buyer in buyers))
    except BaseException:
        await close(buyers)
        raise
    return buyers


async def drive(
    buyers: list[Buyer], variants: list[uuid.UUID], seconds: float, seed: int = 11
) -> CheckoutRun:
    """Each buyer buys in a loop for ``seconds``; errors are counted, never retried."""
    run = CheckoutRun(buyers=len(buyers), seconds=seconds)
    rng = random.Random(seed)
    deadline = time.perf_counter() + seconds

    async def shop(buyer: Buyer) -> None:
        while time.perf_counter() < deadline:
            try:
                await buyer.buy(rng.choice(variants), run)
            except (BuyError, httpx.HTTPError) as error:
                run.errors += 1
                if len(run.error_samples) < 5:
                    run.error_samples.append(f"{type(error).__name__}: {error}")

    started = time.perf_counter()
    await asyncio.gather(*(shop(buyer) for buyer in buyers))
    run.seconds = time.perf_counter() - started
    return run


async def close(buyers: list[Buyer]) -> None:
    await asyncio.gather(*(buyer.close() for buyer in buyers))


def markdown(summary: dict[str, Any]) -> list[str]:
    verdict = "**met**" if summary["target_met"] else "**missed**"
    return [
        "## Checkout + sandbox card payment",
        "",
        f"{summary['buyers']} concurrent buyers for {summary['seconds']:.0f} s; each order is "
        f"add to cart → checkout → card page → pay ({CHECKOUT_REQUESTS} requests).",
        "",
        "| orders/s | checkout p50 ms | p95 | p99 | whole flow p50 ms | p99 | errors "
        "| oversold units | target |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {summary['orders_per_second']:,.1f} | {summary['checkout_p50_ms']} "
        f"| {summary['checkout_p95_ms']} | {summary['checkout_p99_ms']} "
        f"| {summary['flow_p50_ms']} | {summary['flow_p99_ms']} | {summary['errors']} "
        f"| {summary['oversold_units']} | {summary['target']} {verdict} |",
        "",
        f"Add to cart, within the same run: {summary['add_to_cart_per_second']:,.1f} adds/s, "
        f"p50 {summary['add_to_cart_p50_ms']} ms, p95 {summary['add_to_cart_p95_ms']} ms, "
        f"p99 {summary['add_to_cart_p99_ms']} ms.",
        "",
        *_database_lines(summary.get("database")),
        *(f"- error sample: `{sample}`" for sample in summary["error_samples"]),
        "",
    ]


def _database_lines(work: dict[str, float] | None) -> list[str]:
    if not work:
        return []
    return [
        "PostgreSQL's own counters over the measured window, per order: "
        f"{work['transactions_per_order']:,.1f} transactions, "
        f"{work['rows_written_per_order']:,.1f} rows written (the pgbench ceiling writes an "
        "order's rows in one transaction).",
        "",
    ]
