"""Versioned, effective-dated policies: drafting a version (with who and why), activating it
now or later, reading the version in force at any time, and the SLA terms it gives a category."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog.service import list_categories_flat, listing_facts
from mercato.governance import repository
from mercato.governance.calculations import (
    DEFAULT_SLA,
    SLA_PARAMETERS,
    SlaTerms,
    merged_parameters,
    parameter_errors,
    terms_from_parameters,
)
from mercato.governance.events import PolicyVersionActivated, PolicyVersionDrafted
from mercato.governance.models import PolicyVersion
from mercato.governance.schemas import (
    ActivateIn,
    PolicyDraftIn,
    PolicyKind,
    PolicyStatus,
    PolicyVersionOut,
    SlaTermsOut,
)
from mercato.governance.service.escrow_hold import DEFAULT_TITLE as ESCROW_HOLD_TITLE
from mercato.governance.service.escrow_hold import checked_escrow_hold
from mercato.kit import clock, events
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed

# An activation "now" typed a moment ago must not be refused as being in the past.
PAST_TOLERANCE = timedelta(minutes=5)


async def version_out(session: AsyncSession, row: PolicyVersion) -> PolicyVersionOut:
    current = await repository.version_in_force(session, row.kind, clock.now())
    out = PolicyVersionOut.model_validate(row)
    return out.model_copy(update={"in_force": current is not None and current.id == row.id})


async def list_policies(
    session: AsyncSession, principal: Principal, kind: PolicyKind | None = None
) -> list[PolicyVersionOut]:
    """Every version of every policy (or of ``kind``), newest first per kind: staff."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    rows = await repository.list_versions(session, kind.value if kind else None)
    now = clock.now()
    in_force = {
        kind_.value: await repository.version_in_force(session, kind_.value, now)
        for kind_ in PolicyKind
    }
    return [
        PolicyVersionOut.model_validate(row).model_copy(
            update={"in_force": (found := in_force[row.kind]) is not None and found.id == row.id}
        )
        for row in rows
    ]


async def get_policy(
    session: AsyncSession, principal: Principal, version_id: uuid.UUID
) -> PolicyVersionOut:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    row = await repository.get_version(session, version_id)
    if row is None:
        raise NotFound("No such policy version.")
    return await version_out(session, row)


async def draft_policy(
    session: AsyncSession, principal: Principal, data: PolicyDraftIn
) -> PolicyVersionOut:
    """Create the next version of a policy as a draft, recording who and why (admins). An SLA
    draft must be complete and consistent; every refusal names its field."""
    user_id = principal.require_role(Role.ADMIN)
    title, body, parameters, overrides = await _checked_content(session, data)
    now = clock.now()
    row = PolicyVersion(
        kind=data.kind.value,
        version=await repository.next_version_number(session, data.kind.value),
        status=PolicyStatus.DRAFT.value,
        title=title,
        body=body,
        parameters=parameters,
        overrides=overrides,
        reason=data.reason.strip(),
        created_by=user_id,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    events.record(
        session,
        PolicyVersionDrafted(row.id, row.kind, row.version, user_id, row.reason, now),
    )
    return await version_out(session, row)


async def _checked_content(
    session: AsyncSession, data: PolicyDraftIn
) -> tuple[str, str, dict[str, int], list[dict[str, Any]]]:
    if not data.reason.strip():
        raise ValidationFailed.on("reason", "Say why this version is needed.")
    if data.kind is PolicyKind.BUYER_TERMS:
        errors = [
            FieldError(name, "This field is required.")
            for name, value in (("title", data.title), ("body", data.body))
            if not (value or "").strip()
        ]
        if errors:
            raise ValidationFailed(errors[0].message, errors=errors)
        return (data.title or "").strip(), (data.body or "").strip(), {}, []
    if data.kind is PolicyKind.ESCROW_HOLD:
        hold, hold_overrides = await checked_escrow_hold(session, data)
        title = (data.title or "").strip() or ESCROW_HOLD_TITLE
        return title, (data.body or "").strip(), hold, hold_overrides
    errors = _unknown_names(data.parameters, "parameters") + parameter_errors(data.parameters)
    overrides = await _checked_overrides(session, data, errors)
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    title = (data.title or "").strip() or "Seller service levels"
    return title, (data.body or "").strip(), dict(data.parameters), overrides


def _unknown_names(parameters: dict[str, int], prefix: str) -> list[FieldError]:
    return [
        FieldError(f"{prefix}.{name}", f"Unknown SLA parameter {name!r}.")
        for name in parameters
        if name not in SLA_PARAMETERS
    ]


async def _checked_overrides(
    session: AsyncSession, data: PolicyDraftIn, errors: list[FieldError]
) -> list[dict[str, Any]]:
    known = {category.id for category in await list_categories_flat(session)}
    seen: set[uuid.UUID] = set()
    overrides: list[dict[str, Any]] = []
    for index, override in enumerate(data.overrides):
        prefix = f"overrides.{index}"
        if override.category_id not in known:
            errors.append(FieldError(f"{prefix}.category_id", "No such category."))
            continue
        if override.category_id in seen:
            errors.append(FieldError(f"{prefix}.category_id", "This category is overridden twice."))
            continue
        seen.add(override.category_id)
        unknown = _unknown_names(override.parameters, f"{prefix}.parameters")
        errors.extend(unknown)
        if not unknown and not errors:
            merged = {**data.parameters, **override.parameters}
            errors.extend(parameter_errors(merged, f"{prefix}.parameters"))
        overrides.append(
            {"category_id": str(override.category_id), "parameters": dict(override.parameters)}
        )
    return overrides


async def activate_policy(
    session: AsyncSession, principal: Principal, version_id: uuid.UUID, data: ActivateIn
) -> PolicyVersionOut:
    """Put a draft in force from ``effective_from`` (now when omitted; never in the past):
    admins. Activating twice is refused (409): a change is a new version."""
    user_id = principal.require_role(Role.ADMIN)
    row = await repository.get_version(session, version_id, for_update=True)
    if row is None:
        raise NotFound("No such policy version.")
    if row.status != PolicyStatus.DRAFT.value:
        raise Conflict(f"Version {row.version} is already active; draft a new version instead.")
    now = clock.now()
    effective_from = data.effective_from or now
    if effective_from.tzinfo is None:
        raise ValidationFailed.on("effective_from", "Give a time zone (for example Z for UTC).")
    if effective_from < now - PAST_TOLERANCE:
        raise ValidationFailed.on(
            "effective_from", "A policy cannot start in the past: choose now or a later time."
        )
    row.status = PolicyStatus.ACTIVE.value
    row.effective_from = max(effective_from, now)
    row.activated_by, row.activated_at = user_id, now
    row.activation_reason = (data.reason or "").strip() or None
    await session.flush()
    events.record(
        session,
        PolicyVersionActivated(
            row.id,
            row.kind,
            row.version,
            user_id,
            row.effective_from,
            row.activation_reason or row.reason,
            now,
        ),
    )
    return await version_out(session, row)


# --- SLA terms -------------------------------------------------------------------------------


async def sla_terms(
    session: AsyncSession, category_id: uuid.UUID | None, at: datetime | None = None
) -> SlaTerms:
    """The SLA durations in force at ``at`` (now by default) for ``category_id`` (its own
    override, else its nearest parent's, else the policy's base values; the built-in defaults
    while no SLA version was ever activated). Disputes read their windows here."""
    chain = await _category_chain(session, category_id)
    return await terms_for_chain(session, chain, at or clock.now())


async def terms_for_chain(session: AsyncSession, chain: Sequence[str], at: datetime) -> SlaTerms:
    row = await repository.version_in_force(session, PolicyKind.SLA.value, at)
    return terms_of_version(row, chain)


def terms_of_version(row: PolicyVersion | None, chain: Sequence[str]) -> SlaTerms:
    if row is None:
        return terms_from_parameters(DEFAULT_SLA)
    merged = merged_parameters({**DEFAULT_SLA, **row.parameters}, row.overrides, chain)
    return terms_from_parameters(merged, row.id)


async def _category_chain(session: AsyncSession, category_id: uuid.UUID | None) -> list[str]:
    if category_id is None:
        return []
    by_id = {category.id: category for category in await list_categories_flat(session)}
    chain: list[str] = []
    current = by_id.get(category_id)
    while current is not None:
        chain.insert(0, str(current.id))
        current = by_id.get(current.parent_id) if current.parent_id else None
    return chain


async def listing_chain(session: AsyncSession, listing_ids: Sequence[uuid.UUID]) -> list[str]:
    """The category chain of an order: that of its first line's listing."""
    if not listing_ids:
        return []
    facts = await listing_facts(session, list(listing_ids[:1]))
    found = facts.get(listing_ids[0])
    return [str(category_id) for category_id in found.category_ids] if found else []


async def sla_terms_out(session: AsyncSession, category_id: uuid.UUID | None) -> SlaTermsOut:
    """The SLA in force now for a category, in the policy's units (public)."""
    terms = await sla_terms(session, category_id)
    row = await repository.version_in_force(session, PolicyKind.SLA.value, clock.now())
    chain = await _category_chain(session, category_id)
    base = {**DEFAULT_SLA, **(row.parameters if row else {})}
    parameters = merged_parameters(base, row.overrides if row else [], chain)
    return SlaTermsOut(version_id=terms.version_id, category_id=category_id, parameters=parameters)
