"""The order state machines, as data: which status may follow which, and who may move it.

Goods:    awaiting_payment → paid → accepted → shipped → delivered → completed
Services: awaiting_payment → paid → scheduled → performed → confirmed → completed
Cancellation: by the buyer before acceptance (``paid``), by the seller with a reason before
shipment (or before the service is performed), by an admin at the same points, and by the
system when payment never arrives or (with a reason) when the SLA cancels an unshipped order.
"""

from __future__ import annotations

from dataclasses import dataclass

# The vocabulary lives in schemas (responses use it); re-exported for the rules here.
from mercato.orders.schemas import Actor as Actor
from mercato.orders.schemas import Kind as Kind
from mercato.orders.schemas import OrderStatus as OrderStatus

S, A = OrderStatus, Actor


@dataclass(frozen=True)
class Step:
    to: OrderStatus
    actors: frozenset[Actor]
    needs_reason: frozenset[Actor] = frozenset()


def _step(to: OrderStatus, *actors: Actor, reason_from: tuple[Actor, ...] = ()) -> Step:
    return Step(to, frozenset(actors), frozenset(reason_from))


# The system cancels a paid order the seller never shipped (the SLA's automatic cancellation),
# always with the reason.
_CANCEL_BEFORE_ACCEPTANCE = _step(
    S.CANCELED, A.BUYER, A.SELLER, A.ADMIN, A.SYSTEM, reason_from=(A.SELLER, A.SYSTEM)
)
_CANCEL_BY_SELLER = _step(
    S.CANCELED, A.SELLER, A.ADMIN, A.SYSTEM, reason_from=(A.SELLER, A.ADMIN, A.SYSTEM)
)
# An unpaid group is cancelled whole, by the reservation sweep; a buyer just lets it lapse.
_UNPAID_CANCEL = _step(S.CANCELED, A.SYSTEM)

MACHINES: dict[Kind, dict[OrderStatus, tuple[Step, ...]]] = {
    Kind.GOODS: {
        S.AWAITING_PAYMENT: (_step(S.PAID, A.SYSTEM), _UNPAID_CANCEL),
        S.PAID: (_step(S.ACCEPTED, A.SELLER), _CANCEL_BEFORE_ACCEPTANCE),
        S.ACCEPTED: (_step(S.SHIPPED, A.SELLER), _CANCEL_BY_SELLER),
        S.SHIPPED: (_step(S.DELIVERED, A.BUYER, A.SYSTEM, A.ADMIN),),
        S.DELIVERED: (_step(S.COMPLETED, A.SYSTEM),),
    },
    Kind.SERVICE: {
        S.AWAITING_PAYMENT: (_step(S.PAID, A.SYSTEM), _UNPAID_CANCEL),
        S.PAID: (_step(S.SCHEDULED, A.SELLER), _CANCEL_BEFORE_ACCEPTANCE),
        S.SCHEDULED: (
            _step(S.SCHEDULED, A.SELLER),
            _step(S.PERFORMED, A.SELLER),
            _CANCEL_BY_SELLER,
        ),
        S.PERFORMED: (_step(S.CONFIRMED, A.BUYER, A.SYSTEM, A.ADMIN),),
        S.CONFIRMED: (_step(S.COMPLETED, A.SYSTEM),),
    },
}

# Orders in these states still hold the buyer's money in escrow and have work left.
OPEN_STATUSES = frozenset(
    {S.PAID, S.ACCEPTED, S.SHIPPED, S.DELIVERED, S.SCHEDULED, S.PERFORMED, S.CONFIRMED}
)
# Cancelling from these returns the reserved stock (nothing has left the seller yet).
RESTOCK_ON_CANCEL = frozenset({S.AWAITING_PAYMENT, S.PAID, S.ACCEPTED, S.SCHEDULED})


class TransitionRefused(Exception):
    """The move is not in the machine, or not for this actor; ``reason`` says which."""

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


def check_transition(
    kind: Kind, current: OrderStatus, target: OrderStatus, actor: Actor, reason: str | None
) -> None:
    """Refuse unless ``actor`` may move an order of ``kind`` from ``current`` to ``target``."""
    steps = [step for step in MACHINES[kind].get(current, ()) if step.to == target]
    if not steps:
        raise TransitionRefused(
            f"A {kind.value} order that is {label(current)} cannot become {label(target)}."
        )
    step = steps[0]
    if actor not in step.actors:
        raise TransitionRefused(
            f"The {actor.value} cannot make a {label(current)} order {label(target)}.",
            forbidden=True,
        )
    if actor in step.needs_reason and not (reason or "").strip():
        raise TransitionRefused("Give a reason for the cancellation.")


def next_steps(kind: Kind, current: OrderStatus, actor: Actor) -> list[OrderStatus]:
    """What ``actor`` may do next with such an order (the buttons a page shows)."""
    return [step.to for step in MACHINES[kind].get(current, ()) if actor in step.actors]


LABELS = {
    S.AWAITING_PAYMENT: "awaiting payment",
    S.PAID: "paid",
    S.ACCEPTED: "accepted",
    S.SHIPPED: "shipped",
    S.DELIVERED: "delivered",
    S.SCHEDULED: "scheduled",
    S.PERFORMED: "performed",
    S.CONFIRMED: "confirmed",
    S.COMPLETED: "completed",
    S.CANCELED: "cancelled",
}


def label(status: OrderStatus | str) -> str:
    return LABELS[OrderStatus(status)]


def due_after(
    kind: Kind,
    status: OrderStatus,
    *,
    auto_deliver_days: int,
    auto_confirm_days: int,
    complete_after_days: int,
) -> tuple[OrderStatus, int] | None:
    """What the system does by itself to an order in ``status``, and after how many days:
    a shipped parcel counts as delivered, a performed service as confirmed, and a delivered
    or confirmed order completes once the buyer's window to report a problem has passed."""
    if kind is Kind.GOODS and status is S.SHIPPED:
        return S.DELIVERED, auto_deliver_days
    if kind is Kind.SERVICE and status is S.PERFORMED:
        return S.CONFIRMED, auto_confirm_days
    if status in (S.DELIVERED, S.CONFIRMED):
        return S.COMPLETED, complete_after_days
    return None
