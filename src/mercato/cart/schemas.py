"""Request and response models of the cart. Amounts are integers in minor units of the cart's
currency; the ``*_label`` fields are the same amounts written for people ("€12.50")."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_QUANTITY = 99


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddLineIn(_Input):
    variant_id: uuid.UUID
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)


class QuantityIn(_Input):
    quantity: int = Field(ge=0, le=MAX_QUANTITY, description="0 removes the line.")


class ShippingChoiceIn(_Input):
    shipping_profile_id: uuid.UUID


class ShippingOptionOut(BaseModel):
    id: uuid.UUID
    name: str
    price_minor: int
    handling_days: int
    price_label: str = ""
    summary: str = ""  # how the seller prices it: "EUR 2.90 + EUR 1.50 per started kg"


class CartLineOut(BaseModel):
    line_id: uuid.UUID
    variant_id: uuid.UUID
    listing_id: uuid.UUID | None  # None only when the variant itself is gone
    seller_id: uuid.UUID
    title: str
    sku: str
    options: dict[str, str]
    kind: Literal["goods", "service"]
    quantity: int
    unit_price_minor: int  # the live price
    unit_price_seen_minor: int  # the price shown when added or last acknowledged
    line_total_minor: int  # 0 while the item cannot be bought
    stock: int
    weight_grams: int | None
    image_url: str | None
    problem: str | None  # what changed since it was added, in words
    available: bool = True
    unit_price_label: str = ""
    line_total_label: str = ""


class SellerGroupOut(BaseModel):
    seller_id: uuid.UUID
    seller_name: str
    needs_shipping: bool
    lines: list[CartLineOut]
    shipping_options: list[ShippingOptionOut]
    selected_shipping_id: uuid.UUID | None
    shipping_name: str | None
    items_minor: int
    shipping_minor: int
    total_minor: int
    weight_grams: int
    items_label: str = ""
    shipping_label: str = ""
    total_label: str = ""


class CartOut(BaseModel):
    id: uuid.UUID | None  # None until something is first added
    currency: str | None
    groups: list[SellerGroupOut]
    items_minor: int
    shipping_minor: int
    total_minor: int
    item_count: int
    has_problems: bool
    items_label: str = ""
    shipping_label: str = ""
    total_label: str = ""


class MergeResult(BaseModel):
    """What happened to a guest cart merged into a buyer's cart at sign-in."""

    merged_lines: int
    left_out: list[str]  # titles that could not join (another currency)
