"""Request and response models of the catalog."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel


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
