"""Orders request/response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mercato.commission.schemas import OrderFees
from mercato.payments.schemas import JournalOut, PaymentMethod, PaymentOut
from mercato.settlement.schemas import EscrowOut, RefundOut


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    ACCEPTED = "accepted"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    SCHEDULED = "scheduled"
    PERFORMED = "performed"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELED = "canceled"


class Actor(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    ADMIN = "admin"
    SYSTEM = "system"


class Kind(StrEnum):
    GOODS = "goods"
    SERVICE = "service"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ShippingAddress(_Input):
    full_name: str = Field(min_length=1, max_length=120)
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9 \-]+$")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code.")
    phone: str | None = Field(default=None, max_length=24, pattern=r"^\+?[0-9 ()\-]{5,24}$")

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str) -> str:
        if not value.isalpha():
            raise ValueError("Use the two-letter country code, such as FR or DE.")
        return value.upper()


class CheckoutIn(_Input):
    """Pay for the whole cart. Name a saved address (``address_id``) or give one."""

    address_id: uuid.UUID | None = None
    address: ShippingAddress | None = None
    payment_method: PaymentMethod
    shipping: dict[uuid.UUID, uuid.UUID] = Field(
        default_factory=dict, description="Shipping option per seller: {seller_id: option id}."
    )
    expected_total_minor: int | None = Field(
        default=None,
        ge=0,
        description="The grand total the buyer saw; a different live total is refused (409) "
        "instead of being charged.",
    )

    @model_validator(mode="after")
    def _one_address(self) -> CheckoutIn:
        if self.address_id is not None and self.address is not None:
            raise ValueError("Give either address_id or address, not both.")
        return self


class PaymentRetryIn(_Input):
    payment_method: PaymentMethod


class ShipIn(_Input):
    carrier: str = Field(min_length=2, max_length=60)
    tracking_number: str = Field(min_length=4, max_length=60, pattern=r"^[A-Za-z0-9\-]+$")


class ScheduleIn(_Input):
    scheduled_for: datetime

    @field_validator("scheduled_for")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("Give a time zone, e.g. 2026-12-01T10:00:00+01:00.")
        return value


class CancelIn(_Input):
    reason: str | None = Field(default=None, max_length=500)


class BulkIn(_Input):
    order_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)


class OrderLineOut(BaseModel):
    id: uuid.UUID
    variant_id: uuid.UUID
    listing_id: uuid.UUID
    sku: str
    title: str
    options: dict[str, str]
    quantity: int
    unit_price_minor: int
    line_total_minor: int


class TransitionOut(BaseModel):
    from_status: str | None
    to_status: str
    actor: str
    note: str | None
    created_at: datetime


class OrderSummary(BaseModel):
    id: uuid.UUID
    number: str
    group_id: uuid.UUID
    buyer_id: uuid.UUID
    seller_id: uuid.UUID
    seller_name: str
    kind: str
    status: OrderStatus
    currency: str
    items_minor: int
    shipping_minor: int
    total_minor: int
    item_count: int
    created_at: datetime
    paid_at: datetime | None
    ship_to: str | None = Field(
        default=None, description='Where the goods go, as "city, country" (order lists).'
    )


class OrderOut(OrderSummary):
    escrow_account: str
    captured_minor: int
    shipping_name: str | None
    shipping_address: dict[str, str | None] | None
    carrier: str | None
    tracking_number: str | None
    scheduled_for: datetime | None
    cancel_reason: str | None
    canceled_by: str | None
    due_at: datetime | None
    lines: list[OrderLineOut]
    transitions: list[TransitionOut]
    next_actions: list[OrderStatus] = Field(
        description="What the caller may do next: the statuses it may move the order to."
    )


class OrderGroupOut(BaseModel):
    id: uuid.UUID
    number: str
    buyer_id: uuid.UUID
    status: str  # awaiting_payment | paid | canceled
    currency: str
    items_minor: int
    shipping_minor: int
    total_minor: int
    payment_method: str
    payment_id: uuid.UUID | None
    reserved_until: datetime
    created_at: datetime
    paid_at: datetime | None
    cancel_reason: str | None
    orders: list[OrderSummary]


class CheckoutOut(BaseModel):
    group: OrderGroupOut
    payment: PaymentOut


class BulkOutcome(BaseModel):
    order_id: uuid.UUID
    ok: bool
    status: OrderStatus | None = None
    error: str | None = None


class OrderLedger(BaseModel):
    """The money of one order as the ledger has it: the journals on its escrow account."""

    escrow_account: str
    currency: str
    escrow_balance_minor: int
    journals: list[JournalOut]


class OrderMoney(BaseModel):
    """What became of an order's money after the payment: its escrow (held, released or
    refunded), the commission frozen for each line at payment, and the refunds. Buyers see
    only the refunds: the commission is between the seller and the platform."""

    escrow: EscrowOut | None = None
    fees: OrderFees | None = None
    refunds: list[RefundOut] = []


class OrderWithMoney(BaseModel):
    order: OrderOut
    money: OrderMoney


class StaffOrderView(BaseModel):
    """Everything the admin's order page shows: the order, its checkout, the checkout's
    payment, the order's escrow journals and what became of its money."""

    order: OrderOut
    group: OrderGroupOut
    payment: PaymentOut | None
    ledger: OrderLedger
    money: OrderMoney

    @property
    def expected_escrow_minor(self) -> int:
        """What the escrow account should hold: the captured amount until the settlement
        domain released or refunded some of it."""
        escrow = self.money.escrow
        return self.order.captured_minor if escrow is None else escrow.held_minor

    @property
    def escrow_matches(self) -> bool:
        return self.ledger.escrow_balance_minor == self.expected_escrow_minor


# --- messages between the buyer and the seller ---------------------------------------------------


class MessageAuthor(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


class MessageIn(_Input):
    """A message to the other party of the order: plain text, trimmed, 1 to 4000 characters."""

    body: str = Field(min_length=1, max_length=4000)


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    order_id: uuid.UUID
    author: MessageAuthor
    body: str
    created_at: datetime
    answered_at: datetime | None = Field(
        default=None, description="A buyer's message: when the seller replied (None: waiting)."
    )


class MessageThread(BaseModel):
    """An order's messages, oldest first, and whether the caller may write in it."""

    order_id: uuid.UUID
    order_number: str
    seller_name: str
    can_write: bool = Field(description="The order's buyer and seller write; staff only read.")
    writable: bool = Field(description="False until the order is paid.")
    waiting_since: datetime | None = Field(
        default=None, description="The first buyer message the seller has not answered yet."
    )
    messages: list[MessageOut]


class AwaitingReply(BaseModel):
    """One order whose buyer waits for the seller's reply (the seller's queue)."""

    order_id: uuid.UUID
    order_number: str
    unanswered: int = Field(description="The buyer's messages since the seller last wrote.")
    waiting_since: datetime
    last_message_at: datetime
    last_message: str
