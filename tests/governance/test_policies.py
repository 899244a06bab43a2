"""Drafting, validating and activating policy versions; the version in force at a time; the
SLA terms of a category."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from mercato.governance import sla_terms
from mercato.governance.calculations import DEFAULT_SLA
from mercato.governance.models import PolicyVersion
from tests.fixtures.accounts import actors
from tests.fixtures.catalog import make_tree

POLICIES = "/api/v1/governance/policies"


async def versions(runtime) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(PolicyVersion))).scalar_one()


async def test_invalid_drafts_name_the_field_and_write_nothing(runtime, client):
    people = await actors(runtime, client)
    admin = people["admin"].headers
    tree = await make_tree(runtime)
    cases = [
        ({"ship_within_days": -1}, [], "parameters.ship_within_days"),
        ({"reminder_before_hours": 72}, [], "parameters.reminder_before_hours"),
        ({"auto_cancel_unshipped_days": 2}, [], "parameters.auto_cancel_unshipped_days"),
        (
            {},
            [{"category_id": "00000000-0000-0000-0000-000000000001", "parameters": {}}],
            "overrides.0.category_id",
        ),
        (
            {},
            [{"category_id": str(tree.ceramics), "parameters": {"ship_within_days": 0}}],
            "overrides.0.parameters.ship_within_days",
        ),
    ]
    for changes, overrides, field in cases:
        body = {
            "kind": "sla",
            "reason": "Tighter",
            "parameters": DEFAULT_SLA | changes,
            "overrides": overrides,
        }
        response = await client.post(POLICIES, json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]][:1] == [field]
    missing = await client.post(
        POLICIES, json={"kind": "buyer_terms", "reason": "New"}, headers=admin
    )
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["title", "body"]
    assert await versions(runtime) == 0


async def test_versions_take_effect_at_their_time(runtime, client, clock):
    people = await actors(runtime, client)
    admin = people["admin"].headers
    tree = await make_tree(runtime)
    first = await client.post(
        POLICIES, json={"kind": "sla", "reason": "First", "parameters": DEFAULT_SLA}, headers=admin
    )
    assert first.status_code == 201 and first.json()["status"] == "draft"
    assert first.json()["version"] == 1 and first.json()["reason"] == "First"
    activated = await client.post(
        f"{POLICIES}/{first.json()['id']}/activate", json={}, headers=admin
    )
    assert activated.status_code == 200 and activated.json()["in_force"] is True
    assert activated.json()["effective_from"] == clock.now().isoformat().replace("+00:00", "Z")
    again = await client.post(f"{POLICIES}/{first.json()['id']}/activate", json={}, headers=admin)
    assert again.status_code == 409

    body = {
        "kind": "sla",
        "reason": "Faster for ceramics",
        "parameters": DEFAULT_SLA,
        "overrides": [{"category_id": str(tree.ceramics), "parameters": {"ship_within_days": 2}}],
    }
    second = (await client.post(POLICIES, json=body, headers=admin)).json()
    past = (clock.now() - timedelta(days=1)).isoformat()
    refused = await client.post(
        f"{POLICIES}/{second['id']}/activate", json={"effective_from": past}, headers=admin
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["effective_from"]
    later = (clock.now() + timedelta(days=2)).isoformat()
    scheduled = await client.post(
        f"{POLICIES}/{second['id']}/activate", json={"effective_from": later}, headers=admin
    )
    assert scheduled.status_code == 200 and scheduled.json()["in_force"] is False

    async with runtime.database.reading() as session:
        now_terms = await sla_terms(session, tree.ceramics)
        later_terms = await sla_terms(session, tree.ceramics, clock.now() + timedelta(days=3))
        other = await sla_terms(session, tree.repairs, clock.now() + timedelta(days=3))
    assert now_terms.ship_within == timedelta(days=3)
    assert str(now_terms.version_id) == first.json()["id"]
    assert later_terms.ship_within == timedelta(days=2)
    assert str(later_terms.version_id) == second["id"]
    assert other.ship_within == timedelta(days=3)


async def test_support_reads_but_cannot_draft(runtime, client):
    people = await actors(runtime, client)
    response = await client.post(
        POLICIES,
        json={"kind": "sla", "reason": "x" * 5, "parameters": DEFAULT_SLA},
        headers=people["support"].headers,
    )
    assert response.status_code == 403
    assert await versions(runtime) == 0
    assert (await client.get(POLICIES, headers=people["support"].headers)).json() == []
