"""Appeals: a seller appeals the level change that raised its standing, once per change;
an admin accepts (one level down, protected from re-escalation for a while) or rejects with
a reason. The seller is emailed either way."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.performance import repository
from mercato.performance.calculations import LEVEL_LABELS, Level
from mercato.performance.models import Appeal, StandingChange
from mercato.performance.schemas import AppealDecisionIn, AppealIn, AppealOut
from mercato.performance.service._access import own_seller_id
from mercato.performance.service._notices import mail_seller
from mercato.performance.service.standing import change_level
from mercato.performance.service.thresholds import thresholds_at

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


async def appealable_change(session: AsyncSession, seller_id: uuid.UUID) -> StandingChange | None:
    """The latest change when it raised the standing and has no appeal yet."""
    change = await repository.latest_change(session, seller_id)
    if change is None or change.to_level <= change.from_level:
        return None
    if await repository.appeal_of_change(session, change.id) is not None:
        return None
    return change


async def file_appeal(session: AsyncSession, principal: Principal, data: AppealIn) -> AppealOut:
    """The signed-in seller appeals its current action (once per level change)."""
    seller_id = await own_seller_id(session, principal)
    text = data.text.strip()
    if len(text) < 10:
        raise ValidationFailed.on("text", "Explain your appeal in a few words (10 characters).")
    await repository.get_standing(session, seller_id, for_update=True)
    change = await appealable_change(session, seller_id)
    if change is None:
        raise Conflict("There is no action to appeal, or you already appealed it.")
    appeal = Appeal(
        seller_id=seller_id, change_id=change.id, text=text, status=PENDING, created_at=clock.now()
    )
    session.add(appeal)
    await session.flush()
    await mail_seller(
        session,
        seller_id,
        "We received your appeal",
        "An administrator will review your appeal and answer by email.",
    )
    return AppealOut.model_validate(appeal)


async def decide_appeal(
    session: AsyncSession, principal: Principal, appeal_id: uuid.UUID, data: AppealDecisionIn
) -> AppealOut:
    """Accept (the standing goes one level down and is protected from re-escalation) or
    reject with a reason (admins)."""
    admin_id = principal.require_role(Role.ADMIN)
    appeal = await repository.get_appeal(session, appeal_id, for_update=True)
    if appeal is None:
        raise NotFound("No such appeal.")
    reason = data.reason.strip()
    if not data.accept and not reason:
        raise ValidationFailed.on("reason", "Give the seller the reason of the rejection.")
    if appeal.status != PENDING:
        raise Conflict("This appeal is already decided.")
    now = clock.now()
    appeal.status = ACCEPTED if data.accept else REJECTED
    appeal.decision_reason, appeal.decided_by, appeal.decided_at = reason or None, admin_id, now
    standing = await repository.get_standing(session, appeal.seller_id, for_update=True)
    if data.accept and standing is not None and standing.level > Level.GOOD:
        thresholds = await thresholds_at(session, now)
        standing.protected_until = now + timedelta(days=thresholds.protection_days)
        target = Level(standing.level - 1)
        note = f"Appeal accepted{': ' + reason if reason else ''}."
        await change_level(session, standing, target, "appeal", note, now)
    elif not data.accept:
        await mail_seller(
            session,
            appeal.seller_id,
            "Your appeal was not accepted",
            f"Your appeal was rejected: {reason}",
        )
    await session.flush()
    return AppealOut.model_validate(appeal)


async def list_appeals(
    session: AsyncSession, principal: Principal, status: str | None = PENDING
) -> list[AppealOut]:
    """The appeals queue (staff), the pending ones by default."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return [
        AppealOut.model_validate(a) for a in await repository.list_appeals(session, status=status)
    ]


__all__ = ["LEVEL_LABELS", "appealable_change", "decide_appeal", "file_appeal", "list_appeals"]
