"""The escrow hold policy: the version in force at a time (settlement reads it when an order
completes), the checks of a draft, and the replay of past orders its preview needs.

Only settlement knows each completed order's escrow and the sellers' own holds, and it is
settlement that reads governance, not the reverse: settlement registers its replay of the
completed orders with :func:`register_hold_replay`, as governance registers its terms check
with the checkout."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog.service import list_categories_flat
from mercato.governance import repository
from mercato.governance.calculations import (
    NO_ESCROW_HOLD,
    EscrowHold,
    ReplayedHold,
    escrow_hold_of,
    hold_parameter_errors,
)
from mercato.governance.models import PolicyVersion
from mercato.governance.schemas import EscrowHoldOut, PolicyDraftIn, PolicyKind
from mercato.kit import clock
from mercato.kit.errors import FieldError, ValidationFailed

DEFAULT_TITLE = "Escrow hold periods"

# (session, completed since, completed until, policy in force, draft) → each completed order's
# hold under both.
HoldReplay = Callable[
    [AsyncSession, datetime, datetime, EscrowHold, EscrowHold], Awaitable[list[ReplayedHold]]
]
_replay: list[HoldReplay] = []


def register_hold_replay(replay: HoldReplay) -> HoldReplay:
    """Install the replay of completed orders the preview runs (settlement's, at import)."""
    _replay[:] = [replay]
    return replay


async def replay_holds(
    session: AsyncSession, since: datetime, until: datetime, current: EscrowHold, draft: EscrowHold
) -> list[ReplayedHold]:
    if not _replay:
        raise RuntimeError("No escrow hold replay is registered: import mercato.settlement.")
    return await _replay[0](session, since, until, current, draft)


def hold_of_version(row: PolicyVersion | None) -> EscrowHold:
    """The escrow hold a stored version sets (nothing at all without a version)."""
    if row is None:
        return NO_ESCROW_HOLD
    return escrow_hold_of(row.parameters, row.overrides, row.id, row.version)


async def escrow_hold_policy(session: AsyncSession, at: datetime | None = None) -> EscrowHoldOut:
    """The escrow hold policy in force at ``at`` (now by default), for the system: settlement
    computes a completed order's hold from the version in force at its completion, and shows
    the one in force now beside the sellers' own holds."""
    row = await repository.version_in_force(
        session, PolicyKind.ESCROW_HOLD.value, at or clock.now()
    )
    hold = hold_of_version(row)
    return EscrowHoldOut(
        version_id=hold.version_id,
        version=hold.version,
        effective_from=row.effective_from if row else None,
        reason=(row.activation_reason or row.reason) if row else None,
        hold_days=hold.base_days,
        category_hold_days={
            uuid.UUID(category_id): days for category_id, days in hold.category_days.items()
        },
    )


async def checked_escrow_hold(
    session: AsyncSession, data: PolicyDraftIn
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The parameters and overrides of an escrow hold draft, or every problem by field:
    ``hold_days`` from 0 to 60 (the base may be left out), each override on an existing
    category, once, with its own ``hold_days``."""
    errors = hold_parameter_errors(data.parameters, "parameters", required=False)
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
        errors.extend(
            hold_parameter_errors(override.parameters, f"{prefix}.parameters", required=True)
        )
        overrides.append(
            {"category_id": str(override.category_id), "parameters": dict(override.parameters)}
        )
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return dict(data.parameters), overrides
