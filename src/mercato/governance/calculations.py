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
    version_id: uuid.UUID | None = None


def _duration(name: str, value: int) -> timedelta:
    return timedelta(hours=value) if SLA_PARAMETERS[name] == "hours" else timedelta(days=value)


def terms_from_parameters(
    parameters: Mapping[str, int], version_id: uuid.UUID | None = None
) -> SlaTerms:
    """The durations of a complete, valid parameter set."""
    values = {name: _duration(name, int(parameters[name])) for name in SLA_PARAMETERS}
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
        version_id=version_id,
    )


def parameter_errors(parameters: Mapping[str, Any], prefix: str = "parameters") -> list[FieldError]:
    """What is wrong with a complete parameter set, one error per field."""
    errors: list[FieldError] = []
    for name in SLA_PARAMETERS:
        value = parameters.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(FieldError(f"{prefix}.{name}", "Enter a whole number."))
        elif value <= 0:
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
