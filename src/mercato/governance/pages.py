"""Governance pages."""

from __future__ import annotations

from mercato.kit.web import page_router

router = page_router()
