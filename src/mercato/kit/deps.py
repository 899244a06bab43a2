"""FastAPI dependencies shared by every adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, current_principal
from mercato.kit.runtime import Runtime

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_runtime(request: Request) -> Runtime:
    # async on purpose: FastAPI hands a plain ``def`` dependency to a worker thread on every
    # request, which costs more than the attribute read it does.
    runtime: Runtime = request.app.state.runtime
    return runtime


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    # scope="function" below: the commit happens as soon as the endpoint returns and before the
    # response is sent, so a client never sees success for a write that failed to commit.
    writes = request.method not in SAFE_METHODS
    async with _runtime(request).database.transaction(writes=writes) as session:
        yield session


async def _writing_unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    async with _runtime(request).database.transaction(writes=True) as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(_unit_of_work, scope="function")]
# For the rare GET that writes (a page refreshing a payment from its provider): takes the write
# lock up front like any POST, so SQLite never fails it half-way with "database is locked".
WritingDbSession = Annotated[AsyncSession, Depends(_writing_unit_of_work, scope="function")]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentRuntime = Annotated[Runtime, Depends(get_runtime)]
