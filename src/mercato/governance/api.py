"""Governance JSON API under ``/api/v1/governance``: policies — buyer terms, SLA, escrow hold
(staff read, admins draft, preview and activate) —, the buyer terms and their acceptance, the
SLA in force, and SLA clocks (a seller's own; staff any seller's breaches)."""

from __future__ import annotations

import uuid

from fastapi import Request, status

from mercato.governance import service
from mercato.governance.schemas import (
    ActivateIn,
    BreachOut,
    HoldPreviewOut,
    PolicyDraftIn,
    PolicyKind,
    PolicyVersionOut,
    PreviewOut,
    SellerSlaOverview,
    SlaTermsOut,
    TermsAcceptanceOut,
    TermsAcceptIn,
    TermsStatus,
)
from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.routing import IndexedRouter

router = IndexedRouter(prefix="/governance", tags=["governance"])


@router.get("/policies", response_model=list[PolicyVersionOut])
async def list_policies(
    session: DbSession, principal: CurrentPrincipal, kind: PolicyKind | None = None
) -> list[PolicyVersionOut]:
    """Every version of the policies, newest first per kind (staff)."""
    return await service.list_policies(session, principal, kind)


@router.post("/policies", status_code=status.HTTP_201_CREATED, response_model=PolicyVersionOut)
async def draft_policy(
    data: PolicyDraftIn, session: DbSession, principal: CurrentPrincipal
) -> PolicyVersionOut:
    """Draft the next version of a policy, with the reason for the change (admins)."""
    return await service.draft_policy(session, principal, data)


@router.get("/policies/{version_id}", response_model=PolicyVersionOut)
async def get_policy(
    version_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> PolicyVersionOut:
    """One policy version (staff)."""
    return await service.get_policy(session, principal, version_id)


@router.get("/policies/{version_id}/preview", response_model=PreviewOut | HoldPreviewOut)
async def preview_policy(
    version_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> PreviewOut | HoldPreviewOut:
    """An SLA or escrow hold version replayed on the last 90 days of orders next to the
    policy in force (admins)."""
    return await service.preview_policy(session, principal, version_id)


@router.post("/policies/{version_id}/activate", response_model=PolicyVersionOut)
async def activate_policy(
    version_id: uuid.UUID, data: ActivateIn, session: DbSession, principal: CurrentPrincipal
) -> PolicyVersionOut:
    """Put a draft in force, now or from a later ``effective_from`` (admins)."""
    return await service.activate_policy(session, principal, version_id, data)


@router.get("/terms", response_model=TermsStatus)
async def terms_status(session: DbSession, principal: CurrentPrincipal) -> TermsStatus:
    """The buyer terms in force and whether the signed-in user accepted them."""
    return await service.terms_status(session, principal)


@router.post("/terms/accept", response_model=TermsAcceptanceOut)
async def accept_terms(
    data: TermsAcceptIn, request: Request, session: DbSession, principal: CurrentPrincipal
) -> TermsAcceptanceOut:
    """Accept the buyer terms in force (buyers); the time and address are recorded."""
    address = request.client.host if request.client else "unknown"
    return await service.accept_buyer_terms(session, principal, data.version, address)


@router.get("/sla", response_model=SlaTermsOut)
async def sla_in_force(session: DbSession, category_id: uuid.UUID | None = None) -> SlaTermsOut:
    """The SLA in force now, for a category when given (public)."""
    return await service.sla_terms_out(session, category_id)


@router.get("/sla/me", response_model=SellerSlaOverview)
async def my_sla(session: DbSession, principal: CurrentPrincipal) -> SellerSlaOverview:
    """The signed-in seller's open deadlines, breaches and warnings."""
    return await service.seller_sla_overview(session, principal)


@router.get("/sla/breaches", response_model=list[BreachOut])
async def list_breaches(
    session: DbSession, principal: CurrentPrincipal, seller_id: uuid.UUID | None = None
) -> list[BreachOut]:
    """Recent SLA breaches, of every seller or one (staff)."""
    return await service.list_breaches(session, principal, seller_id)
