"""Request and response models of the catalog."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mercato.kit.money import Money


class SearchDocument(BaseModel):
    """Everything search needs to index one listing, produced by the catalog service."""

    listing_id: uuid.UUID
    seller_id: uuid.UUID
    seller_name: str
    title: str
    description: str
    kind: Literal["goods", "service"]
    category_id: uuid.UUID
    category_ids: list[uuid.UUID]  # the category and its ancestors, for filtering on a parent
    category_path: list[str]  # names from the root to the category
    attributes: dict[str, str]  # attribute code -> display value ("colour" -> "Blue")
    currency: str
    price_min_minor: int
    price_max_minor: int
    in_stock: bool
    image_key: str | None  # thumbnail file key
    published_at: datetime | None
    visible: bool  # published, not hidden by moderation, and the seller may sell


# --- enums -----------------------------------------------------------------------------------


class AttributeKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    ENUM = "enum"
    BOOLEAN = "boolean"


class ListingKind(StrEnum):
    GOODS = "goods"
    SERVICE = "service"


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ImageStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
AttributeValue = str | int | float | bool | None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- categories and attributes ---------------------------------------------------------------


class CategoryIn(_Input):
    name: str = Field(min_length=1, max_length=80)
    slug: Slug | None = None  # derived from the name when omitted
    parent_id: uuid.UUID | None = None
    position: int = Field(default=0, ge=0, le=10_000)


class CategoryUpdate(_Input):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    slug: Slug | None = None
    parent_id: uuid.UUID | None = None  # set explicitly to null to move to the top level
    position: int | None = Field(default=None, ge=0, le=10_000)


class AttributeIn(_Input):
    code: Code
    name: str = Field(min_length=1, max_length=80)
    kind: AttributeKind
    unit: str | None = Field(default=None, max_length=16)
    allowed_values: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=200
    )
    required: bool = False
    position: int = Field(default=0, ge=0, le=10_000)


class AttributeUpdate(_Input):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    unit: str | None = Field(default=None, max_length=16)
    allowed_values: list[Annotated[str, Field(min_length=1, max_length=80)]] | None = Field(
        default=None, max_length=200
    )
    required: bool | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)


class AttributeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    category_id: uuid.UUID
    code: str
    name: str
    kind: AttributeKind
    unit: str | None
    allowed_values: list[str]
    required: bool
    position: int
    inherited: bool = False  # defined on an ancestor of the category it is shown for


class CategoryOut(BaseModel):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    slug: str
    position: int
    depth: int = 0
    children: list[CategoryOut] = Field(default_factory=list)


class CategoryDetail(BaseModel):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    slug: str
    position: int
    path: list[str]  # names from the root to this category
    attributes: list[AttributeOut]  # inherited ones first, then its own


# --- shipping profiles -----------------------------------------------------------------------


ShippingMethodName = Literal["flat", "weight", "free_above"]


class ShippingProfileIn(_Input):
    name: str = Field(min_length=1, max_length=80)
    currency: str = Field(min_length=3, max_length=3)
    method: ShippingMethodName = "flat"
    flat_rate: str = Field(default="0", max_length=32)  # major units, e.g. "4.90"
    per_kg: str = Field(default="0", max_length=32, description="Added per started kilogram.")
    free_above: str | None = Field(
        default=None, max_length=32, description="Items total from which shipping is free."
    )
    handling_days: int = Field(default=2, ge=0, le=60)


class ShippingProfileUpdate(_Input):
    """Only the fields given change."""

    name: str | None = Field(default=None, min_length=1, max_length=80)
    method: ShippingMethodName | None = None
    flat_rate: str | None = Field(default=None, max_length=32)
    per_kg: str | None = Field(default=None, max_length=32)
    free_above: str | None = Field(default=None, max_length=32)
    handling_days: int | None = Field(default=None, ge=0, le=60)


class ShippingProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    currency: str
    flat_rate_minor: int
    handling_days: int
    # Defaults keep product pages cached before these fields existed readable.
    method: ShippingMethodName = "flat"
    per_kg_minor: int = 0
    free_above_minor: int | None = None

    @property
    def summary(self) -> str:
        """How the price is worked out, for shoppers and the seller: "EUR 4.90 + EUR 1.50/kg"."""
        flat = Money(self.flat_rate_minor, self.currency).format()
        if self.method == "weight":
            per_kg = Money(self.per_kg_minor, self.currency).format()
            return (
                f"{flat} + {per_kg} per started kg" if self.flat_rate_minor else f"{per_kg} per kg"
            )
        if self.method == "free_above" and self.free_above_minor is not None:
            threshold = Money(self.free_above_minor, self.currency).format()
            return f"{flat}, free from {threshold}" if self.flat_rate_minor else "Free"
        return flat if self.flat_rate_minor else "Free"


# --- listings --------------------------------------------------------------------------------


class VariantIn(_Input):
    sku: str = Field(min_length=1, max_length=64)
    options: dict[str, str] = Field(default_factory=dict, max_length=3)
    price: str = Field(max_length=32, description='Major units as a decimal string: "12.50".')
    stock: int = Field(ge=0, le=1_000_000_000)
    weight_grams: int | None = Field(default=None, ge=0, le=1_000_000)


class VariantUpdate(_Input):
    sku: str | None = Field(default=None, min_length=1, max_length=64)
    options: dict[str, str] | None = Field(default=None, max_length=3)
    price: str | None = Field(default=None, max_length=32)
    stock: int | None = Field(default=None, ge=0, le=1_000_000_000)
    weight_grams: int | None = Field(default=None, ge=0, le=1_000_000)


class ListingIn(_Input):
    kind: ListingKind = ListingKind.GOODS
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    category_id: uuid.UUID
    attributes: dict[str, AttributeValue] = Field(default_factory=dict, max_length=100)
    currency: str = Field(min_length=3, max_length=3)
    option_names: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=3
    )
    shipping_profile_id: uuid.UUID | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 30)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    variants: list[VariantIn] = Field(min_length=1, max_length=100)


class ListingUpdate(_Input):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    category_id: uuid.UUID | None = None
    attributes: dict[str, AttributeValue] | None = Field(default=None, max_length=100)
    shipping_profile_id: uuid.UUID | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 30)
    capacity: int | None = Field(default=None, ge=1, le=100_000)


class VariantOut(BaseModel):
    id: uuid.UUID
    sku: str
    options: dict[str, str]
    price_minor: int
    currency: str
    price: str  # major units with the currency's decimals, "12.50"
    stock: int
    weight_grams: int | None
    position: int


class ImageOut(BaseModel):
    id: uuid.UUID
    position: int
    status: ImageStatus
    width: int
    height: int
    alt_text: str
    url: str  # the original upload
    small_url: str  # 400 px thumbnail (the original until the thumbnail job ran)
    large_url: str  # 1200 px


class ListingOut(BaseModel):
    """A listing as its seller and staff see it."""

    id: uuid.UUID
    seller_id: uuid.UUID
    kind: ListingKind
    fulfilment: Literal["shipping", "confirmation"]
    title: str
    description: str
    category_id: uuid.UUID
    category_path: list[str]
    attributes: dict[str, Any]
    attribute_display: dict[str, str]
    option_names: list[str]
    currency: str
    status: ListingStatus
    hidden: bool
    hidden_reason: str | None
    visible: bool
    published_at: datetime | None
    shipping_profile_id: uuid.UUID | None
    duration_minutes: int | None
    capacity: int | None
    variants: list[VariantOut]
    images: list[ImageOut]
    created_at: datetime
    updated_at: datetime
    seller_name: str | None = None  # filled in staff views


class PublicListing(BaseModel):
    """A visible listing as buyers see it."""

    id: uuid.UUID
    seller_id: uuid.UUID
    seller_name: str
    kind: ListingKind
    fulfilment: Literal["shipping", "confirmation"]
    title: str
    description: str
    category_id: uuid.UUID
    category_path: list[str]
    attributes: dict[str, str]  # code -> display value
    attribute_names: dict[str, str]  # code -> label
    option_names: list[str]
    currency: str
    price_min_minor: int
    price_max_minor: int
    in_stock: bool
    duration_minutes: int | None
    capacity: int | None
    shipping_profile: ShippingProfileOut | None
    variants: list[VariantOut]
    images: list[ImageOut]
    published_at: datetime | None


class ListingSummary(BaseModel):
    id: uuid.UUID
    seller_id: uuid.UUID
    title: str
    kind: ListingKind
    status: ListingStatus
    hidden: bool
    currency: str
    price_min_minor: int
    price_max_minor: int
    price_display: str  # "EUR 12.50" or "EUR 12.50 to 19.00"
    stock_total: int
    variant_count: int
    thumbnail_url: str | None
    updated_at: datetime
    published_at: datetime | None


class VariantForCheckout(BaseModel):
    """The current price and stock of one variant, read from the database, never cached."""

    variant_id: uuid.UUID
    listing_id: uuid.UUID
    seller_id: uuid.UUID
    sku: str
    title: str
    options: dict[str, str]
    kind: ListingKind
    price_minor: int
    currency: str
    stock: int
    weight_grams: int | None
    shipping_profile_id: uuid.UUID | None
    purchasable: bool  # the listing is visible and the variant is in stock


class HideIn(_Input):
    reason: str = Field(min_length=1, max_length=500)


class ImageUpdate(_Input):
    position: int | None = Field(default=None, ge=0, le=1000)
    alt_text: str | None = Field(default=None, max_length=200)


# --- bulk import -----------------------------------------------------------------------------


class ImportProblem(BaseModel):
    row: int  # 1 is the header line, data starts on row 2 (as a spreadsheet numbers them)
    column: str
    reason: str


class ImportJobOut(BaseModel):
    id: uuid.UUID
    filename: str
    valid_only: bool
    status: ImportStatus
    total_rows: int
    processed_rows: int
    progress_percent: int
    created_count: int
    updated_count: int
    unchanged_count: int
    skipped_rows: int
    error_count: int
    errors: list[ImportProblem]
    message: str
    created_at: datetime
    finished_at: datetime | None
