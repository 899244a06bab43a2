"""Pure SLA rules: the parameters of a policy and their validation, the terms for a category
(overrides on the most specific category win), the deadlines of an order, and the preview of a
draft policy against past orders. No I/O."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mercato.kit.errors import FieldError

# Every SLA parameter and its unit, in the order forms show them.
SLA_PARAMETERS: dict[str, str] = {
    "accept_within_hours": "hours",
    "ship_within_days": "days",
    "respond_within_hours": "hours",
    "service_confirm_days": "days",
    "return_window_days": "days",
    "return_ship_back_days": "days",
    "restocking_fee_percent": "percent",
    "dispute_window_days": "days",
    "seller_dispute_answer_days": "days",
    "auto_cancel_unshipped_days": "days",
    "reminder_before_hours": "hours",
}
# What applies while no SLA version was ever activated.
DEFAULT_SLA: dict[str, int] = {
    "accept_within_hours": 48,
    "ship_within_days": 3,
    "respond_within_hours": 24,
    "service_confirm_days": 14,
    "return_window_days": 30,
    "return_ship_back_days": 14,
    "restocking_fee_percent": 0,
    "dispute_window_days": 30,
    "seller_dispute_answer_days": 3,
    "auto_cancel_unshipped_days": 7,
    "reminder_before_hours": 12,
}
LATE_SHIPMENT_THRESHOLD_BP = 400  # 4%: the late shipment rate a seller must stay under
PREVIEW_DAYS = 90
# Deadline kinds: what the seller must do by when, and the order status that meets it.
ACCEPT, SHIP, CONFIRM, AUTO_CANCEL = "accept", "ship", "confirm", "auto_cancel"
SELLER_DEADLINES = (ACCEPT, SHIP, CONFIRM)
# Reply to the buyer: opened by a buyer's message rather than by the payment, so an order
# has as many of them as its buyer waited for answers.
RESPOND = "respond"


@dataclass(frozen=True)
class SlaTerms:
    """The SLA durations that apply to one order (or category) at one time."""

    accept_within: timedelta
    ship_within: timedelta
    respond_within: timedelta
    service_confirm: timedelta
    return_window: timedelta
    dispute_window: timedelta
    seller_dispute_answer: timedelta
    auto_cancel_unshipped: timedelta
    reminder_before: timedelta
    # Refund conditions: the buyer's time to send an approved return back, and the share of a
    # change-of-mind return's amount the seller keeps as a restocking fee.
    return_ship_back: timedelta = timedelta(days=14)
    restocking_fee_percent: int = 0
    version_id: uuid.UUID | None = None


PERCENT = "percent"  # the unit of the parameters that are not durations


def _duration(name: str, value: int) -> timedelta:
    return timedelta(hours=value) if SLA_PARAMETERS[name] == "hours" else timedelta(days=value)


def terms_from_parameters(
    parameters: Mapping[str, int], version_id: uuid.UUID | None = None
) -> SlaTerms:
    """The terms of a complete, valid parameter set (durations, and the restocking fee)."""
    values = {
        name: _duration(name, int(parameters[name]))
        for name, unit in SLA_PARAMETERS.items()
        if unit != PERCENT
    }
    return SlaTerms(
        accept_within=values["accept_within_hours"],
        ship_within=values["ship_within_days"],
        respond_within=values["respond_within_hours"],
        service_confirm=values["service_confirm_days"],
        return_window=values["return_window_days"],
        dispute_window=values["dispute_window_days"],
        seller_dispute_answer=values["seller_dispute_answer_days"],
        auto_cancel_unshipped=values["auto_cancel_unshipped_days"],
        reminder_before=values["reminder_before_hours"],
        return_ship_back=values["return_ship_back_days"],
        restocking_fee_percent=int(parameters["restocking_fee_percent"]),
        version_id=version_id,
    )


def parameter_errors(parameters: Mapping[str, Any], prefix: str = "parameters") -> list[FieldError]:
    """What is wrong with a complete parameter set, one error per field."""
    errors: list[FieldError] = []
    for name, unit in SLA_PARAMETERS.items():
        value = parameters.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(FieldError(f"{prefix}.{name}", "Enter a whole number."))
        elif unit == PERCENT and not 0 <= value <= 100:
            errors.append(FieldError(f"{prefix}.{name}", "Enter a percentage from 0 to 100."))
        elif unit != PERCENT and value <= 0:
            errors.append(FieldError(f"{prefix}.{name}", "Durations must be greater than zero."))
    if errors:
        return errors
    terms = terms_from_parameters(parameters)
    shortest = min(terms.accept_within, terms.ship_within, terms.service_confirm)
    if terms.reminder_before >= shortest:
        errors.append(
            FieldError(
                f"{prefix}.reminder_before_hours",
                "The reminder must come before the deadline: make it shorter than the "
                f"shortest seller deadline ({_hours(shortest)} hours).",
            )
        )
    if terms.auto_cancel_unshipped <= terms.ship_within:
        errors.append(
            FieldError(
                f"{prefix}.auto_cancel_unshipped_days",
                "Automatic cancellation must come after the shipping deadline.",
            )
        )
    return errors


def _hours(duration: timedelta) -> int:
    return int(duration.total_seconds() // 3600)


def merged_parameters(
    base: Mapping[str, int], overrides: Sequence[Mapping[str, Any]], category_chain: Sequence[str]
) -> dict[str, int]:
    """The base parameters with the overrides of the category chain applied from the root down,
    so the most specific category has the last word."""
    by_category = {str(item["category_id"]): item.get("parameters", {}) for item in overrides}
    merged = dict(base)
    for category_id in category_chain:
        merged.update({k: int(v) for k, v in by_category.get(str(category_id), {}).items()})
    return merged


@dataclass(frozen=True)
class Deadline:
    kind: str
    due_at: datetime
    remind_at: datetime | None


def order_deadlines(kind: str, paid_at: datetime, terms: SlaTerms) -> list[Deadline]:
    """The deadlines of an order paid at ``paid_at``: goods are accepted, shipped, or cancelled
    automatically; services are accepted (scheduled) and performed."""

    def reminded(kind_: str, due: datetime) -> Deadline:
        return Deadline(kind_, due, due - terms.reminder_before)

    accept = reminded(ACCEPT, paid_at + terms.accept_within)
    if kind == "service":
        return [accept, reminded(CONFIRM, paid_at + terms.service_confirm)]
    return [
        accept,
        reminded(SHIP, paid_at + terms.ship_within),
        Deadline(AUTO_CANCEL, paid_at + terms.auto_cancel_unshipped, None),
    ]


@dataclass(frozen=True)
class ThreadEntry:
    """One message of an order's thread as the respond-by clock reads it."""

    message_id: uuid.UUID
    author: str  # buyer | seller
    created_at: datetime


@dataclass(frozen=True)
class RespondDeadline:
    """A respond-by deadline and the buyer message that opened it."""

    message_id: uuid.UUID
    opened_at: datetime
    due_at: datetime
    remind_at: datetime | None


def respond_deadlines(thread: Sequence[ThreadEntry], terms: SlaTerms) -> list[RespondDeadline]:
    """The respond-by deadlines an order's thread (oldest first) calls for: a buyer message
    opens one when none is running, due ``respond_within`` later; the seller's next message
    ends it (met or late), so the buyer's next message opens a new one; a buyer still writing
    after a deadline passed unanswered opens the next. The reminder comes
    ``reminder_before`` the deadline, unless that is not after the message."""
    found: list[RespondDeadline] = []
    running_until: datetime | None = None
    for entry in thread:
        if entry.author != "buyer":
            running_until = None
            continue
        if running_until is not None and entry.created_at < running_until:
            continue
        due = entry.created_at + terms.respond_within
        remind = due - terms.reminder_before
        found.append(
            RespondDeadline(
                entry.message_id,
                entry.created_at,
                due,
                remind if remind > entry.created_at else None,
            )
        )
        running_until = due
    return found


# --- preview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    """What the preview needs of one past order."""

    order_id: uuid.UUID
    seller_id: uuid.UUID
    kind: str
    category_chain: tuple[str, ...]
    paid_at: datetime
    accepted_at: datetime | None  # accepted (goods) or scheduled (service)
    shipped_at: datetime | None
    performed_at: datetime | None
    canceled_at: datetime | None
    currency: str = "EUR"
    fee_minor: int = 0


@dataclass(frozen=True)
class OrderOutcome:
    breached: frozenset[str]
    auto_canceled: bool


def _late(
    done_at: datetime | None, due: datetime, ended_at: datetime | None, now: datetime
) -> bool:
    """Done after the deadline, or never done while the order was still open at the deadline."""
    if done_at is not None:
        return done_at > due
    if ended_at is not None and ended_at <= due:
        return False
    return now > due


def evaluate_order(order: OrderFacts, terms: SlaTerms, now: datetime) -> OrderOutcome:
    """Which deadlines ``order`` would have missed under ``terms``, and whether it would have
    been cancelled automatically for not shipping."""
    done = {ACCEPT: order.accepted_at, SHIP: order.shipped_at, CONFIRM: order.performed_at}
    breached: set[str] = set()
    auto_canceled = False
    for deadline in order_deadlines(order.kind, order.paid_at, terms):
        if deadline.kind == AUTO_CANCEL:
            auto_canceled = _late(order.shipped_at, deadline.due_at, order.canceled_at, now)
        elif _late(done[deadline.kind], deadline.due_at, order.canceled_at, now):
            breached.add(deadline.kind)
    return OrderOutcome(frozenset(breached), auto_canceled)


def rate_bp(part: int, whole: int) -> int:
    """``part / whole`` in basis points, rounded half up (0 when there is nothing to rate)."""
    return 0 if whole == 0 else (part * 20000 + whole) // (2 * whole)


@dataclass(frozen=True)
class SellerShift:
    seller_id: uuid.UUID
    goods_orders: int
    current_bp: int
    draft_bp: int


@dataclass(frozen=True)
class FeeImpact:
    currency: str
    current_orders: int
    current_fee_minor: int
    draft_orders: int
    draft_fee_minor: int


@dataclass
class PreviewResult:
    orders: int
    breaches: dict[str, tuple[int, int]]  # kind -> (current, draft)
    sellers_crossing: list[SellerShift]
    fee_impact: list[FeeImpact]
    auto_canceled: tuple[int, int] = (0, 0)
    seller_rates: list[SellerShift] = field(default_factory=list)


TermsFor = Callable[[OrderFacts], SlaTerms]


def preview(
    orders: Iterable[OrderFacts],
    current: TermsFor,
    draft: TermsFor,
    now: datetime,
    threshold_bp: int = LATE_SHIPMENT_THRESHOLD_BP,
) -> PreviewResult:
    """Replay ``orders`` under the current and the draft terms: breaches per deadline, the
    sellers whose late shipment rate crosses ``threshold_bp`` either way, and the commission on
    the orders each policy would have cancelled automatically."""
    breaches = {kind: [0, 0] for kind in SELLER_DEADLINES}
    late: dict[uuid.UUID, list[int]] = {}  # seller -> [goods orders, late now, late draft]
    fees: dict[str, list[int]] = {}  # currency -> [orders now, fee now, orders draft, fee draft]
    count = 0
    for order in orders:
        count += 1
        outcomes = (
            evaluate_order(order, current(order), now),
            evaluate_order(order, draft(order), now),
        )
        for side, outcome in enumerate(outcomes):
            for kind in outcome.breached:
                breaches[kind][side] += 1
            if outcome.auto_canceled:
                bucket = fees.setdefault(order.currency, [0, 0, 0, 0])
                bucket[2 * side] += 1
                bucket[2 * side + 1] += order.fee_minor
        if order.kind == "goods":
            stats = late.setdefault(order.seller_id, [0, 0, 0])
            stats[0] += 1
            stats[1] += SHIP in outcomes[0].breached
            stats[2] += SHIP in outcomes[1].breached
    rates = [
        SellerShift(seller, n, rate_bp(now_late, n), rate_bp(draft_late, n))
        for seller, (n, now_late, draft_late) in late.items()
    ]
    crossing = [
        shift
        for shift in rates
        if (shift.current_bp >= threshold_bp) != (shift.draft_bp >= threshold_bp)
    ]
    impact = [FeeImpact(currency, *values) for currency, values in sorted(fees.items())]
    return PreviewResult(
        orders=count,
        breaches={kind: (pair[0], pair[1]) for kind, pair in breaches.items()},
        sellers_crossing=sorted(crossing, key=lambda s: (-s.draft_bp, str(s.seller_id))),
        fee_impact=impact,
        auto_canceled=(
            sum(values[0] for values in fees.values()),
            sum(values[2] for values in fees.values()),
        ),
        seller_rates=sorted(rates, key=lambda s: (-s.draft_bp, str(s.seller_id))),
    )


# --- escrow hold -----------------------------------------------------------------------------
# How long a completed order's money waits before it is released to the seller. The policy's
# base replaces the platform default (a seller's own hold, a risk decision settlement keeps,
# replaces both); a category's period only ever lengthens the hold of orders with a line in it.

HOLD_DAYS = "hold_days"  # the one parameter of an escrow hold version and of its overrides
MAX_HOLD_DAYS = 60
# The hold lengths the preview's chart groups orders by, in days (inclusive).
HOLD_BUCKETS = ((0, 0), (1, 3), (4, 7), (8, 14), (15, 30), (31, MAX_HOLD_DAYS))


@dataclass(frozen=True)
class EscrowHold:
    """The escrow hold policy at one time: the base period in days (None: the platform default
    applies) and the category periods that lengthen it, by category id (as text)."""

    version_id: uuid.UUID | None
    version: int | None
    base_days: int | None
    category_days: Mapping[str, int]


NO_ESCROW_HOLD = EscrowHold(None, None, None, {})


def hold_parameter_errors(
    parameters: Mapping[str, Any], prefix: str, *, required: bool
) -> list[FieldError]:
    """What is wrong with an escrow hold's parameters, one error per field: ``hold_days`` only,
    a whole number of days from 0 to 60. A version may leave its base out (the platform
    default applies); an override may not."""
    errors = [
        FieldError(f"{prefix}.{name}", f"Unknown escrow hold parameter {name!r}.")
        for name in parameters
        if name != HOLD_DAYS
    ]
    value = parameters.get(HOLD_DAYS)
    field_name = f"{prefix}.{HOLD_DAYS}"
    if value is None:
        if required:
            errors.append(FieldError(field_name, "Enter the hold period in days."))
    elif not isinstance(value, int) or isinstance(value, bool):
        errors.append(FieldError(field_name, "Enter a whole number of days."))
    elif not 0 <= value <= MAX_HOLD_DAYS:
        errors.append(
            FieldError(field_name, f"Enter a hold period from 0 to {MAX_HOLD_DAYS} days.")
        )
    return errors


def escrow_hold_of(
    parameters: Mapping[str, Any],
    overrides: Sequence[Mapping[str, Any]],
    version_id: uuid.UUID | None = None,
    version: int | None = None,
) -> EscrowHold:
    """The escrow hold of a stored version (valid parameters and overrides)."""
    base = parameters.get(HOLD_DAYS)
    by_category = {
        str(item["category_id"]): int(item["parameters"][HOLD_DAYS])
        for item in overrides
        if HOLD_DAYS in item.get("parameters", {})
    }
    return EscrowHold(version_id, version, None if base is None else int(base), by_category)


@dataclass(frozen=True)
class ReplayedHold:
    """One completed order's hold period in days under the policy in force and under a draft,
    with the money its escrow holds (the seller's own hold and the platform default already
    applied by settlement, which owns them)."""

    order_id: uuid.UUID
    seller_id: uuid.UUID
    currency: str
    held_minor: int
    current_days: int
    draft_days: int


@dataclass(frozen=True)
class HoldShift:
    """How a draft moves the release dates of one seller's orders in one currency."""

    seller_id: uuid.UUID
    currency: str
    orders: int
    earlier: int
    later: int
    current_average_tenths: int
    draft_average_tenths: int
    held_longer_minor: int
    moved_days: int  # days of hold added or taken away, summed over the orders


@dataclass(frozen=True)
class HeldLonger:
    """The money of the orders a draft would hold longer, in one currency."""

    currency: str
    orders: int
    amount_minor: int


@dataclass(frozen=True)
class HoldPreview:
    orders: int
    earlier: int
    later: int
    current_average_tenths: int
    draft_average_tenths: int
    held_longer: list[HeldLonger]
    buckets: list[tuple[str, int, int]]  # label, orders now, orders with the draft
    sellers: list[HoldShift]


def average_tenths(total_days: int, count: int) -> int:
    """The average of ``count`` holds summing to ``total_days``, in tenths of a day, rounded
    half up (0 when there is nothing to average)."""
    return 0 if count == 0 else (total_days * 20 + count) // (2 * count)


def bucket_label(low: int, high: int) -> str:
    if low == high:
        return f"{low} days"
    return f"{low}\N{EN DASH}{high} days"


def _bucket(days: int) -> int:
    return next(i for i, (low, high) in enumerate(HOLD_BUCKETS) if low <= days <= high)


def preview_holds(orders: Iterable[ReplayedHold], most_affected: int = 10) -> HoldPreview:
    """Aggregate a draft escrow hold replayed on past orders: how many release dates move
    earlier or later, the average hold before and after, the money held longer per currency,
    the orders per hold length, and the sellers (per currency) whose orders move the most."""
    rows = list(orders)
    buckets = [[0, 0] for _ in HOLD_BUCKETS]
    longer: dict[str, list[int]] = {}
    per_seller: dict[tuple[uuid.UUID, str], list[ReplayedHold]] = {}
    for row in rows:
        buckets[_bucket(min(row.current_days, MAX_HOLD_DAYS))][0] += 1
        buckets[_bucket(min(row.draft_days, MAX_HOLD_DAYS))][1] += 1
        if row.draft_days > row.current_days:
            money = longer.setdefault(row.currency, [0, 0])
            money[0] += 1
            money[1] += row.held_minor
        per_seller.setdefault((row.seller_id, row.currency), []).append(row)
    shifts = [_shift(seller, currency, group) for (seller, currency), group in per_seller.items()]
    moving = [shift for shift in shifts if shift.earlier or shift.later]
    moving.sort(key=lambda s: (-s.moved_days, -s.held_longer_minor, str(s.seller_id)))
    return HoldPreview(
        orders=len(rows),
        earlier=sum(1 for row in rows if row.draft_days < row.current_days),
        later=sum(1 for row in rows if row.draft_days > row.current_days),
        current_average_tenths=average_tenths(sum(r.current_days for r in rows), len(rows)),
        draft_average_tenths=average_tenths(sum(r.draft_days for r in rows), len(rows)),
        held_longer=[HeldLonger(c, n, amount) for c, (n, amount) in sorted(longer.items())],
        buckets=[
            (bucket_label(low, high), now, draft)
            for (low, high), (now, draft) in zip(HOLD_BUCKETS, buckets, strict=True)
        ],
        sellers=moving[:most_affected],
    )


def _shift(seller_id: uuid.UUID, currency: str, group: list[ReplayedHold]) -> HoldShift:
    return HoldShift(
        seller_id=seller_id,
        currency=currency,
        orders=len(group),
        earlier=sum(1 for row in group if row.draft_days < row.current_days),
        later=sum(1 for row in group if row.draft_days > row.current_days),
        current_average_tenths=average_tenths(sum(r.current_days for r in group), len(group)),
        draft_average_tenths=average_tenths(sum(r.draft_days for r in group), len(group)),
        held_longer_minor=sum(r.held_minor for r in group if r.draft_days > r.current_days),
        moved_days=sum(abs(r.draft_days - r.current_days) for r in group),
    )
