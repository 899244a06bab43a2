"""Performance request and response models: rates as numerator / denominator with basis
points (None: no data), the standing, its history, appeals and the thresholds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RateOut(BaseModel):
    numerator: int
    denominator: int
    bp: int | None
    threshold_bp: int
    # "max": must stay below the threshold; "min": must reach it.
    bound: str
    breached: bool


class MetricsOut(BaseModel):
    days: int
    orders: int
    defect: RateOut
    late_shipment: RateOut
    cancellation: RateOut
    valid_tracking: RateOut
    median_response_seconds: int | None
    # The platform has no chargebacks yet: counted as zero in the defect rate.
    chargebacks: int = 0


class TrendPoint(BaseModel):
    """The 30-day metrics as they stood at the end of one week."""

    at: datetime
    defect_bp: int | None
    late_shipment_bp: int | None
    cancellation_bp: int | None
    valid_tracking_bp: int | None


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    seller_id: uuid.UUID
    from_level: int
    to_level: int
    cause: str
    reason: str
    metrics: dict[str, Any]
    created_at: datetime


class AppealOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    seller_id: uuid.UUID
    change_id: uuid.UUID
    text: str
    status: str
    decision_reason: str | None
    decided_at: datetime | None
    created_at: datetime


class StandingOut(BaseModel):
    seller_id: uuid.UUID
    seller_name: str
    level: int
    level_label: str
    changed_at: datetime | None
    protected_until: datetime | None
    evaluated_at: datetime | None
    reason: str | None
    # The latest change may be appealed once (None when there is nothing to appeal).
    appealable_change_id: uuid.UUID | None


class SellerPerformance(BaseModel):
    """One seller's page: metrics over 30 and 90 days, the standing, history and appeals."""

    standing: StandingOut
    metrics: list[MetricsOut]
    trend: list[TrendPoint]
    history: list[ChangeOut]
    appeals: list[AppealOut]


class SellerRow(BaseModel):
    """One line of the staff table: the metrics of the last evaluation (30 days)."""

    seller_id: uuid.UUID
    seller_name: str
    level: int
    level_label: str
    breaching: bool
    evaluated_at: datetime | None
    orders: int
    defect_bp: int | None
    late_shipment_bp: int | None
    cancellation_bp: int | None
    valid_tracking_bp: int | None


class AppealIn(StrictModel):
    text: str = Field(max_length=4000)


class AppealDecisionIn(StrictModel):
    accept: bool
    reason: str = Field(default="", max_length=4000)


class ThresholdsIn(StrictModel):
    defect_max_bp: int
    cancellation_max_bp: int
    late_shipment_max_bp: int
    valid_tracking_min_bp: int
    min_orders: int = 5
    cooldown_days: int = 7
    protection_days: int = 14
    reason: str = Field(max_length=2000)
    effective_from: datetime | None = None


class ThresholdsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    defect_max_bp: int
    cancellation_max_bp: int
    late_shipment_max_bp: int
    valid_tracking_min_bp: int
    min_orders: int
    cooldown_days: int
    protection_days: int
    reason: str
    effective_from: datetime | None
    created_at: datetime | None


class EvaluationReport(BaseModel):
    evaluated: int = 0
    escalated: int = 0
    deescalated: int = 0
