"""Turning dispute and return rows into response models."""

from __future__ import annotations

from mercato.disputes.models import Dispute, Return
from mercato.disputes.schemas import (
    DisputeDetail,
    DisputeOut,
    EvidenceOut,
    MessageOut,
    ReturnOut,
)


def dispute_out(dispute: Dispute) -> DisputeOut:
    return DisputeOut.model_validate(dispute, from_attributes=True)


def dispute_detail(dispute: Dispute, actions: list[str]) -> DisputeDetail:
    base = dispute_out(dispute).model_dump()
    return DisputeDetail(
        **base,
        messages=[MessageOut.model_validate(m, from_attributes=True) for m in dispute.messages],
        evidence=[EvidenceOut.model_validate(e, from_attributes=True) for e in dispute.evidence],
        actions=actions,
    )


def return_out(row: Return) -> ReturnOut:
    return ReturnOut.model_validate(row, from_attributes=True)
