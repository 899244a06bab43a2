"""Shipping prices: what one seller's parcel costs under one of the seller's shipping profiles.

Three pricing methods:

- ``flat``: the flat rate, whatever the parcel holds;
- ``weight``: the flat rate plus ``per_kg_minor`` for every started kilogram (1 g to 1000 g is
  one kilogram, 1001 g two);
- ``free_above``: the flat rate, or nothing once the items total reaches ``free_above_minor``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

GRAMS_PER_KG = 1000


class ShippingMethod(StrEnum):
    FLAT = "flat"
    WEIGHT = "weight"
    FREE_ABOVE = "free_above"


METHOD_LABELS = {
    ShippingMethod.FLAT: "Flat rate",
    ShippingMethod.WEIGHT: "By weight",
    ShippingMethod.FREE_ABOVE: "Free above an amount",
}


class ShippingRates(Protocol):
    """The pricing fields of a shipping profile (a row or its response model)."""

    @property
    def method(self) -> str: ...

    @property
    def flat_rate_minor(self) -> int: ...

    @property
    def per_kg_minor(self) -> int: ...

    @property
    def free_above_minor(self) -> int | None: ...


def started_kilograms(weight_grams: int) -> int:
    """Kilograms a carrier bills: every started kilogram counts, an empty parcel none."""
    if weight_grams <= 0:
        return 0
    return -(-weight_grams // GRAMS_PER_KG)


def quote_shipping(rates: ShippingRates, items_minor: int, weight_grams: int) -> int:
    """The shipping price, in minor units, of a parcel holding ``items_minor`` worth of goods
    weighing ``weight_grams`` in total."""
    if rates.method == ShippingMethod.WEIGHT:
        return rates.flat_rate_minor + rates.per_kg_minor * started_kilograms(weight_grams)
    if rates.method == ShippingMethod.FREE_ABOVE:
        threshold = rates.free_above_minor
        if threshold is not None and items_minor >= threshold:
            return 0
    return rates.flat_rate_minor


def rate_problems(
    method: str, per_kg_minor: int, free_above_minor: int | None
) -> list[tuple[str, str]]:
    """(field, message) for a profile whose method lacks the amount it is priced by."""
    if method == ShippingMethod.WEIGHT and per_kg_minor <= 0:
        return [("per_kg", "Enter the price per started kilogram.")]
    if method == ShippingMethod.FREE_ABOVE and not free_above_minor:
        return [("free_above", "Enter the order amount above which shipping is free.")]
    return []
