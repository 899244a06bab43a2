"""Sellers JSON API: the seller's own application, documents and onboarding under
``/sellers/me``, public storefronts, and the operator's review queue, decisions, admission
criteria and terms versions under ``/admin/sellers``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Form, Query, Request, Response, UploadFile, status

from mercato.kit.deps import CurrentPrincipal, CurrentRuntime, DbSession
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter
from mercato.sellers import service
from mercato.sellers.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationReview,
    ApplicationSummary,
    Checklist,
    CriterionIn,
    CriterionOut,
    DecisionIn,
    DocumentOut,
    DocumentType,
    PayoutAccountIn,
    PayoutAccountOut,
    ProviderAccountIn,
    ProviderAccountOut,
    SellerOut,
    SellerStatus,
    SellerStorefront,
    StorefrontIn,
    StorefrontOut,
    TermsAcceptanceIn,
    TermsAcceptanceOut,
    TermsIn,
    TermsOut,
    TermsStatusOut,
)

router = IndexedRouter(tags=["sellers"])
ME = "/sellers/me"
ADMIN = "/admin/sellers"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def file_response(download: service.FileDownload, *, inline: bool = False) -> Response:
    """Stream a stored file: never sniffed or rendered as a page by the browser, and never
    kept by shared caches unless it is public."""
    disposition = "inline" if inline else "attachment"
    return Response(
        content=download.data,
        media_type=download.content_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{download.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "public, max-age=86400" if download.public else "private, no-store",
        },
    )


# --- the seller's own account ----------------------------------------------------------------


@router.get(ME, response_model=SellerOut)
async def my_seller_account(session: DbSession, principal: CurrentPrincipal) -> SellerOut:
    """The signed-in seller's account and its admission status."""
    return await service.get_my_seller(session, principal)


@router.get(f"{ME}/application", response_model=ApplicationOut)
async def my_application(session: DbSession, principal: CurrentPrincipal) -> ApplicationOut:
    """The application with its documents, what is still missing, and the status history."""
    return await service.get_my_application(session, principal)


@router.put(f"{ME}/application", response_model=ApplicationOut)
async def save_application(
    data: ApplicationIn, session: DbSession, principal: CurrentPrincipal
) -> ApplicationOut:
    """Save the application (a draft may be incomplete); only while it can change."""
    return await service.save_application(session, principal, data)


@router.post(f"{ME}/application/submit", response_model=ApplicationOut)
async def submit_application(session: DbSession, principal: CurrentPrincipal) -> ApplicationOut:
    """Send the complete application for review; the automatic checks run now."""
    return await service.submit_application(session, principal)


@router.post(
    f"{ME}/application/documents", status_code=status.HTTP_201_CREATED, response_model=DocumentOut
)
async def upload_document(
    session: DbSession,
    principal: CurrentPrincipal,
    runtime: CurrentRuntime,
    doc_type: Annotated[DocumentType, Form()],
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG")],
) -> DocumentOut:
    """Attach a document (multipart). The type is read from the content: a renamed file of
    another type is refused with 415."""
    data = await file.read()
    return await service.upload_document(
        session, principal, runtime.files, doc_type, data, file.filename
    )


@router.delete(
    f"{ME}/application/documents/{{document_id}}", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_document(
    document_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, runtime: CurrentRuntime
) -> None:
    await service.delete_document(session, principal, runtime.files, document_id)


@router.get(f"{ME}/onboarding", response_model=Checklist)
async def onboarding_checklist(session: DbSession, principal: CurrentPrincipal) -> Checklist:
    """The onboarding checklist and progress, computed from the seller's data."""
    return await service.get_checklist(session, principal)


@router.get(f"{ME}/terms-acceptance", response_model=TermsAcceptanceOut | None)
async def my_terms_acceptance(
    session: DbSession, principal: CurrentPrincipal
) -> TermsAcceptanceOut | None:
    """This seller's acceptance of the terms in force, else its latest (null when none)."""
    return await service.get_my_terms_acceptance(session, principal)


@router.get(f"{ME}/terms-status", response_model=TermsStatusOut)
async def my_terms_status(session: DbSession, principal: CurrentPrincipal) -> TermsStatusOut:
    """The seller terms in force and whether this seller's acceptance is current."""
    return await service.get_my_terms_status(session, principal)


@router.post(f"{ME}/terms-acceptance", response_model=TermsAcceptanceOut)
async def accept_terms(
    data: TermsAcceptanceIn, request: Request, session: DbSession, principal: CurrentPrincipal
) -> TermsAcceptanceOut:
    """Accept the seller terms in force (the version must be the one in force)."""
    return await service.accept_terms(session, principal, data.version, client_ip(request))


@router.get(f"{ME}/payout-account", response_model=PayoutAccountOut | None)
async def payout_account(
    session: DbSession, principal: CurrentPrincipal
) -> PayoutAccountOut | None:
    """The payout account, the IBAN reduced to its last four characters (null when none)."""
    return await service.get_payout_account(session, principal)


@router.put(f"{ME}/payout-account", response_model=PayoutAccountOut)
async def save_payout_account(
    data: PayoutAccountIn, session: DbSession, principal: CurrentPrincipal
) -> PayoutAccountOut:
    return await service.save_payout_account(session, principal, data)


@router.get(f"{ME}/storefront", response_model=StorefrontOut)
async def my_storefront(session: DbSession, principal: CurrentPrincipal) -> StorefrontOut:
    return await service.get_storefront_profile(session, principal)


@router.put(f"{ME}/storefront", response_model=StorefrontOut)
async def save_storefront(
    data: StorefrontIn, session: DbSession, principal: CurrentPrincipal
) -> StorefrontOut:
    return await service.save_storefront_profile(session, principal, data)


@router.put(f"{ME}/storefront/logo", response_model=StorefrontOut)
async def upload_logo(
    session: DbSession,
    principal: CurrentPrincipal,
    runtime: CurrentRuntime,
    file: Annotated[UploadFile, File(description="PNG or JPEG")],
) -> StorefrontOut:
    return await service.upload_logo(session, principal, runtime.files, await file.read())


# --- files and public pages ------------------------------------------------------------------


@router.get("/sellers/documents/{document_id}", response_class=Response)
async def download_document(
    document_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, runtime: CurrentRuntime
) -> Response:
    """A document's file, for its seller and for staff only (others get 404)."""
    download = await service.get_document_file(session, principal, runtime.files, document_id)
    return file_response(download)


@router.get("/sellers/terms/current", response_model=TermsOut)
async def current_terms(session: DbSession) -> TermsOut:
    """The seller terms in force."""
    return await service.get_current_terms(session)


@router.get("/sellers/{seller_id}/storefront", response_model=SellerStorefront)
async def public_storefront(seller_id: uuid.UUID, session: DbSession) -> SellerStorefront:
    """The public storefront of a seller who can sell."""
    return await service.get_public_storefront(session, seller_id)


@router.get("/sellers/{seller_id}/logo", response_class=Response)
async def logo(
    seller_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, runtime: CurrentRuntime
) -> Response:
    download = await service.get_logo(session, principal, runtime.files, seller_id)
    return file_response(download, inline=True)


# --- operator ----------------------------------------------------------------------------------


@router.get(ADMIN, response_model=Page[ApplicationSummary])
async def review_queue(
    session: DbSession,
    principal: CurrentPrincipal,
    status_filter: Annotated[list[SellerStatus] | None, Query(alias="status")] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query()] = 50,
) -> Page[ApplicationSummary]:
    """Sellers by status (default: the applications waiting for review), newest first."""
    statuses = status_filter or [SellerStatus.SUBMITTED]
    return await service.list_applications(
        session, principal, statuses=statuses, cursor=cursor, limit=limit
    )


@router.get(f"{ADMIN}/criteria", response_model=list[CriterionOut])
async def criteria(session: DbSession, principal: CurrentPrincipal) -> list[CriterionOut]:
    """The documents required of applicants, per country and offering."""
    return await service.list_criteria(session, principal)


@router.post(f"{ADMIN}/criteria", status_code=status.HTTP_201_CREATED, response_model=CriterionOut)
async def add_criterion(
    data: CriterionIn, session: DbSession, principal: CurrentPrincipal
) -> CriterionOut:
    return await service.add_criterion(session, principal, data)


@router.delete(f"{ADMIN}/criteria/{{criterion_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_criterion(
    criterion_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> None:
    await service.delete_criterion(session, principal, criterion_id)


@router.get(f"{ADMIN}/terms", response_model=list[TermsOut])
async def terms_versions(session: DbSession, principal: CurrentPrincipal) -> list[TermsOut]:
    """Every published version of the seller terms, newest first, with its state."""
    return await service.list_terms_versions(session, principal)


@router.post(f"{ADMIN}/terms", status_code=status.HTTP_201_CREATED, response_model=TermsOut)
async def publish_terms(data: TermsIn, session: DbSession, principal: CurrentPrincipal) -> TermsOut:
    """Publish a new version with its reason, applying now or from a later time; once it
    applies, every seller must accept it again."""
    return await service.publish_terms(session, principal, data)


@router.get(f"{ADMIN}/{{seller_id}}", response_model=ApplicationReview)
async def application_review(
    seller_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ApplicationReview:
    """One application with its documents, automatic check results and history."""
    return await service.get_application_review(session, principal, seller_id)


@router.post(f"{ADMIN}/{{seller_id}}/decisions", response_model=ApplicationReview)
async def decide(
    seller_id: uuid.UUID, data: DecisionIn, session: DbSession, principal: CurrentPrincipal
) -> ApplicationReview:
    """Approve, reject (reason required), ask for more information (reason required),
    suspend (reason required) or reinstate, as the admission state machine allows."""
    return await service.decide(session, principal, seller_id, data)


@router.put(f"{ADMIN}/{{seller_id}}/provider-account", response_model=ProviderAccountOut)
async def set_provider_account(
    seller_id: uuid.UUID, data: ProviderAccountIn, session: DbSession, principal: CurrentPrincipal
) -> ProviderAccountOut:
    """Record the seller's connected account at the payment provider (Stripe ``acct_…``),
    where payouts through that provider go: admins."""
    return await service.set_provider_account(session, principal, seller_id, data)
