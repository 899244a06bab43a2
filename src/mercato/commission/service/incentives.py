"""Incentives: reduced rates for new sellers (days after admission), for a seller's first sales
(a volume cap) and campaigns (a category and/or a list of sellers), each in a validity window."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.commission import repository
from mercato.commission.models import CommissionIncentive
from mercato.commission.policy import check_amount, check_currency, check_rate, check_window
from mercato.commission.schemas import IncentiveIn, IncentiveKind, IncentiveOut
from mercato.commission.service._views import incentive_out
from mercato.commission.service.rules import require_admin
from mercato.kit import clock
from mercato.kit.auth import Principal
from mercato.kit.errors import FieldError, NotFound, ValidationFailed
from mercato.kit.ids import new_id


async def _check(session: AsyncSession, data: IncentiveIn) -> list[FieldError]:
    errors: list[FieldError] = []
    if not data.name.strip() or len(data.name) > 120:
        errors.append(FieldError("name", "A name of 1 to 120 characters."))
    check_rate(errors, "rate_bps", data.rate_bps)
    currency = data.currency.upper() if data.currency else None
    check_currency(errors, "currency", currency)
    check_window(errors, "valid_to", data.valid_from or clock.now(), data.valid_to)
    if data.kind is IncentiveKind.NEW_SELLER and not (data.new_seller_days or 0) > 0:
        errors.append(FieldError("new_seller_days", "How many days after admission (1 or more)."))
    if data.kind is IncentiveKind.VOLUME:
        if data.volume_cap_minor is None or data.volume_cap_minor <= 0:
            errors.append(FieldError("volume_cap_minor", "The sales the incentive covers (> 0)."))
        if currency is None:
            errors.append(FieldError("currency", "A volume cap needs a currency."))
    check_amount(errors, "volume_cap_minor", data.volume_cap_minor)
    if data.kind is IncentiveKind.CAMPAIGN and data.category_id is None and not data.seller_ids:
        errors.append(FieldError("category_id", "A campaign targets a category or sellers."))
    if data.category_id is not None:
        known = {c.id for c in await catalog_service.list_categories_flat(session)}
        if data.category_id not in known:
            errors.append(FieldError("category_id", "Unknown category."))
    return errors


async def create_incentive(
    session: AsyncSession, principal: Principal, data: IncentiveIn
) -> IncentiveOut:
    """A new incentive (admin); it applies to orders paid inside its window."""
    require_admin(principal)
    errors = await _check(session, data)
    if errors:
        raise ValidationFailed("The incentive is not valid.", errors=errors)
    incentive = CommissionIncentive(
        id=new_id(),
        name=data.name.strip(),
        kind=data.kind.value,
        rate_bps=data.rate_bps,
        valid_from=data.valid_from or clock.now(),
        valid_to=data.valid_to,
        new_seller_days=data.new_seller_days,
        volume_cap_minor=data.volume_cap_minor,
        currency=data.currency.upper() if data.currency else None,
        category_id=data.category_id,
        seller_ids=[str(s) for s in data.seller_ids],
        active=data.active,
    )
    session.add(incentive)
    await session.flush()
    return incentive_out(incentive)


async def set_incentive_active(
    session: AsyncSession, principal: Principal, incentive_id: uuid.UUID, active: bool
) -> IncentiveOut:
    """Pause or resume an incentive (admin); fees already computed stay."""
    require_admin(principal)
    incentive = await repository.get_incentive(session, incentive_id)
    if incentive is None:
        raise NotFound("No such incentive.")
    incentive.active = active
    await session.flush()
    return incentive_out(incentive)


async def list_incentives(session: AsyncSession, principal: Principal) -> list[IncentiveOut]:
    """Every incentive, newest window first (admin)."""
    require_admin(principal)
    return [incentive_out(i) for i in await repository.list_incentives(session)]
