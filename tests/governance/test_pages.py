"""Governance pages over HTTP: the admin drafts (bad input re-rendered with its field errors,
nothing written), previews and activates an SLA; a seller sees its breaches; a buyer accepts
the terms; who may open what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mercato.governance.calculations import DEFAULT_SLA
from mercato.governance.models import PolicyVersion, TermsAcceptance
from mercato.governance.tasks import sweep_sla_clocks
from tests.governance.conftest import activate_sla, activate_terms, admin_of, paid_orders
from tests.orders.test_seller_pages import browser_like, post, sign_in_as
from tests.settlement.test_pages import as_role, outcome

__all__ = ["browser_like"]
POLICIES = "/admin/governance/policies"


async def count(runtime, model) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            POLICIES,
            {
                "anonymous": "login",
                "buyer": 403,
                "other_seller": 403,
                "seller": 403,
                "support": 200,
                "admin": 200,
            },
        ),
        (
            "/seller/sla",
            {
                "anonymous": "login",
                "buyer": 403,
                "other_seller": 200,
                "seller": 200,
                "support": 403,
                "admin": 403,
            },
        ),
        (
            "/terms/accept",
            {
                "anonymous": "login",
                "buyer": 200,
                "other_seller": 200,
                "seller": 200,
                "support": 200,
                "admin": 200,
            },
        ),
    ],
)
async def test_who_may_open_each_page(runtime, client, market, browser_like, path, expected):
    seen = {}
    for role in expected:
        await as_role(client, market, role)
        seen[role] = outcome(await client.get(path))
    assert seen == expected


def sla_form(**changes: str) -> dict[str, str]:
    return {
        "kind": "sla",
        "reason": "Ship faster",
        **{k: str(v) for k, v in DEFAULT_SLA.items()},
        **changes,
    }


async def test_admin_drafts_previews_and_activates(runtime, client, market, browser_like, clock):
    await activate_sla(runtime, admin_of(market))
    await paid_orders(runtime, client, market, (market.mug_small, 1))
    clock.advance(timedelta(days=2, hours=12))
    await sign_in_as(client, market, "admin")
    before = await count(runtime, PolicyVersion)
    refused = await post(client, POLICIES, sla_form(ship_within_days="-2"))
    assert refused.status_code == 422
    assert "Durations must be greater than zero." in refused.text
    assert await count(runtime, PolicyVersion) == before

    drafted = await post(
        client, POLICIES, sla_form(ship_within_days="2", auto_cancel_unshipped_days="3")
    )
    assert drafted.status_code == 303
    preview_url = drafted.headers["location"]
    preview = await client.get(preview_url)
    assert preview.status_code == 200
    assert 'data-breaches="ship"' in preview.text and "0 → 1" in preview.text

    past = await post(
        client,
        preview_url.replace("/preview", "/activate"),
        {"effective_from": "2020-01-01T00:00Z"},
    )
    assert past.status_code == 422 and "cannot start in the past" in past.text
    activated = await post(client, preview_url.replace("/preview", "/activate"), {})
    assert activated.status_code == 303
    listing = await client.get(POLICIES)
    assert "In force" in listing.text and "Ship faster" in listing.text


async def test_seller_sees_a_breach_and_buyer_accepts_terms(
    runtime, client, market, browser_like, clock
):
    await activate_sla(runtime, admin_of(market))
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    await activate_terms(runtime, admin_of(market))  # new terms: the next checkout waits
    clock.advance(timedelta(days=3, minutes=1))
    await sweep_sla_clocks()
    await sign_in_as(client, market, "seller")
    page = await client.get("/seller/sla")
    assert page.status_code == 200
    assert order["number"] in page.text and 'id="breaches"' in page.text

    await sign_in_as(client, market, "buyer")
    prompt = await client.get("/terms/accept")
    assert "read and accept version 1" in prompt.text
    wrong = await post(client, "/terms/accept", {"version": "7"})
    assert wrong.status_code == 409 and await count(runtime, TermsAcceptance) == 0
    accepted = await post(client, "/terms/accept", {"version": "1"})
    assert accepted.status_code == 303 and await count(runtime, TermsAcceptance) == 1
