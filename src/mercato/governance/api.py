"""Governance JSON API under ``/api/v1/governance``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/governance", tags=["governance"])
