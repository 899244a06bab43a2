"""Governance test helpers: the orders test market with SLA clocks listening, an admin, and
shortcuts to draft and activate policies."""

from __future__ import annotations

import uuid

import pytest

import mercato.governance.handlers
import mercato.settlement.handlers  # noqa: F401  (a cancelled paid order is refunded)
from mercato.governance import service
from mercato.governance.calculations import DEFAULT_SLA
from mercato.governance.schemas import ActivateIn, PolicyDraftIn, PolicyKind, PolicyVersionOut
from mercato.kit.auth import Principal
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from tests.settlement.conftest import API, Market, act, admin_of, market, paid_orders, seller_of

__all__ = ["API", "Market", "act", "admin_of", "market", "paid_orders", "seller_of"]


async def activate_sla(runtime: Runtime, admin: Principal, **changes: int) -> PolicyVersionOut:
    async with runtime.database.transaction() as session:
        draft = await service.draft_policy(
            session,
            admin,
            PolicyDraftIn(
                kind=PolicyKind.SLA, reason="Service levels", parameters=DEFAULT_SLA | changes
            ),
        )
        return await service.activate_policy(session, admin, draft.id, ActivateIn())


async def activate_terms(runtime: Runtime, admin: Principal, title: str = "Terms") -> uuid.UUID:
    async with runtime.database.transaction() as session:
        draft = await service.draft_policy(
            session,
            admin,
            PolicyDraftIn(kind=PolicyKind.BUYER_TERMS, reason="New", title=title, body="Be fair."),
        )
        await service.activate_policy(session, admin, draft.id, ActivateIn())
        return draft.id


@pytest.fixture
def clock(frozen_clock: FrozenClock) -> FrozenClock:
    return frozen_clock
