"""The escrow hold policy: drafted (every bad value named by its field, nothing written),
previewed on the orders completed in the last 90 days (the sellers' own holds applied),
activated like any policy; the policy pages over HTTP, from the draft form to activation."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

import mercato.audit.handlers  # noqa: F401  (policy changes go to the audit log)
from mercato.audit.models import AuditEntry
from mercato.governance.models import PolicyVersion
from mercato.settlement import service as settlement
from mercato.settlement.schemas import SellerHoldIn
from tests.fixtures.accounts import actors
from tests.fixtures.catalog import make_tree
from tests.governance.conftest import admin_of, paid_orders
from tests.orders.test_seller_pages import browser_like, post, sign_in_as
from tests.settlement.conftest import complete
from tests.settlement.test_holds import activate_hold

__all__ = ["browser_like"]
API_POLICIES = "/api/v1/governance/policies"
POLICIES = "/admin/governance/policies"


async def versions(runtime) -> int:
    async with runtime.database.reading() as session:
        return (await session.execute(select(func.count()).select_from(PolicyVersion))).scalar_one()


def hold_draft(parameters: dict, overrides: list | None = None) -> dict:
    return {
        "kind": "escrow_hold",
        "reason": "Hold longer",
        "parameters": parameters,
        "overrides": overrides or [],
    }


async def test_invalid_escrow_hold_drafts_name_the_field_and_write_nothing(runtime, client):
    admin = (await actors(runtime, client))["admin"].headers
    tree = await make_tree(runtime)
    missing = "00000000-0000-0000-0000-000000000001"
    cases = [
        (hold_draft({"hold_days": 61}), ["parameters.hold_days"]),
        (hold_draft({"hold_days": -1}), ["parameters.hold_days"]),
        (hold_draft({"days": 3}), ["parameters.days"]),
        (
            hold_draft({}, [{"category_id": str(tree.ceramics), "parameters": {}}]),
            ["overrides.0.parameters.hold_days"],
        ),
        (
            hold_draft({}, [{"category_id": missing, "parameters": {"hold_days": 3}}]),
            ["overrides.0.category_id"],
        ),
        (
            hold_draft(
                {"hold_days": 2},
                [
                    {"category_id": str(tree.home), "parameters": {"hold_days": 70}},
                    {"category_id": str(tree.home), "parameters": {"hold_days": 3}},
                ],
            ),
            ["overrides.0.parameters.hold_days", "overrides.1.category_id"],
        ),
    ]
    for body, expected in cases:
        response = await client.post(API_POLICIES, json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == expected, body
    assert await versions(runtime) == 0
    # No base: the platform default keeps applying; a category lengthens it.
    body = hold_draft({}, [{"category_id": str(tree.ceramics), "parameters": {"hold_days": 6}}])
    drafted = await client.post(API_POLICIES, json=body, headers=admin)
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["title"] == "Escrow hold periods"
    assert drafted.json()["status"] == "draft" and drafted.json()["parameters"] == {}
    activated = await client.post(
        f"{API_POLICIES}/{drafted.json()['id']}/activate", json={}, headers=admin
    )
    assert activated.status_code == 200 and activated.json()["in_force"] is True
    # The audit log records who drafted and activated it, and why, as for every policy.
    async with runtime.database.reading() as session:
        entries = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.detail).where(
                    AuditEntry.subject_id == drafted.json()["id"],
                    AuditEntry.action.like("governance.policy_%"),
                )
            )
        ).all()
    assert sorted((action, detail["kind"], detail["reason"]) for action, detail in entries) == [
        ("governance.policy_activated", "escrow_hold", "Hold longer"),
        ("governance.policy_drafted", "escrow_hold", "Hold longer"),
    ]


async def test_the_preview_replays_completed_orders_with_the_sellers_own_holds(
    runtime, client, market, clock
):
    admin = admin_of(market)
    await activate_hold(runtime, admin, 2)
    async with runtime.database.transaction() as session:
        own = SellerHoldIn(hold_days=9, reason="Under review")
        await settlement.set_seller_hold(session, admin, market.seller_id, own)
    orders = await paid_orders(runtime, client, market, (market.mug_small, 1), (market.lamp, 1))
    await complete(client, market, clock, ("seller", orders["seller"]))
    await complete(client, market, clock, ("other_seller", orders["other_seller"]))
    await paid_orders(runtime, client, market, (market.mug_small, 1))  # not completed: left out
    body = hold_draft(
        {"hold_days": 6},
        [{"category_id": str(market.tree.ceramics), "parameters": {"hold_days": 8}}],
    )
    headers = market.headers("admin")
    draft = (await client.post(API_POLICIES, json=body, headers=headers)).json()
    preview = await client.get(f"{API_POLICIES}/{draft['id']}/preview", headers=headers)
    assert preview.status_code == 200, preview.text
    found = preview.json()
    # The mug's seller holds 9 days of its own either way; the lamp goes from 2 to 8 days.
    assert (found["orders"], found["later"], found["earlier"], found["unchanged"]) == (2, 1, 0, 1)
    assert (found["current_average_days"], found["draft_average_days"]) == ("5.5", "8.5")
    lamp_escrow = 4000 + 600  # the lamp and its shipping
    assert found["held_longer"] == [{"currency": "EUR", "orders": 1, "amount_minor": lamp_escrow}]
    assert [(b["current"], b["draft"]) for b in found["buckets"]] == [
        (0, 0),
        (1, 0),
        (0, 0),
        (1, 2),
        (0, 0),
        (0, 0),
    ]
    [seller] = found["sellers"]
    assert (seller["seller_id"], seller["later"], seller["held_longer_minor"]) == (
        str(market.other_seller_id),
        1,
        lamp_escrow,
    )
    assert (seller["current_average_days"], seller["draft_average_days"]) == ("2.0", "8.0")
    terms = await client.post(
        API_POLICIES,
        json={"kind": "buyer_terms", "reason": "New", "title": "T", "body": "Be fair."},
        headers=headers,
    )
    refused = await client.get(f"{API_POLICIES}/{terms.json()['id']}/preview", headers=headers)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["kind"]


def hold_form(**values: str) -> dict[str, str]:
    form = {"kind": "escrow_hold", "reason": "Lamps come back late", "hold_days": "4"}
    for row in range(3):
        form |= {f"hold_override_{row}_category": "", f"hold_override_{row}_days": ""}
    return form | values


async def test_admin_drafts_previews_and_activates_an_escrow_hold_from_the_pages(
    runtime, client, market, browser_like, clock
):
    admin = admin_of(market)
    await activate_hold(runtime, admin, 2, {market.tree.home: 5})
    orders = await paid_orders(runtime, client, market, (market.lamp, 1))
    await complete(client, market, clock, ("other_seller", orders["other_seller"]))
    await sign_in_as(client, market, "admin")
    page = await client.get(f"{POLICIES}?kind=escrow_hold")
    assert '<option value="escrow_hold" selected>' in page.text
    assert 'id="hold-days" name="hold_days" inputmode="numeric" value="2"' in page.text
    home = f'<option value="{market.tree.home}" selected>'
    assert home in page.text  # the form starts from the version in force
    assert 'data-hold-summary="1"' in page.text

    before = await versions(runtime)
    ceramics = str(market.tree.ceramics)
    # The first row left empty: the error names the override by its place among those given.
    bad = hold_form(hold_override_1_category=ceramics, hold_override_1_days="90")
    refused = await post(client, POLICIES, bad)
    assert refused.status_code == 422
    assert "Enter a hold period from 0 to 60 days." in refused.text
    assert 'aria-label="Hold days of category 2" value="90" aria-invalid="true"' in refused.text
    assert await versions(runtime) == before
    typo = await post(client, POLICIES, hold_form(hold_days="four"))
    assert typo.status_code == 422 and "Enter a whole number." in typo.text

    good = hold_form(hold_override_1_category=ceramics, hold_override_1_days="9")
    drafted = await post(client, POLICIES, good)
    assert drafted.status_code == 303, drafted.text
    preview_url = drafted.headers["location"]
    assert preview_url.endswith("/preview")
    preview = await client.get(preview_url)
    assert preview.status_code == 200
    assert "Preview: escrow hold version 2" in preview.text
    assert '<p class="gov-stat__value">1</p>' in preview.text.split('data-moved="later"')[1]
    assert "5.0 → 9.0" in preview.text
    assert preview.text.count('<rect class="bar--') == 12
    assert "Ceramics: 9 days" in preview.text

    past = await post(
        client,
        preview_url.replace("/preview", "/activate"),
        {"effective_from": "2020-01-01T00:00Z"},
    )
    assert past.status_code == 422 and "cannot start in the past" in past.text
    assert "Preview: escrow hold version 2" in past.text
    activated = await post(client, preview_url.replace("/preview", "/activate"), {})
    assert activated.status_code == 303
    holds = await client.get("/admin/settlement/holds")
    assert "Version 2" in holds.text and "Lamps come back late" in holds.text
    assert "Ceramics" in holds.text and "9 days" in holds.text


async def test_support_reads_the_policy_but_cannot_draft_or_preview_it(runtime, client, market):
    admin = admin_of(market)
    version = await activate_hold(runtime, admin, 3)
    support = market.headers("support")
    listed = await client.get(f"{API_POLICIES}?kind=escrow_hold", headers=support)
    assert [v["version"] for v in listed.json()] == [1]
    assert listed.json()[0]["in_force"] is True
    drafted = await client.post(API_POLICIES, json=hold_draft({"hold_days": 4}), headers=support)
    assert drafted.status_code == 403
    preview = await client.get(f"{API_POLICIES}/{version.id}/preview", headers=support)
    assert preview.status_code == 403
    assert await versions(runtime) == 1
    assert uuid.UUID(listed.json()[0]["id"]) == version.id
