"""Operators' commission rules: created, edited into new effective-dated versions, ended.
Versions never change once in force, so fees already computed keep pointing at what made them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import service as catalog_service
from mercato.commission import repository
from mercato.commission.models import CommissionRule, CommissionRuleVersion
from mercato.commission.policy import check_currency, check_terms, check_window
from mercato.commission.schemas import FeeTerms, RuleIn, RuleOut, RuleScope, RuleTerms, TierBand
from mercato.commission.service._views import rule_out
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import FieldError, NotFound, ValidationFailed
from mercato.kit.ids import new_id

# A form submitted "now" reaches the server a moment later.
_GRACE = timedelta(minutes=1)


def require_admin(principal: Principal) -> uuid.UUID:
    return principal.require_role(Role.ADMIN)


def _terms(data: RuleTerms) -> FeeTerms:
    return FeeTerms(
        rate_bps=data.rate_bps,
        tiers=tuple(TierBand(t.from_minor, t.rate_bps) for t in data.tiers),
        tier_mode=data.tier_mode.value,
        fixed_per_item_minor=data.fixed_per_item_minor,
        fixed_per_order_minor=data.fixed_per_order_minor,
        min_fee_minor=data.min_fee_minor,
        max_fee_minor=data.max_fee_minor,
    )


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed("The commission rule is not valid.", errors=errors)


def _check_terms(data: RuleTerms, now: datetime, errors: list[FieldError]) -> datetime:
    """Every problem with the versioned part; returns the effective start."""
    currency = data.currency.upper() if data.currency else None
    check_currency(errors, "currency", currency)
    check_terms(errors, _terms(data), currency)
    start = data.effective_from or now
    if start.tzinfo is None:
        errors.append(FieldError("effective_from", "Give a time zone."))
        return now
    if start < now - _GRACE:
        errors.append(
            FieldError("effective_from", "A version cannot start in the past: paid fees stay.")
        )
    if data.effective_to is not None and data.effective_to.tzinfo is None:
        errors.append(FieldError("effective_to", "Give a time zone."))
    else:
        check_window(errors, "effective_to", start, data.effective_to)
    return start


def _version(
    rule_id: uuid.UUID, number: int, data: RuleTerms, start: datetime
) -> CommissionRuleVersion:
    return CommissionRuleVersion(
        id=new_id(),
        rule_id=rule_id,
        version=number,
        rate_bps=data.rate_bps,
        tiers=[{"from_minor": t.from_minor, "rate_bps": t.rate_bps} for t in data.tiers],
        tier_mode=data.tier_mode.value,
        fixed_per_item_minor=data.fixed_per_item_minor,
        fixed_per_order_minor=data.fixed_per_order_minor,
        min_fee_minor=data.min_fee_minor,
        max_fee_minor=data.max_fee_minor,
        currency=data.currency.upper() if data.currency else None,
        effective_from=start,
        effective_to=data.effective_to,
    )


async def _check_identity(session: AsyncSession, data: RuleIn, errors: list[FieldError]) -> None:
    if not data.name.strip():
        errors.append(FieldError("name", "Give the rule a name."))
    elif len(data.name.strip()) > 120:
        errors.append(FieldError("name", "At most 120 characters."))
    if data.scope is RuleScope.CATEGORY:
        if data.category_id is None:
            errors.append(FieldError("category_id", "Choose the category the rule applies to."))
        else:
            known = {c.id for c in await catalog_service.list_categories_flat(session)}
            if data.category_id not in known:
                errors.append(FieldError("category_id", "Unknown category."))
    elif data.category_id is not None:
        errors.append(FieldError("category_id", "Only a category rule names a category."))


async def create_rule(session: AsyncSession, principal: Principal, data: RuleIn) -> RuleOut:
    """A new rule with its first version (admin). Every problem is reported at once (422)."""
    require_admin(principal)
    now = clock.now()
    errors: list[FieldError] = []
    await _check_identity(session, data, errors)
    start = _check_terms(data, now, errors)
    _refuse(errors)
    rule = CommissionRule(
        id=new_id(), name=data.name.strip(), scope=data.scope.value, category_id=data.category_id
    )
    version = _version(rule.id, 1, data, start)
    session.add_all([rule, version])
    await session.flush()
    return await get_rule(session, principal, rule.id)


async def revise_rule(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID, data: RuleTerms
) -> RuleOut:
    """Edit a rule: a new version from ``effective_from`` (now by default). The version in
    force then ends where the new one starts; versions already in force are never changed."""
    require_admin(principal)
    rule = await repository.get_rule(session, rule_id, for_update=True)
    if rule is None:
        raise NotFound("No such commission rule.")
    now = clock.now()
    errors: list[FieldError] = []
    start = _check_terms(data, now, errors)
    latest = rule.versions[0]
    if start < latest.effective_from:
        errors.append(
            FieldError("effective_from", "A new version starts after the latest one does.")
        )
    _refuse(errors)
    for version in rule.versions:
        if version.effective_to is None or version.effective_to > start:
            version.effective_to = max(start, version.effective_from)
    session.add(_version(rule.id, latest.version + 1, data, start))
    await session.flush()
    session.expire(rule, ["versions"])
    return await get_rule(session, principal, rule.id)


async def end_rule(session: AsyncSession, principal: Principal, rule_id: uuid.UUID) -> RuleOut:
    """Stop a rule now; its history stays."""
    require_admin(principal)
    rule = await repository.get_rule(session, rule_id, for_update=True)
    if rule is None:
        raise NotFound("No such commission rule.")
    now = clock.now()
    for version in rule.versions:
        if version.effective_to is None or version.effective_to > now:
            version.effective_to = max(now, version.effective_from)
    await session.flush()
    return rule_out(rule, now)


async def get_rule(session: AsyncSession, principal: Principal, rule_id: uuid.UUID) -> RuleOut:
    """One rule with its version history, newest first (admin)."""
    require_admin(principal)
    rule = await repository.get_rule(session, rule_id)
    if rule is None:
        raise NotFound("No such commission rule.")
    return rule_out(rule, clock.now())


async def list_rules(session: AsyncSession, principal: Principal) -> list[RuleOut]:
    """Every rule, with the version in force now and the history (admin)."""
    require_admin(principal)
    now = clock.now()
    return [rule_out(rule, now) for rule in await repository.list_rules(session)]
