"""The performance thresholds: versioned and effective-dated, each change with who and why;
the defaults (modelled on the largest marketplaces) apply until an admin sets the first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import FieldError, ValidationFailed
from mercato.performance import repository
from mercato.performance.calculations import BASIS_POINTS, DEFAULT_THRESHOLDS, Thresholds
from mercato.performance.models import ThresholdVersion
from mercato.performance.schemas import ThresholdsIn, ThresholdsOut

RATE_FIELDS = (
    "defect_max_bp",
    "cancellation_max_bp",
    "late_shipment_max_bp",
    "valid_tracking_min_bp",
)
COUNT_LIMITS = {"min_orders": (1, 10_000), "cooldown_days": (1, 365), "protection_days": (0, 365)}


def _of(row: ThresholdVersion | None) -> Thresholds:
    if row is None:
        return DEFAULT_THRESHOLDS
    return Thresholds(
        defect_max_bp=row.defect_max_bp,
        cancellation_max_bp=row.cancellation_max_bp,
        late_shipment_max_bp=row.late_shipment_max_bp,
        valid_tracking_min_bp=row.valid_tracking_min_bp,
        min_orders=row.min_orders,
        cooldown_days=row.cooldown_days,
        protection_days=row.protection_days,
    )


async def thresholds_at(session: AsyncSession, at: datetime) -> Thresholds:
    """The thresholds in force at ``at`` (the defaults before any version)."""
    return _of(await repository.threshold_in_force(session, at))


def _out(row: ThresholdVersion | None) -> ThresholdsOut:
    if row is not None:
        return ThresholdsOut.model_validate(row)
    defaults = DEFAULT_THRESHOLDS
    return ThresholdsOut(
        version=0,
        reason="The platform's defaults.",
        effective_from=None,
        created_at=None,
        **{name: getattr(defaults, name) for name in (*RATE_FIELDS, *COUNT_LIMITS)},
    )


async def current_thresholds(session: AsyncSession, principal: Principal) -> ThresholdsOut:
    """The thresholds in force now (anyone signed in: sellers measure themselves by them)."""
    principal.require_user()
    return _out(await repository.threshold_in_force(session, clock.now()))


async def list_threshold_versions(
    session: AsyncSession, principal: Principal
) -> list[ThresholdsOut]:
    """Every version, newest first (staff)."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return [_out(row) for row in await repository.list_thresholds(session)]


def check_thresholds(data: ThresholdsIn, now: datetime) -> None:
    """Every problem at once, each naming its field: rates are 0-100%, counts in range."""
    errors = []
    for name in RATE_FIELDS:
        value = getattr(data, name)
        if not 0 <= value <= BASIS_POINTS:
            errors.append(FieldError(name, "A rate is between 0 and 10000 basis points (100%)."))
    for name, (low, high) in COUNT_LIMITS.items():
        value = getattr(data, name)
        if not low <= value <= high:
            errors.append(FieldError(name, f"Between {low} and {high}."))
    if not data.reason.strip():
        errors.append(FieldError("reason", "Say why the thresholds change."))
    if data.effective_from is not None and data.effective_from.tzinfo is None:
        errors.append(FieldError("effective_from", "Give a time zone (UTC)."))
    if errors:
        raise ValidationFailed("Some thresholds are not valid.", errors=errors)


async def set_thresholds(
    session: AsyncSession, principal: Principal, data: ThresholdsIn
) -> ThresholdsOut:
    """Record a new version of the thresholds, in force from ``effective_from`` (now by
    default), with who and why (admins)."""
    admin_id = principal.require_role(Role.ADMIN)
    now = clock.now()
    check_thresholds(data, now)
    row = ThresholdVersion(
        version=await repository.next_threshold_version(session),
        reason=data.reason.strip(),
        created_by=admin_id,
        created_at=now,
        effective_from=max(data.effective_from or now, now),
        **{name: getattr(data, name) for name in (*RATE_FIELDS, *COUNT_LIMITS)},
    )
    session.add(row)
    await session.flush()
    return _out(row)
