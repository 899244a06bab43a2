"""The governance rows of the authorization matrix (``tests/test_authorization.py``)."""

from __future__ import annotations

import uuid
from typing import Any

from mercato.governance import service
from mercato.governance.calculations import DEFAULT_SLA
from mercato.governance.schemas import ActivateIn, PolicyDraftIn, PolicyKind
from mercato.kit.auth import Principal, Role
from tests.fixtures.matrix import (
    ADMIN,
    ANON,
    BUYER,
    OTHER,
    SELLER,
    SUPPORT,
    Case,
    everyone,
    signed_in,
    staff_only,
)

PREFIX = "/api/v1/governance"
POLICIES = f"{PREFIX}/policies"
SLA_DRAFT = {"kind": "sla", "reason": "Faster shipping", "parameters": DEFAULT_SLA}
HOLD_DRAFT = {"kind": "escrow_hold", "reason": "Longer holds", "parameters": {"hold_days": 5}}


def admins_only(status: int) -> dict[str, int]:
    return {**staff_only(status), SUPPORT: 403}


CASES: list[Case] = [
    Case("GET", POLICIES, staff_only(200)),
    Case("POST", POLICIES, admins_only(201), json=SLA_DRAFT),
    Case("POST", POLICIES, admins_only(201), json=HOLD_DRAFT),
    Case("GET", f"{POLICIES}/{{governance_draft}}", staff_only(200)),
    Case("GET", f"{POLICIES}/{{governance_draft}}/preview", admins_only(200)),
    Case("GET", f"{POLICIES}/{{governance_hold_draft}}/preview", admins_only(200)),
    Case("POST", f"{POLICIES}/{{governance_hold_draft}}/activate", admins_only(200), json={}),
    Case("POST", f"{POLICIES}/{{governance_draft}}/activate", admins_only(200), json={}),
    Case("GET", f"{PREFIX}/terms", signed_in(200)),
    Case(
        "POST",
        f"{PREFIX}/terms/accept",
        {ANON: 401, BUYER: 200, SELLER: 403, OTHER: 403, SUPPORT: 403, ADMIN: 403},
        json={"version": 1},
    ),
    Case("GET", f"{PREFIX}/sla", everyone(200)),
    Case(
        "GET",
        f"{PREFIX}/sla/me",
        {ANON: 401, BUYER: 403, SELLER: 200, OTHER: 200, SUPPORT: 404, ADMIN: 404},
    ),
    Case("GET", f"{PREFIX}/sla/breaches", staff_only(200)),
]


async def placeholders(
    client: Any, people: Any, runtime: Any, values: dict[str, str]
) -> dict[str, str]:
    """The rows the governance cases name (``{governance_…}``): buyer terms v1 in force, a
    draft SLA version and a draft escrow hold version."""
    admin = Principal(user_id=uuid.UUID(people[ADMIN].user_id), role=Role.ADMIN)
    async with runtime.database.transaction() as session:
        terms = await service.draft_policy(
            session,
            admin,
            PolicyDraftIn(
                kind=PolicyKind.BUYER_TERMS, reason="First terms", title="Terms", body="Be fair."
            ),
        )
        await service.activate_policy(session, admin, terms.id, ActivateIn())
        draft = await service.draft_policy(session, admin, PolicyDraftIn.model_validate(SLA_DRAFT))
        hold = await service.draft_policy(session, admin, PolicyDraftIn.model_validate(HOLD_DRAFT))
    return {"governance_draft": str(draft.id), "governance_hold_draft": str(hold.id)}
