"""Events the orders domain publishes after its commits. The money domain releases escrow on
``OrderCompleted`` and refunds on ``OrderCanceled``; governance times SLAs from
``OrderStatusChanged`` and the respond-by clock from ``BuyerWrote`` and ``SellerReplied``.
Subscribers must be idempotent (key on ``order_id`` and status, or on ``message_id``)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SoldLine:
    """One order line as sold: what the money domain needs to price fees and refund by line."""

    line_id: uuid.UUID
    listing_id: uuid.UUID
    variant_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int


@dataclass(frozen=True)
class OrderPaid:
    """The order's share of the payment was captured into its escrow account. Announced
    durably: money follows it."""

    order_id: uuid.UUID
    group_id: uuid.UUID
    seller_id: uuid.UUID
    buyer_id: uuid.UUID
    total_minor: int
    currency: str
    escrow_account: str
    number: str = ""
    kind: str = "goods"
    items_minor: int = 0
    shipping_minor: int = 0
    captured_minor: int = 0
    paid_at: datetime | None = None
    lines: tuple[SoldLine, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        data = _jsonable(asdict(self))
        data["lines"] = [_jsonable(asdict(line)) for line in self.lines]
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> OrderPaid:
        return cls(
            **_parsed(data, exclude=frozenset({"lines"})),
            lines=tuple(SoldLine(**_parsed(line)) for line in data["lines"]),
        )


@dataclass(frozen=True)
class OrderStatusChanged:
    order_id: uuid.UUID
    seller_id: uuid.UUID
    from_status: str | None
    to_status: str
    actor: str  # buyer | seller | admin | system
    at: datetime


@dataclass(frozen=True)
class OrderCompleted:
    """Delivery or service confirmed and the buyer's window passed: escrow may be released.
    Announced durably."""

    order_id: uuid.UUID
    seller_id: uuid.UUID
    total_minor: int
    currency: str
    escrow_account: str
    completed_at: datetime | None = None

    def to_payload(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> OrderCompleted:
        return cls(**_parsed(data))


@dataclass(frozen=True)
class OrderCanceled:
    order_id: uuid.UUID
    seller_id: uuid.UUID
    was_paid: bool  # True: the captured money in escrow is owed back to the buyer
    reason: str | None
    actor: str
    canceled_at: datetime | None = None

    def to_payload(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> OrderCanceled:
        return cls(**_parsed(data))


@dataclass(frozen=True)
class BuyerWrote:
    """The buyer wrote to the seller about an order: governance starts the seller's
    respond-by clock from it. Announced durably: a lost event would lose a deadline."""

    message_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    buyer_id: uuid.UUID
    order_number: str
    written_at: datetime

    def to_payload(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> BuyerWrote:
        return cls(**_parsed(data))


@dataclass(frozen=True)
class SellerReplied:
    """The seller wrote in an order's thread, answering every buyer message posted since its
    last one; ``waiting_since`` is the first of them (None when nothing was waiting).
    Governance settles the respond-by clock from it. Announced durably."""

    message_id: uuid.UUID
    order_id: uuid.UUID
    seller_id: uuid.UUID
    buyer_id: uuid.UUID
    order_number: str
    written_at: datetime
    waiting_since: datetime | None = None

    def to_payload(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> SellerReplied:
        return cls(**_parsed(data))


PAID_TOPIC = "orders.order_paid"
COMPLETED_TOPIC = "orders.order_completed"
CANCELED_TOPIC = "orders.order_canceled"
BUYER_WROTE_TOPIC = "orders.buyer_wrote"
SELLER_REPLIED_TOPIC = "orders.seller_replied"

_UUIDS = {
    "order_id",
    "group_id",
    "seller_id",
    "buyer_id",
    "line_id",
    "listing_id",
    "variant_id",
    "message_id",
}
_DATETIMES = {"paid_at", "completed_at", "canceled_at", "written_at", "waiting_since"}


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (
            str(value)
            if isinstance(value, uuid.UUID)
            else value.isoformat()
            if isinstance(value, datetime)
            else value
        )
        for key, value in data.items()
    }


def _parsed(
    data: dict[str, Any], exclude: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for key, value in data.items():
        if key in exclude:
            continue
        if key in _UUIDS and value is not None:
            value = uuid.UUID(value)
        elif key in _DATETIMES and value is not None:
            value = datetime.fromisoformat(value)
        parsed[key] = value
    return parsed
