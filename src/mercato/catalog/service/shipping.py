"""A seller's shipping profiles: named pricing methods (flat, by weight, free above an amount)
with a handling time, chosen per listing; and the options a buyer's cart may pick from."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.models import ShippingProfile
from mercato.catalog.policy.listings import RuleBroken, check_currency, parse_price
from mercato.catalog.policy.shipping import ShippingMethod, rate_problems
from mercato.catalog.schemas import ShippingProfileIn, ShippingProfileOut, ShippingProfileUpdate
from mercato.catalog.service._common import listing_changed, own_seller, refuse
from mercato.kit.auth import Principal
from mercato.kit.errors import FieldError, NotFound, ValidationFailed
from mercato.kit.ids import new_id
from mercato.sellers.schemas import SellerOut

MAX_PROFILES = 50
ZERO_AMOUNTS = ("", "0", "0.0", "0.00", "0.000")


async def list_shipping_profiles(
    session: AsyncSession, principal: Principal
) -> list[ShippingProfileOut]:
    seller = await own_seller(session, principal)
    profiles = await repository.list_shipping_profiles(session, seller.id)
    return [ShippingProfileOut.model_validate(p) for p in profiles]


async def count_profile_listings(
    session: AsyncSession, principal: Principal
) -> dict[uuid.UUID, int]:
    """The seller's profile id -> how many of their listings use it (deleting one clears it
    from those listings, which the seller is told first)."""
    seller = await own_seller(session, principal)
    return await repository.count_listings_by_profile(session, seller.id)


async def list_shipping_options(
    session: AsyncSession, seller_id: uuid.UUID
) -> list[ShippingProfileOut]:
    """Every shipping profile of a seller, by name: what a buyer may choose for that seller's
    parcel. Public: no principal needed."""
    profiles = await repository.list_shipping_profiles(session, seller_id)
    return [ShippingProfileOut.model_validate(p) for p in profiles]


def _amount(
    text: str | None, currency: str, field: str, errors: list[FieldError], *, optional: bool
) -> int | None:
    """Minor units of an amount typed in major units; blank is 0 (or None when optional)."""
    if text is None or text.strip() in ZERO_AMOUNTS:
        return None if optional and (text is None or not text.strip()) else 0
    try:
        return parse_price(text, currency)
    except RuleBroken as problem:
        errors.append(FieldError(field, str(problem)))
        return None


def _name_problem(name: str, others: list[ShippingProfile], errors: list[FieldError]) -> None:
    if any(p.name.casefold() == name.casefold() for p in others):
        errors.append(FieldError("name", f"You already have a profile named “{name}”."))


async def create_shipping_profile(
    session: AsyncSession, principal: Principal, data: ShippingProfileIn
) -> ShippingProfileOut:
    seller = await own_seller(session, principal)
    existing = await repository.list_shipping_profiles(session, seller.id)
    errors: list[FieldError] = []
    name = " ".join(data.name.split())
    _name_problem(name, existing, errors)
    if len(existing) >= MAX_PROFILES:
        errors.append(FieldError("name", f"You can keep at most {MAX_PROFILES} profiles."))
    try:
        currency = check_currency(data.currency.upper())
    except RuleBroken as problem:
        errors.append(FieldError("currency", str(problem)))
        raise ValidationFailed(errors[0].message, errors=errors) from None
    flat = _amount(data.flat_rate, currency, "flat_rate", errors, optional=False) or 0
    per_kg = _amount(data.per_kg, currency, "per_kg", errors, optional=False) or 0
    free_above = _amount(data.free_above, currency, "free_above", errors, optional=True)
    if not errors:
        errors += [FieldError(*p) for p in rate_problems(data.method, per_kg, free_above)]
    refuse(errors)
    profile = ShippingProfile(
        id=new_id(),
        seller_id=seller.id,
        name=name,
        currency=currency,
        method=data.method,
        flat_rate_minor=flat,
        per_kg_minor=per_kg if data.method == "weight" else 0,
        free_above_minor=free_above if data.method == "free_above" else None,
        handling_days=data.handling_days,
    )
    session.add(profile)
    await session.flush()
    return ShippingProfileOut.model_validate(profile)


async def _own_profile(
    session: AsyncSession, seller: SellerOut, profile_id: uuid.UUID
) -> ShippingProfile:
    profile = await repository.get_shipping_profile(session, profile_id)
    if profile is None or profile.seller_id != seller.id:
        raise NotFound("No such shipping profile.")
    return profile


async def update_shipping_profile(
    session: AsyncSession,
    principal: Principal,
    profile_id: uuid.UUID,
    changes: ShippingProfileUpdate,
) -> ShippingProfileOut:
    """Change the given fields of one of the seller's profiles; the listings using it follow."""
    seller = await own_seller(session, principal)
    profile = await _own_profile(session, seller, profile_id)
    given = changes.model_fields_set
    errors: list[FieldError] = []
    name = " ".join((changes.name or profile.name).split())
    if name.casefold() != profile.name.casefold():
        others = await repository.list_shipping_profiles(session, seller.id)
        _name_problem(name, [p for p in others if p.id != profile.id], errors)
    method = changes.method or profile.method
    currency = profile.currency
    flat = (
        _amount(changes.flat_rate, currency, "flat_rate", errors, optional=False)
        if "flat_rate" in given
        else profile.flat_rate_minor
    ) or 0
    per_kg = (
        _amount(changes.per_kg, currency, "per_kg", errors, optional=False)
        if "per_kg" in given
        else profile.per_kg_minor
    ) or 0
    free_above = (
        _amount(changes.free_above, currency, "free_above", errors, optional=True)
        if "free_above" in given
        else profile.free_above_minor
    )
    if not errors:
        errors += [FieldError(*p) for p in rate_problems(method, per_kg, free_above)]
    refuse(errors)
    profile.name = name
    profile.method = method
    profile.flat_rate_minor = flat
    profile.per_kg_minor = per_kg if method == ShippingMethod.WEIGHT else 0
    profile.free_above_minor = free_above if method == ShippingMethod.FREE_ABOVE else None
    if changes.handling_days is not None:
        profile.handling_days = changes.handling_days
    await session.flush()
    for listing_id in await repository.list_listing_ids_with_profile(session, profile.id):
        listing_changed(session, listing_id)  # their product pages show the shipping price
    return ShippingProfileOut.model_validate(profile)


async def delete_shipping_profile(
    session: AsyncSession, principal: Principal, profile_id: uuid.UUID
) -> int:
    """Delete one of the seller's profiles. The listings that used it keep selling with no
    shipping profile; returns how many there were."""
    seller = await own_seller(session, principal)
    profile = await _own_profile(session, seller, profile_id)
    detached = await repository.detach_shipping_profile(session, profile.id)
    await repository.delete_shipping_profile(session, profile)
    for listing_id in detached:
        listing_changed(session, listing_id)
    return len(detached)
