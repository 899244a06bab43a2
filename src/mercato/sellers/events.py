"""Events the sellers domain publishes; the catalog and search react to them (a seller who can
no longer sell must disappear from search, a renamed storefront must be re-indexed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class SellerStatusChanged:
    """The seller's admission status changed (submitted, admitted, rejected, suspended…)."""

    seller_id: uuid.UUID
    from_status: str | None
    to_status: str


@dataclass(frozen=True)
class SellerStorefrontChanged:
    """The public storefront profile (name, logo, description, return policy) changed."""

    seller_id: uuid.UUID
