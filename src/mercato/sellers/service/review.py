"""The operator's side of admission: the review queue, decisions (approve, reject, ask for
more information, suspend, reinstate), admission criteria and seller terms versions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from mercato.kit.pagination import Page
from mercato.sellers import policy, repository
from mercato.sellers.models import DocumentRequirement, Seller, TermsVersion
from mercato.sellers.schemas import (
    CHECK_LABELS,
    DECISION_LABELS,
    STATUS_LABELS,
    ApplicationReview,
    ApplicationSummary,
    CheckCode,
    CheckOut,
    CheckOutcome,
    CriterionIn,
    CriterionOut,
    Decision,
    DecisionIn,
    ProviderAccountIn,
    ProviderAccountOut,
    SellerStatus,
    TermsIn,
    TermsOut,
)
from mercato.sellers.service._common import (
    Actor,
    change_status,
    notify_seller,
    payout_out,
    seller_for_staff,
    status_of,
    storefront_out,
    system_actor,
    terms_out,
)
from mercato.sellers.service.application import application_out

REVIEW_QUEUE = (SellerStatus.SUBMITTED,)

# --- the queue -----------------------------------------------------------------------------


async def list_applications(
    session: AsyncSession,
    principal: Principal,
    *,
    statuses: Sequence[SellerStatus] = REVIEW_QUEUE,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[ApplicationSummary]:
    """Sellers in the given statuses (by default those waiting for review), newest first,
    with their number of documents and of failed automatic checks; for staff."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    found = await repository.list_sellers(
        session, statuses=[s.value for s in statuses], cursor=cursor, limit=limit
    )
    ids = [s.id for s in found.rows]
    documents = await repository.count_documents_by_seller(session, ids)
    failed = await repository.failed_check_counts(session, ids)
    items = [
        ApplicationSummary(
            id=s.id,
            business_name=s.business_name,
            status=s.status,
            country=s.country,
            submitted_at=s.submitted_at,
            created_at=s.created_at,
            documents=documents.get(s.id, 0),
            failed_checks=failed.get(s.id, 0),
        )
        for s in found.rows
    ]
    return Page[ApplicationSummary](items=items, next_cursor=found.next_cursor)


async def count_sellers_by_status(session: AsyncSession, principal: Principal) -> dict[str, int]:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    counts = await repository.count_by_status(session)
    return {status.value: counts.get(status.value, 0) for status in SellerStatus}


async def _review(session: AsyncSession, seller: Seller) -> ApplicationReview:
    base = await application_out(session, seller)
    checks = [
        CheckOut(
            code=c.code,
            label=CHECK_LABELS[CheckCode(c.code)],
            outcome=c.outcome,
            detail=c.detail,
            submission=c.submission,
            created_at=c.created_at,
        )
        for c in await repository.latest_checks(session, seller)
    ]
    return ApplicationReview(
        **base.model_dump(),
        owner_user_id=seller.owner_user_id,
        submission_count=seller.submission_count,
        checks=checks,
        allowed_decisions=policy.allowed_decisions(status_of(seller)),
        payout=payout_out(seller),
        storefront=storefront_out(seller),
    )


async def get_application_review(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID
) -> ApplicationReview:
    """Everything a reviewer needs about one seller: the application, documents, the latest
    automatic check results, the status history and the decisions now possible."""
    return await _review(session, await seller_for_staff(session, principal, seller_id))


# --- decisions -----------------------------------------------------------------------------

_EMAILS = {
    Decision.APPROVE: (
        "Welcome to Mercato: your shop is admitted",
        "Good news: {name} is admitted as a seller on Mercato. Finish your onboarding "
        "checklist (seller terms, payout account, storefront) and publish your first listing.",
    ),
    Decision.REJECT: (
        "Your seller application was not accepted",
        "We are sorry: we cannot admit {name} as a seller on Mercato.\n\nThe reviewer's "
        "reason: {reason}",
    ),
    Decision.REQUEST_INFO: (
        "We need more information about your seller application",
        "A reviewer looked at the application of {name} and needs more information:\n\n"
        "{reason}\n\nUpdate your application in the seller portal and submit it again.",
    ),
    Decision.SUSPEND: (
        "Your Mercato shop is suspended",
        "{name} is suspended: your listings are hidden and you cannot publish until the "
        "suspension is lifted.\n\nThe reason: {reason}",
    ),
    Decision.REINSTATE: (
        "Your Mercato shop is active again",
        "The suspension of {name} is lifted: you can publish and sell again.",
    ),
}


async def decide(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID, data: DecisionIn
) -> ApplicationReview:
    """Apply an admin's decision, following the admission state machine. Rejections,
    requests for information and suspensions need a reason the seller will read; approving
    despite a failed automatic check needs one too (the override is audited)."""
    seller = await seller_for_staff(session, principal, seller_id, write=True)
    await apply_decision(session, seller, data.decision, data.reason, Actor.of(principal))
    return await _review(session, seller)


async def apply_decision(
    session: AsyncSession, seller: Seller, decision: Decision, reason: str | None, actor: Actor
) -> None:
    """The decision itself, once the caller is authorized (also used by the demo data)."""
    current = status_of(seller)
    target = policy.next_status(current, decision)
    if target is None:
        raise Conflict(
            f"A seller who is “{STATUS_LABELS[current]}” cannot be given the decision "
            f"“{DECISION_LABELS[decision]}”."
        )
    reason = (reason or "").strip() or None
    if reason and (problem := policy.multi_line_problem(reason)):
        raise ValidationFailed.on("reason", problem)
    if reason is None and decision in policy.REASON_REQUIRED:
        raise ValidationFailed.on("reason", "Give a reason: the seller will read it.")
    if reason is None and decision is Decision.APPROVE:
        checks = await repository.latest_checks(session, seller)
        if any(c.outcome == CheckOutcome.FAIL for c in checks):
            raise ValidationFailed.on(
                "reason", "Some automatic checks failed: say why you approve anyway."
            )
    now = clock.now()
    seller.decided_at = now
    if target is SellerStatus.ADMITTED and seller.admitted_at is None:
        seller.admitted_at = now
    seller.status_reason = reason if decision in policy.REASON_REQUIRED else None
    await change_status(session, seller, target, actor, reason)
    subject, body = _EMAILS[decision]
    await notify_seller(
        session, seller, subject, body.format(name=seller.business_name, reason=reason)
    )


async def suspend_by_system(
    session: AsyncSession, seller_id: uuid.UUID, reason: str, *, origin: str
) -> bool:
    """Suspend an admitted seller on the platform's own decision, with the reason the seller
    reads; ``origin`` (say, "Seller performance") is recorded as who decided, so only that
    part of the platform may lift it. False when the seller is not admitted (already
    suspended, say)."""
    seller = await repository.get_by_id(session, seller_id)
    if seller is None or status_of(seller) is not SellerStatus.ADMITTED:
        return False
    await apply_decision(session, seller, Decision.SUSPEND, reason, system_actor(origin))
    return True


async def reinstate_by_system(session: AsyncSession, seller_id: uuid.UUID, *, origin: str) -> bool:
    """Lift a suspension on the platform's own decision, only one that ``origin`` itself
    made: a seller an admin suspended by hand stays suspended until an admin reinstates it.
    False when the seller is not suspended, or not by ``origin``."""
    seller = await repository.get_by_id(session, seller_id)
    if seller is None or status_of(seller) is not SellerStatus.SUSPENDED:
        return False
    if await suspended_by(session, seller_id) != system_actor(origin):
        return False
    await apply_decision(session, seller, Decision.REINSTATE, None, system_actor(origin))
    return True


async def suspended_by(session: AsyncSession, seller_id: uuid.UUID) -> Actor | None:
    """Who made the seller's latest suspension, from the status audit trail (None: never
    suspended)."""
    changes = await repository.list_status_changes(session, seller_id)
    latest = next(
        (c for c in reversed(changes) if c.to_status == SellerStatus.SUSPENDED.value), None
    )
    if latest is None:
        return None
    return Actor(latest.actor_user_id, latest.actor_role, latest.actor_label)


# --- admission criteria --------------------------------------------------------------------


async def list_criteria(session: AsyncSession, principal: Principal) -> list[CriterionOut]:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return [CriterionOut.model_validate(c) for c in await repository.list_criteria(session)]


async def add_criterion(
    session: AsyncSession, principal: Principal, data: CriterionIn
) -> CriterionOut:
    """Require a document type of the sellers of a country ("*": every country), optionally
    only of those selling goods or services. Applications already submitted are unaffected."""
    principal.require_role(Role.ADMIN)
    country = data.country.upper()
    if country != policy.EVERY_COUNTRY and country not in policy.ISO_COUNTRIES:
        raise ValidationFailed.on("country", "Use a two-letter country code, or * for all.")
    if await repository.find_criterion(session, country, data.doc_type.value, data.applies_to):
        raise Conflict(
            "This requirement already exists.",
            errors=[FieldError("doc_type", "This requirement already exists.")],
        )
    criterion = DocumentRequirement(
        country=country,
        doc_type=data.doc_type.value,
        applies_to=data.applies_to,
        created_at=clock.now(),
    )
    session.add(criterion)
    try:
        await session.flush()
    except IntegrityError as error:
        raise Conflict("This requirement was just added by someone else.") from error
    return CriterionOut.model_validate(criterion)


async def delete_criterion(
    session: AsyncSession, principal: Principal, criterion_id: uuid.UUID
) -> None:
    principal.require_role(Role.ADMIN)
    if not await repository.delete_criterion(session, criterion_id):
        raise NotFound("No such requirement.")


# --- seller terms --------------------------------------------------------------------------


async def list_terms_versions(session: AsyncSession, principal: Principal) -> list[TermsOut]:
    """Every published version, newest first, each marked in force, scheduled or superseded."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    now = clock.now()
    in_force = await repository.terms_in_force(session, now)
    return [terms_out(t, in_force, now) for t in await repository.list_terms(session)]


async def count_terms_acceptances(
    session: AsyncSession, principal: Principal
) -> dict[uuid.UUID, int]:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return await repository.count_acceptances(session)


async def publish_terms(session: AsyncSession, principal: Principal, data: TermsIn) -> TermsOut:
    """Publish a new version of the seller terms, saying why (admins). It applies from
    ``effective_from`` (now when omitted; a later time schedules it; the past is refused).
    Once it applies, every seller who has not accepted it is asked to, on every portal page."""
    admin_id = principal.require_role(Role.ADMIN)
    now = clock.now()
    effective_from = _checked_terms_input(data, now)
    latest = await repository.latest_terms(session)
    terms = TermsVersion(
        version=(latest.version + 1) if latest else 1,
        title=data.title,
        body=data.body,
        reason=data.reason.strip(),
        effective_from=max(effective_from, now),
        published_at=now,
        published_by=admin_id,
    )
    session.add(terms)
    try:
        await session.flush()
    except IntegrityError as error:
        raise Conflict("Another version was published at the same moment; reload.") from error
    return terms_out(terms, await repository.terms_in_force(session, now), now)


def _checked_terms_input(data: TermsIn, now: datetime) -> datetime:
    """The time the new version applies from, once every field is checked (all problems are
    reported together, each naming its field)."""
    errors = []
    if problem := policy.single_line_problem(data.title):
        errors.append(FieldError("title", problem))
    if problem := policy.multi_line_problem(data.body):
        errors.append(FieldError("body", problem))
    if len(data.reason.strip()) < 3:
        errors.append(FieldError("reason", "Say why this version is published."))
    elif problem := policy.multi_line_problem(data.reason):
        errors.append(FieldError("reason", problem))
    effective_from = data.effective_from or now
    if problem := policy.effective_from_problem(effective_from, now):
        errors.append(FieldError("effective_from", problem))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return effective_from


async def set_provider_account(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID, data: ProviderAccountIn
) -> ProviderAccountOut:
    """Record the seller's connected account at the payment provider (admins), once the
    provider has onboarded it: payouts through such a provider go there. Another seller's
    account is refused (409): one account pays one seller."""
    principal.require_role(Role.ADMIN)
    seller = await repository.get_by_id(session, seller_id)
    if seller is None:
        raise NotFound("No such seller.")
    holder = await repository.get_by_provider_account(session, data.account_id)
    if holder is not None and holder.id != seller.id:
        raise Conflict("This provider account already pays another seller.")
    seller.provider_account_id = data.account_id
    await session.flush()
    return ProviderAccountOut(seller_id=seller.id, account_id=seller.provider_account_id)
