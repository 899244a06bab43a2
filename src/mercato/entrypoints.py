"""ASGI application factories for uvicorn, one per deployment mode."""

from __future__ import annotations

from fastapi import FastAPI

from mercato.app import create_app
from mercato.config import get_settings
from mercato.kit.logging import configure_logging


def embedded_app() -> FastAPI:
    """Web + API + in-process jobs and scheduler (``mercato all``)."""
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return create_app(settings, run_background=True)


def web_app() -> FastAPI:
    """Web + API only; jobs are sent to the configured queue (``mercato web``)."""
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return create_app(settings, run_background=False)
