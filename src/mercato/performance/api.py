"""Performance JSON API under ``/api/v1/performance``: a seller's own metrics, standing and
appeal; staff the table of every seller and one seller's detail; admins decide appeals, set
the thresholds and run the evaluation now."""

from __future__ import annotations

import uuid

from fastapi import Query, status

from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.routing import IndexedRouter
from mercato.performance import service
from mercato.performance.schemas import (
    AppealDecisionIn,
    AppealIn,
    AppealOut,
    EvaluationReport,
    SellerPerformance,
    SellerRow,
    ThresholdsIn,
    ThresholdsOut,
)

router = IndexedRouter(prefix="/performance", tags=["performance"])


@router.get("/me", response_model=SellerPerformance)
async def my_performance(session: DbSession, principal: CurrentPrincipal) -> SellerPerformance:
    """The signed-in seller's metrics (30 and 90 days), trend, standing, history, appeals."""
    return await service.my_performance(session, principal)


@router.post("/me/appeals", status_code=status.HTTP_201_CREATED, response_model=AppealOut)
async def file_appeal(data: AppealIn, session: DbSession, principal: CurrentPrincipal) -> AppealOut:
    """Appeal the current action (sellers, once per level change)."""
    return await service.file_appeal(session, principal, data)


@router.get("/sellers", response_model=list[SellerRow])
async def seller_table(
    session: DbSession,
    principal: CurrentPrincipal,
    level: int | None = Query(default=None, ge=0, le=4),
    sort: str = "level",
) -> list[SellerRow]:
    """Every evaluated seller with its 30-day metrics and level, the worst first (staff)."""
    return await service.seller_table(session, principal, level=level, sort=sort)


@router.get("/sellers/{seller_id}", response_model=SellerPerformance)
async def seller_performance(
    seller_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> SellerPerformance:
    """One seller's metrics, trend, standing, history and appeals (staff)."""
    return await service.seller_performance(session, principal, seller_id)


@router.get("/appeals", response_model=list[AppealOut])
async def list_appeals(
    session: DbSession, principal: CurrentPrincipal, state: str | None = "pending"
) -> list[AppealOut]:
    """The appeals queue (staff)."""
    return await service.list_appeals(session, principal, state)


@router.post("/appeals/{appeal_id}/decision", response_model=AppealOut)
async def decide_appeal(
    appeal_id: uuid.UUID, data: AppealDecisionIn, session: DbSession, principal: CurrentPrincipal
) -> AppealOut:
    """Accept or reject an appeal (admins)."""
    return await service.decide_appeal(session, principal, appeal_id, data)


@router.get("/thresholds", response_model=ThresholdsOut)
async def current_thresholds(session: DbSession, principal: CurrentPrincipal) -> ThresholdsOut:
    """The thresholds in force (anyone signed in)."""
    return await service.current_thresholds(session, principal)


@router.post("/thresholds", status_code=status.HTTP_201_CREATED, response_model=ThresholdsOut)
async def set_thresholds(
    data: ThresholdsIn, session: DbSession, principal: CurrentPrincipal
) -> ThresholdsOut:
    """A new version of the thresholds, with the reason (admins)."""
    return await service.set_thresholds(session, principal, data)


@router.post("/evaluations", response_model=EvaluationReport)
async def run_evaluation(session: DbSession, principal: CurrentPrincipal) -> EvaluationReport:
    """Evaluate every active seller now (admins)."""
    return await service.evaluate_all(session, principal)
