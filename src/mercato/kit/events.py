"""Domain events: past-tense frozen dataclasses, recorded during a unit of work and dispatched to
subscribers only after it commits. Subscribers run in their own unit of work.

Events that must survive a crash or leave the process go through :mod:`mercato.kit.outbox`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import after_commit

log = structlog.get_logger(__name__)

Event = Any
Handler = Callable[[Any], Awaitable[None]]
_handlers: dict[type, list[Handler]] = defaultdict(list)

E = TypeVar("E")


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], Awaitable[None]]], Handler]:
    """Decorator: call the handler with each committed event of ``event_type``."""

    def register(handler: Callable[[E], Awaitable[None]]) -> Handler:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def record(session: AsyncSession, event: Event) -> None:
    """Buffer ``event``; it is dispatched after the session commits, dropped on rollback."""

    async def dispatch() -> None:
        await publish(event)

    after_commit(session, dispatch)


async def publish(event: Event) -> bool:
    """Call every subscriber of ``event``; True when all of them succeeded."""
    succeeded = True
    for handler in list(_handlers.get(type(event), [])):
        try:
            await handler(event)
        except Exception:
            # A failing subscriber must not undo a committed transaction or starve the others.
            succeeded = False
            log.exception(
                "event_handler_failed", event_type=type(event).__name__, handler=repr(handler)
            )
    return succeeded


def handlers_for(event_type: type) -> list[Handler]:
    return list(_handlers.get(event_type, []))
