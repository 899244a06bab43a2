"""Buyer terms of use: the version in force, its acceptance by buyers (who, which version,
when, from which address), and the check checkout makes before taking an order. Sellers see
their own terms' version and their shop's acceptance (the seller terms live in ``sellers``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.governance import repository
from mercato.governance.events import TermsAccepted
from mercato.governance.models import PolicyVersion, TermsAcceptance
from mercato.governance.schemas import PolicyKind, TermsAcceptanceOut, TermsStatus
from mercato.governance.service.policies import version_out
from mercato.kit import clock, events
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, FieldError, MercatoError, NotFound
from mercato.orders.service import register_checkout_check
from mercato.sellers.service import get_current_terms, get_my_terms_acceptance

TERMS_PATH = "/terms/accept"


async def _buyer_terms_in_force(session: AsyncSession) -> PolicyVersion | None:
    return await repository.version_in_force(session, PolicyKind.BUYER_TERMS.value, clock.now())


async def terms_status(session: AsyncSession, principal: Principal) -> TermsStatus:
    """The buyer terms in force and whether the signed-in user accepted them; a seller also
    gets the seller terms' current version and the one its shop accepted."""
    user_id = principal.require_user()
    current = await _buyer_terms_in_force(session)
    acceptance = await repository.get_acceptance(session, user_id, current.id) if current else None
    status = TermsStatus(
        terms=await version_out(session, current) if current else None,
        accepted=current is None or acceptance is not None,
        acceptance=_acceptance_out(acceptance, current) if acceptance and current else None,
    )
    if principal.role is Role.SELLER:
        status = await _with_seller_terms(session, principal, status)
    return status


async def _with_seller_terms(
    session: AsyncSession, principal: Principal, status: TermsStatus
) -> TermsStatus:
    try:
        seller_terms = await get_current_terms(session)
        accepted = await get_my_terms_acceptance(session, principal)
    except MercatoError:
        # No seller terms published, or a user whose shop is not set up: nothing to show.
        return status
    return status.model_copy(
        update={
            "seller_terms_version": seller_terms.version,
            "seller_terms_accepted_version": accepted.version if accepted else None,
        }
    )


def _acceptance_out(acceptance: TermsAcceptance, version: PolicyVersion) -> TermsAcceptanceOut:
    return TermsAcceptanceOut(
        version=version.version,
        accepted_at=acceptance.accepted_at,
        ip_address=acceptance.ip_address,
    )


async def accept_buyer_terms(
    session: AsyncSession, principal: Principal, version: int, ip_address: str
) -> TermsAcceptanceOut:
    """Accept the buyer terms in force (buyers). Accepting a version that is not the one in
    force is refused (409, naming the current one); accepting twice is harmless."""
    user_id = principal.require_role(Role.BUYER)
    current = await _buyer_terms_in_force(session)
    if current is None:
        raise NotFound("No buyer terms are in force.")
    if version != current.version:
        raise Conflict(
            f"Version {version} is not in force: read and accept version {current.version}.",
            errors=[FieldError("version", f"The version in force is {current.version}.")],
        )
    acceptance = await repository.get_acceptance(session, user_id, current.id)
    if acceptance is None:
        acceptance = TermsAcceptance(
            user_id=user_id,
            version_id=current.id,
            accepted_at=clock.now(),
            ip_address=(ip_address or "unknown")[:64],
        )
        session.add(acceptance)
        await session.flush()
        events.record(
            session,
            TermsAccepted(
                user_id, current.id, current.version, acceptance.ip_address, acceptance.accepted_at
            ),
        )
    return _acceptance_out(acceptance, current)


async def needs_terms_acceptance(session: AsyncSession, principal: Principal) -> bool:
    """True when a signed-in buyer has not accepted the buyer terms in force."""
    if principal.role is not Role.BUYER or principal.user_id is None:
        return False
    current = await _buyer_terms_in_force(session)
    if current is None:
        return False
    return await repository.get_acceptance(session, principal.user_id, current.id) is None


@register_checkout_check
async def require_current_terms(session: AsyncSession, principal: Principal) -> None:
    """Refuse (409) a buyer who has not accepted the buyer terms in force: checkout calls this
    before taking the order; the error names the page where they accept."""
    if await needs_terms_acceptance(session, principal):
        raise Conflict(
            "The terms of use changed: read and accept them before checking out.",
            extensions={"accept_url": TERMS_PATH},
        )
