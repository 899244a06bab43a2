"""View models of the storefront pages."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from mercato.catalog.schemas import PublicListing, VariantOut
from mercato.kit.money import format_money
from mercato.reviews.schemas import RatingSummary, ReviewList
from mercato.search.schemas import SearchResults
from mercato.sellers.schemas import SellerStorefront


class CategoryTile(BaseModel):
    id: uuid.UUID
    name: str
    listings: int
    children: list[str]


class ListingCard(BaseModel):
    listing_id: uuid.UUID
    title: str
    image_url: str | None
    price_label: str
    seller_id: uuid.UUID
    seller_name: str | None
    in_stock: bool


class HomePage(BaseModel):
    categories: list[CategoryTile]
    featured: list[ListingCard]


class ProductCard(BaseModel):
    """A listing with its seller's card: what a product page shows whichever variant is
    picked, cached as one value. Both parts go stale together: a seller's admission and
    storefront changes announce every listing of theirs as changed."""

    listing: PublicListing
    seller: SellerStorefront | None


class ProductPage(BaseModel):
    listing: PublicListing
    seller: SellerStorefront | None
    variant: VariantOut | None  # the selected one (the first in stock, unless asked)
    # Read fresh on every view (not cached with the card): a new review shows at once.
    reviews: ReviewList | None = None

    def price_of(self, variant: VariantOut) -> str:
        return format_money(variant.price_minor, variant.currency)

    @property
    def price_label(self) -> str:
        if self.variant is not None:
            return self.price_of(self.variant)
        return format_money(self.listing.price_min_minor, self.listing.currency)

    @property
    def shipping_label(self) -> str:
        profile = self.listing.shipping_profile
        if profile is None:
            return ""
        if profile.flat_rate_minor == 0:
            return "Free shipping"
        return f"{format_money(profile.flat_rate_minor, profile.currency)} shipping"

    @property
    def option_rows(self) -> list[tuple[str, list[str]]]:
        """Each option (Colour, Size…) with its values in variant order, for the selector."""
        rows: list[tuple[str, list[str]]] = []
        for name in self.listing.option_names:
            values = [v.options[name] for v in self.listing.variants if name in v.options]
            rows.append((name, list(dict.fromkeys(values))))
        return rows


class ShopPage(BaseModel):
    seller: SellerStorefront
    results: SearchResults
    rating: RatingSummary | None = None
