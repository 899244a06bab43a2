"""Completed orders for the benchmark, bulk-written as the application would have left them.

Each order is one checkout group with one seller's order, paid by card through the sandbox and
completed: the group, the order and its lines, the succeeded payment, its capture journal
(provider clearing → ``escrow:order:<id>``) with the cached balances, the commission fee of
every line, and the settlement escrow with its lines, exactly as ``settlement.service`` opens it
on ``OrderPaid`` and makes it releasable on ``OrderCompleted``. A *released* order also carries
its release journal (escrow → seller available + platform commission), as the sweep posts it.

Two series use it: the dataset's past orders (released long ago) and the release sweep's due
orders (completed, waiting for the sweep). The same seed always yields the same ids. Fees are
priced by :mod:`bench.fees`; the trailing volume a tiered rule looks at is counted over the
series itself (the two series are more than the volume window apart).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import asyncpg

from bench.dataset import CURRENCY, ListingRecord, Scale, SellerRecord, _id, listings
from bench.fees import PricedLine, Pricing
from mercato.payments import PLATFORM_COMMISSION, Posting, escrow_account
from mercato.payments.calculations import (
    capture_postings,
    journal_fingerprint,
    seller_available_account,
    seller_credit_postings,
    validate_journal,
)
from mercato.settlement.settings import settlement_settings

PROVIDER = "sandbox"
SHIPPING_MINOR = 490
BATCH = 2_000
Rows = dict[str, list[dict[str, Any]]]
# Parents before children: the order rows are written in this order.
TABLES = (
    "payments_ledger_journal",
    "payments_ledger_posting",
    "payments_payment",
    "orders_group",
    "orders_order",
    "orders_line",
    "commission_fee_line",
    "settlement_escrow",
    "settlement_escrow_line",
)


@dataclass(frozen=True)
class SoldLine:
    id: uuid.UUID
    listing: ListingRecord
    variant_index: int
    quantity: int

    @property
    def unit_price_minor(self) -> int:
        return self.listing.variants[self.variant_index].price_minor

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity


@dataclass(frozen=True)
class CompletedOrder:
    index: int
    id: uuid.UUID
    group_id: uuid.UUID
    payment_id: uuid.UUID
    number: str
    buyer_id: uuid.UUID
    seller: SellerRecord
    kind: str
    lines: tuple[SoldLine, ...]
    paid_at: datetime
    completed_at: datetime
    released: bool

    @property
    def items_minor(self) -> int:
        return sum(line.total_minor for line in self.lines)

    @property
    def shipping_minor(self) -> int:
        return SHIPPING_MINOR if self.kind == "goods" else 0

    @property
    def total_minor(self) -> int:
        return self.items_minor + self.shipping_minor

    @property
    def order_number(self) -> str:
        return f"{self.number}-1"  # the group's first (and only) order

    @property
    def escrow_account(self) -> str:
        return escrow_account("order", self.id)


def completed_orders(
    scale: Scale,
    count: int,
    *,
    series: str,
    first_paid: datetime,
    last_paid: datetime,
    released: bool,
    seed: int = 42,
) -> Iterator[CompletedOrder]:
    """``count`` orders paid evenly from ``first_paid`` to ``last_paid`` (oldest first), each of
    one to three listings of one seller and one kind, completed two to six days after payment."""
    rng = random.Random(f"{seed}:orders:{series}")
    catalog = list(listings(scale, seed))
    by_seller: dict[tuple[uuid.UUID, str], list[ListingRecord]] = defaultdict(list)
    for listing in catalog:
        by_seller[(listing.seller.id, listing.kind)].append(listing)
    step = (last_paid - first_paid) / max(count - 1, 1)
    for index in range(count):
        first = rng.choice(catalog)
        shelf = by_seller[(first.seller.id, first.kind)]
        chosen = [first, *rng.sample(shelf, min(len(shelf), rng.randint(1, 3)) - 1)]
        chosen = list({listing.id: listing for listing in chosen}.values())
        key = f"{seed}:{series}:{index}"
        lines = tuple(
            SoldLine(
                _id("order-line", f"{key}:{position}"),
                listing,
                rng.randrange(len(listing.variants)),
                1 if listing.kind == "service" else rng.randint(1, 3),
            )
            for position, listing in enumerate(chosen)
        )
        paid_at = first_paid + step * index
        yield CompletedOrder(
            index=index,
            id=_id("order", key),
            group_id=_id("order-group", key),
            payment_id=_id("payment", key),
            number=f"{series[0].upper()}{paid_at:%y%m%d}-{index:08d}",
            buyer_id=_id("buyer", f"{seed}:{rng.randint(1, scale.buyers)}"),
            seller=first.seller,
            kind=first.kind,
            lines=lines,
            paid_at=paid_at,
            completed_at=paid_at + timedelta(hours=rng.randint(48, 144)),
            released=released,
        )


# --- rows --------------------------------------------------------------------------------------


def _digest(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


def journal_rows(
    rows: Rows,
    balances: dict[tuple[str, str], int],
    key: str,
    kind: str,
    reference: str,
    postings: Sequence[Posting],
    at: datetime,
) -> uuid.UUID:
    """One journal as ``post_journal`` writes it (validated, fingerprinted), and its postings
    added to the cached balances; returns its id."""
    checked = validate_journal(kind, reference, postings)
    journal_id = _id("journal", key)
    rows["payments_ledger_journal"].append(
        {
            "id": journal_id,
            "idempotency_key": key,
            "kind": kind,
            "reference": reference,
            "fingerprint": journal_fingerprint(kind, reference, checked),
            "reverses_journal_id": None,
            "created_at": at,
        }
    )
    for position, posting in enumerate(checked):
        rows["payments_ledger_posting"].append(
            {
                "id": _id("posting", f"{key}:{position}"),
                "journal_id": journal_id,
                "position": position,
                "account": posting.account,
                "currency": posting.currency,
                "amount_minor": posting.amount_minor,
            }
        )
        balances[(posting.account, posting.currency)] += posting.amount_minor
    return journal_id


def order_rows(
    order: CompletedOrder, pricing: Pricing, rows: Rows, balances: dict[tuple[str, str], int]
) -> None:
    """Every row the order leaves behind, appended to ``rows``; its money to ``balances``."""
    escrow = order.escrow_account
    capture = capture_postings(PROVIDER, order.total_minor, CURRENCY, [(escrow, order.total_minor)])
    capture_id = journal_rows(
        rows,
        balances,
        f"payment:{order.payment_id}:capture",
        "payment_capture",
        f"payment:{order.payment_id}",
        capture,
        order.paid_at,
    )
    _payment_and_group(order, capture_id, rows)
    _order_and_lines(order, rows)
    fees = pricing.priced(order)
    fee_minor = min(sum(fee.fee_minor for fee, *_rest in fees), order.total_minor)
    release_id = _release(order, fee_minor, rows, balances) if order.released else None
    _fee_lines(order, fees, rows)
    _escrow(order, fee_minor, release_id, rows)


def _release(
    order: CompletedOrder, fee_minor: int, rows: Rows, balances: dict[tuple[str, str], int]
) -> uuid.UUID:
    """The release journal as ``credit_seller`` posts it for a seller without debt."""
    source = [Posting(order.escrow_account, -order.total_minor, CURRENCY)]
    if fee_minor:
        source.append(Posting(PLATFORM_COMMISSION, fee_minor, CURRENCY))
    net = order.total_minor - fee_minor
    credit = seller_credit_postings(
        order.seller.id, net, CURRENCY, 0, to=seller_available_account(order.seller.id)
    )
    return journal_rows(
        rows,
        balances,
        f"release:order:{order.id}",
        "escrow_release",
        f"order:{order.id}",
        [*source, *credit],
        release_after(order),
    )


def release_after(order: CompletedOrder) -> datetime:
    return order.completed_at + settlement_settings().hold


def _payment_and_group(order: CompletedOrder, capture_id: uuid.UUID, rows: Rows) -> None:
    created = order.paid_at - timedelta(minutes=1)
    key = f"bench-{order.group_id}"
    rows["payments_payment"].append(
        {
            "id": order.payment_id,
            "payer_id": order.buyer_id,
            "idempotency_key": key,
            "request_fingerprint": _digest("payment", order.group_id),
            "provider": PROVIDER,
            "provider_idempotency_key": f"mercato-payment-{_digest(order.buyer_id, key)[:48]}",
            "provider_payment_id": f"sbx_bench_{order.payment_id.hex}",
            "method": "card",
            "status": "succeeded",
            "amount_minor": order.total_minor,
            "currency": CURRENCY,
            "purpose_reference": f"order-group:{order.group_id}",
            "return_url": f"/checkout/{order.group_id}/confirmation",
            "redirect_url": None,
            "split": [[order.escrow_account, order.total_minor]],
            "card_token": None,
            "card_brand": "visa",
            "card_last4": "4242",
            "card_exp_month": 12,
            "card_exp_year": 2030,
            "failure_code": None,
            "failure_message": None,
            "capture_journal_id": capture_id,
            "succeeded_at": order.paid_at,
            "created_at": created,
            "updated_at": order.paid_at,
        }
    )
    goods = order.kind == "goods"
    rows["orders_group"].append(
        {
            "id": order.group_id,
            "number": order.number,
            "buyer_id": order.buyer_id,
            "idempotency_key": f"checkout-{order.group_id}",
            "request_fingerprint": _digest("checkout", order.group_id),
            "status": "paid",
            "currency": CURRENCY,
            "items_minor": order.items_minor,
            "shipping_minor": order.shipping_minor,
            "total_minor": order.total_minor,
            "shipping_address": _address(order) if goods else None,
            "payment_method": "card",
            "payment_id": order.payment_id,
            "payment_key": key,
            "payment_attempts": 1,
            "reserved_until": created + timedelta(minutes=15),
            "stock_released_at": None,
            "paid_at": order.paid_at,
            "canceled_at": None,
            "cancel_reason": None,
            "created_at": created,
            "updated_at": order.paid_at,
        }
    )


def _address(order: CompletedOrder) -> dict[str, Any]:
    return {
        "full_name": f"Buyer {order.buyer_id.hex[:6]}",
        "line1": f"{order.index % 200 + 1} rue du Marché",
        "line2": None,
        "city": "Lyon",
        "postal_code": "69002",
        "country": "FR",
        "phone": None,
    }


def _order_and_lines(order: CompletedOrder, rows: Rows) -> None:
    goods = order.kind == "goods"
    accepted = order.paid_at + timedelta(hours=2)
    rows["orders_order"].append(
        {
            "id": order.id,
            "number": order.order_number,
            "group_id": order.group_id,
            "position": 1,
            "buyer_id": order.buyer_id,
            "seller_id": order.seller.id,
            "seller_name": order.seller.business_name,
            "kind": order.kind,
            "status": "completed",
            "currency": CURRENCY,
            "items_minor": order.items_minor,
            "shipping_minor": order.shipping_minor,
            "total_minor": order.total_minor,
            "escrow_account": order.escrow_account,
            "captured_minor": order.total_minor,
            "shipping_profile_id": None,
            "shipping_name": "Standard" if goods else None,
            "handling_days": 2 if goods else None,
            "carrier": "La Poste" if goods else None,
            "tracking_number": f"BENCH{order.index:010d}" if goods else None,
            "scheduled_for": None if goods else accepted + timedelta(days=1),
            "cancel_reason": None,
            "canceled_by": None,
            "due_at": None,
            "paid_at": order.paid_at,
            "accepted_at": accepted,
            "shipped_at": accepted + timedelta(hours=20) if goods else None,
            "delivered_at": order.completed_at - timedelta(hours=24) if goods else None,
            "performed_at": None if goods else accepted + timedelta(days=1),
            "confirmed_at": order.completed_at,
            "completed_at": order.completed_at,
            "canceled_at": None,
            "created_at": order.paid_at - timedelta(minutes=1),
            "updated_at": order.completed_at,
        }
    )
    for position, line in enumerate(order.lines, start=1):
        variant = line.listing.variants[line.variant_index]
        rows["orders_line"].append(
            {
                "id": line.id,
                "order_id": order.id,
                "position": position,
                "variant_id": variant.id,
                "listing_id": line.listing.id,
                "sku": variant.sku,
                "title": line.listing.title,
                "options": dict(variant.options),
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "line_total_minor": line.total_minor,
                "weight_grams": variant.weight_grams,
            }
        )


def _fee_lines(order: CompletedOrder, fees: list[PricedLine], rows: Rows) -> None:
    for position, (line, (fee, explanation, snapshot, terms)) in enumerate(
        zip(order.lines, fees, strict=True)
    ):
        rows["commission_fee_line"].append(
            {
                "id": _id("fee-line", line.id),
                "line_id": line.id,
                "order_id": order.id,
                "seller_id": order.seller.id,
                "position": position,
                "currency": CURRENCY,
                "paid_at": order.paid_at,
                "listing_id": line.listing.id,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "gross_minor": fee.gross_minor,
                "fee_minor": fee.fee_minor,
                "net_minor": fee.net_minor,
                "rule_id": terms.source_id,
                "rule_version_id": terms.version_id,
                "rule_name": terms.name[:120],
                "explanation": explanation[:300],
                "snapshot": snapshot,
                "created_at": order.paid_at,
            }
        )


def _escrow(
    order: CompletedOrder, fee_minor: int, release_id: uuid.UUID | None, rows: Rows
) -> None:
    """The escrow as ``open_escrow`` writes it on ``OrderPaid`` and ``mark_completed`` on
    ``OrderCompleted``; with ``release_id``, as the sweep leaves it once released."""
    escrow_id = _id("escrow", order.id)
    due = release_after(order)
    rows["settlement_escrow"].append(
        {
            "id": escrow_id,
            "order_id": order.id,
            "group_id": order.group_id,
            "seller_id": order.seller.id,
            "buyer_id": order.buyer_id,
            "number": order.order_number,
            "kind": order.kind,
            "currency": CURRENCY,
            "escrow_account": order.escrow_account,
            "status": "released" if release_id else "releasable",
            "captured_minor": order.total_minor,
            "shipping_minor": order.shipping_minor,
            "fee_minor": fee_minor,
            "refunded_minor": 0,
            "refunded_fee_minor": 0,
            "released_minor": order.total_minor if release_id else 0,
            "released_fee_minor": fee_minor if release_id else 0,
            "paid_at": order.paid_at,
            "completed_at": order.completed_at,
            "release_after": due,
            "released_at": due if release_id else None,
            "release_journal_id": release_id,
            "canceled_at": None,
            "frozen_at": None,
            "frozen_reason": None,
            "horizon_alert_at": order.paid_at + settlement_settings().horizon_alert_after,
            "horizon_alerted_at": None,
            "created_at": order.paid_at,
            "updated_at": due if release_id else order.completed_at,
        }
    )
    for position, line in enumerate(order.lines):
        variant = line.listing.variants[line.variant_index]
        rows["settlement_escrow_line"].append(
            {
                "id": _id("escrow-line", line.id),
                "escrow_id": escrow_id,
                "position": position,
                "line_id": line.id,
                "listing_id": line.listing.id,
                "variant_id": variant.id,
                "sku": variant.sku,
                "title": line.listing.title,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "line_total_minor": line.total_minor,
                "refunded_quantity": 0,
                "refunded_minor": 0,
            }
        )


# --- writing -----------------------------------------------------------------------------------


class Writer(Protocol):
    async def insert(self, table: str, rows: list[dict[str, Any]]) -> None: ...

    async def add_to_balances(self, changes: dict[tuple[str, str], int], at: datetime) -> None: ...


class CopyWriter:
    """Bulk writes on one asyncpg connection: ``COPY`` for the rows, one upsert for balances."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        records = [tuple(_copyable(row[column]) for column in columns) for row in rows]
        await self.connection.copy_records_to_table(table, records=records, columns=columns)

    async def add_to_balances(self, changes: dict[tuple[str, str], int], at: datetime) -> None:
        items = [(key, amount) for key, amount in changes.items() if amount]
        await self.connection.execute(
            "INSERT INTO payments_ledger_balance (id, account, currency, balance_minor,"
            " updated_at) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[],"
            " $5::timestamptz[]) ON CONFLICT (account, currency) DO UPDATE SET balance_minor ="
            " payments_ledger_balance.balance_minor + excluded.balance_minor,"
            " updated_at = excluded.updated_at",
            [uuid.uuid4() for _ in items],
            [account for (account, _c), _a in items],
            [currency for (_a, currency), _amount in items],
            [amount for _key, amount in items],
            [at] * len(items),
        )


def _copyable(value: object) -> object:
    return json.dumps(value) if isinstance(value, dict | list) else value


async def write_orders(
    writer: Writer, orders: Iterator[CompletedOrder], pricing: Pricing, at: datetime
) -> int:
    """Write ``orders`` in batches; the number written."""
    written = 0
    rows: Rows = defaultdict(list)
    balances: dict[tuple[str, str], int] = defaultdict(int)

    async def flush() -> None:
        for table in TABLES:
            await writer.insert(table, rows[table])
        await writer.add_to_balances(balances, at)
        rows.clear()
        balances.clear()

    for order in orders:
        order_rows(order, pricing, rows, balances)
        written += 1
        if written % BATCH == 0:
            await flush()
    await flush()
    return written
