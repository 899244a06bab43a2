"""Disputes JSON API under ``/api/v1/disputes``: disputes on order lines (open, list, read,
messages, evidence, the seller's answer, escalation, acceptance, withdrawal, the admin's
decision) and returns (their conditions, request, approve, reject, mark received, list)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Query, Response, UploadFile, status

from mercato.disputes import service
from mercato.disputes.schemas import (
    AnswerIn,
    DecisionIn,
    DisputeDetail,
    DisputeOpenIn,
    DisputeOut,
    DisputeStatus,
    EvidenceOut,
    MessageIn,
    MessageOut,
    ReturnApproveIn,
    ReturnConditions,
    ReturnOut,
    ReturnRejectIn,
    ReturnRequestIn,
    ReturnStatus,
)
from mercato.kit.deps import CurrentPrincipal, CurrentRuntime, DbSession
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter

router = IndexedRouter(prefix="/disputes", tags=["disputes"])
Cursor = Annotated[str | None, Query(max_length=64)]
Limit = Annotated[int, Query(ge=1, le=100)]


# --- returns (declared first: their paths would otherwise read as a dispute id) ------------


@router.post("/returns", status_code=status.HTTP_201_CREATED, response_model=ReturnOut)
async def request_return(
    data: ReturnRequestIn, session: DbSession, principal: CurrentPrincipal
) -> ReturnOut:
    """Ask to return units of a delivered goods line, inside the return window (buyers)."""
    return await service.request_return(session, principal, data)


@router.get("/orders/{order_id}/return-conditions", response_model=ReturnConditions)
async def return_conditions(
    order_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ReturnConditions:
    """What a return of the order's goods costs and how long each step may take (the return
    window, the time to send it back, the restocking fee on a change of mind): its buyer, its
    seller and staff."""
    return await service.return_conditions(session, principal, order_id)


@router.get("/returns", response_model=Page[ReturnOut])
async def list_returns(
    session: DbSession,
    principal: CurrentPrincipal,
    status: Annotated[list[ReturnStatus] | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ReturnOut]:
    """The caller's returns: a buyer's own, a seller's shop's, all for staff."""
    return await service.list_returns(
        session, principal, statuses=status or (), cursor=cursor, limit=limit
    )


@router.get("/returns/{return_id}", response_model=ReturnOut)
async def get_return(
    return_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ReturnOut:
    return await service.get_return(session, principal, return_id)


@router.post("/returns/{return_id}/approve", response_model=ReturnOut)
async def approve_return(
    return_id: uuid.UUID, data: ReturnApproveIn, session: DbSession, principal: CurrentPrincipal
) -> ReturnOut:
    """The seller approves a requested return, with instructions to send it back."""
    return await service.approve_return(session, principal, return_id, data)


@router.post("/returns/{return_id}/reject", response_model=ReturnOut)
async def reject_return(
    return_id: uuid.UUID, data: ReturnRejectIn, session: DbSession, principal: CurrentPrincipal
) -> ReturnOut:
    """The seller rejects a requested return with a reason (the buyer may then dispute)."""
    return await service.reject_return(session, principal, return_id, data)


@router.post("/returns/{return_id}/received", response_model=ReturnOut)
async def mark_return_received(
    return_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> ReturnOut:
    """The seller received the parcel: the units are refunded at once."""
    return await service.mark_return_received(session, principal, return_id)


# --- disputes --------------------------------------------------------------------------------


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DisputeOut)
async def open_dispute(
    data: DisputeOpenIn, session: DbSession, principal: CurrentPrincipal
) -> DisputeOut:
    """Open a dispute on a line of the buyer's own order, within the window; the order's
    escrow is frozen until the last dispute of the order closes."""
    return await service.open_dispute(session, principal, data)


@router.get("", response_model=Page[DisputeOut])
async def list_disputes(
    session: DbSession,
    principal: CurrentPrincipal,
    status: Annotated[list[DisputeStatus] | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[DisputeOut]:
    """The caller's disputes: a buyer's own, a seller's shop's, all for staff."""
    return await service.list_disputes(
        session, principal, statuses=status or (), cursor=cursor, limit=limit
    )


@router.get("/queue", response_model=list[DisputeOut])
async def staff_queue(session: DbSession, principal: CurrentPrincipal) -> list[DisputeOut]:
    """The platform's queue, escalated disputes first (staff)."""
    return await service.staff_queue(session, principal)


@router.get("/evidence/{evidence_id}")
async def evidence_file(
    evidence_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    runtime: CurrentRuntime,
) -> Response:
    """An evidence file, for the dispute's parties and staff."""
    found = await service.get_evidence_file(session, principal, runtime.files, evidence_id)
    return Response(
        content=found.data,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/{dispute_id}", response_model=DisputeDetail)
async def get_dispute(
    dispute_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> DisputeDetail:
    """One dispute with its thread, evidence and what the caller may do now."""
    return await service.get_dispute(session, principal, dispute_id)


@router.post(
    "/{dispute_id}/messages", status_code=status.HTTP_201_CREATED, response_model=MessageOut
)
async def post_message(
    dispute_id: uuid.UUID, data: MessageIn, session: DbSession, principal: CurrentPrincipal
) -> MessageOut:
    return await service.post_message(session, principal, dispute_id, data)


@router.post(
    "/{dispute_id}/evidence", status_code=status.HTTP_201_CREATED, response_model=EvidenceOut
)
async def add_evidence(
    dispute_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    runtime: CurrentRuntime,
    file: Annotated[UploadFile, File(description="PNG, JPEG or PDF, at most 5 MB")],
) -> EvidenceOut:
    """Attach a photo or PDF (multipart); the type is read from the content (422 otherwise)."""
    data = await file.read(service.MAX_EVIDENCE_BYTES + 1)
    return await service.add_evidence(
        session, principal, runtime.files, dispute_id, data, file.filename
    )


@router.post("/{dispute_id}/answer", response_model=DisputeOut)
async def answer_dispute(
    dispute_id: uuid.UUID, data: AnswerIn, session: DbSession, principal: CurrentPrincipal
) -> DisputeOut:
    """The seller's answer: a refund offer, a replacement, or a rejection."""
    return await service.answer_dispute(session, principal, dispute_id, data)


@router.post("/{dispute_id}/escalate", response_model=DisputeOut)
async def escalate_dispute(
    dispute_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> DisputeOut:
    """The buyer hands the dispute to the platform (after the answer or its deadline)."""
    return await service.escalate_dispute(session, principal, dispute_id)


@router.post("/{dispute_id}/accept", response_model=DisputeOut)
async def accept_answer(
    dispute_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> DisputeOut:
    """The buyer accepts the seller's answer (a refund offer is paid at once)."""
    return await service.accept_answer(session, principal, dispute_id)


@router.post("/{dispute_id}/withdraw", response_model=DisputeOut)
async def withdraw_dispute(
    dispute_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> DisputeOut:
    return await service.withdraw_dispute(session, principal, dispute_id)


@router.post("/{dispute_id}/decision", response_model=DisputeOut)
async def decide_dispute(
    dispute_id: uuid.UUID, data: DecisionIn, session: DbSession, principal: CurrentPrincipal
) -> DisputeOut:
    """An admin decides an escalated dispute: full or partial refund, or release."""
    return await service.decide_dispute(session, principal, dispute_id, data)
