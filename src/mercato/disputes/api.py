"""Disputes JSON API under ``/api/v1/disputes``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/disputes", tags=["disputes"])
