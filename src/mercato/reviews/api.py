"""Reviews JSON API under ``/api/v1/reviews``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/reviews", tags=["reviews"])
