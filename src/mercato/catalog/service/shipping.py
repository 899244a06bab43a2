"""A seller's shipping profiles: named flat rates with a handling time, chosen per listing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.models import ShippingProfile
from mercato.catalog.policy.listings import RuleBroken, check_currency, parse_price
from mercato.catalog.schemas import ShippingProfileIn, ShippingProfileOut
from mercato.catalog.service._common import own_seller, refuse
from mercato.kit.auth import Principal
from mercato.kit.errors import FieldError
from mercato.kit.ids import new_id

MAX_PROFILES = 50


async def list_shipping_profiles(
    session: AsyncSession, principal: Principal
) -> list[ShippingProfileOut]:
    seller = await own_seller(session, principal)
    profiles = await repository.list_shipping_profiles(session, seller.id)
    return [ShippingProfileOut.model_validate(p) for p in profiles]


async def create_shipping_profile(
    session: AsyncSession, principal: Principal, data: ShippingProfileIn
) -> ShippingProfileOut:
    seller = await own_seller(session, principal)
    existing = await repository.list_shipping_profiles(session, seller.id)
    errors: list[FieldError] = []
    name = " ".join(data.name.split())
    if any(p.name.casefold() == name.casefold() for p in existing):
        errors.append(FieldError("name", f"You already have a profile named “{name}”."))
    if len(existing) >= MAX_PROFILES:
        errors.append(FieldError("name", f"You can keep at most {MAX_PROFILES} profiles."))
    rate = 0
    try:
        currency = check_currency(data.currency.upper())
        if data.flat_rate.strip() not in ("", "0", "0.00", "0.0"):
            rate = parse_price(data.flat_rate, currency)
    except RuleBroken as problem:
        errors.append(FieldError("flat_rate", str(problem)))
        currency = data.currency
    refuse(errors)
    profile = ShippingProfile(
        id=new_id(),
        seller_id=seller.id,
        name=name,
        currency=currency,
        flat_rate_minor=rate,
        handling_days=data.handling_days,
    )
    session.add(profile)
    await session.flush()
    return ShippingProfileOut.model_validate(profile)
