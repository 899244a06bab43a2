"""Seller terms versions: a reason for every version, a date they apply from (now or later,
never in the past), the version in force at a time, and sellers asked to accept again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.sellers import service
from mercato.sellers.models import TermsVersion
from mercato.sellers.schemas import TermsIn, TermsState
from tests.fixtures.accounts import actors
from tests.sellers.helpers import row_counts

ME = "/api/v1/sellers/me"
ADMIN_TERMS = "/api/v1/admin/sellers/terms"
BODY = "Be honest with buyers, always and everywhere."


def terms(reason: str = "First version.", effective_from: datetime | None = None) -> TermsIn:
    return TermsIn(title="Seller terms", body=BODY, reason=reason, effective_from=effective_from)


def principal(actor, role: Role) -> Principal:
    return Principal(user_id=uuid.UUID(actor.user_id), role=role, email=actor.email)


@pytest.fixture
async def people(runtime, client, frozen_clock):
    return await actors(runtime, client)


async def test_a_future_version_applies_only_from_its_time(runtime, people, frozen_clock):
    admin, seller = principal(people["admin"], Role.ADMIN), principal(people["seller"], Role.SELLER)
    start = frozen_clock.now()
    async with runtime.database.transaction() as session:
        first = await service.publish_terms(session, admin, terms())
        await service.accept_terms(session, seller, 1, "203.0.113.9")
        later = start + timedelta(days=7)
        second = await service.publish_terms(session, admin, terms("Clearer returns.", later))
    assert (first.state, first.effective_from, first.reason) == (
        TermsState.IN_FORCE,
        start,
        "First version.",
    )
    assert (second.version, second.state, second.effective_from) == (2, "scheduled", later)
    assert second.published_at == start and second.published_by == admin.user_id

    async with runtime.database.transaction() as session:
        assert (await service.get_current_terms(session)).version == 1
        status = await service.get_my_terms_status(session, seller)
        assert status.up_to_date is True and status.in_force and status.in_force.version == 1
        with pytest.raises(Conflict):  # a scheduled version cannot be accepted before its time
            await service.accept_terms(session, seller, 2, "203.0.113.9")
        states = [(v.version, v.state) for v in await service.list_terms_versions(session, admin)]
        assert states == [(2, TermsState.SCHEDULED), (1, TermsState.IN_FORCE)]

    frozen_clock.advance(timedelta(days=7))
    async with runtime.database.transaction() as session:
        assert (await service.get_current_terms(session)).version == 2
        status = await service.get_my_terms_status(session, seller)
        assert status.up_to_date is False
        assert status.accepted and status.accepted.version == 1
        checklist = await service.get_checklist(session, seller)
        assert checklist.items[0].detail.startswith("Version 2 replaces the version 1")
        accepted = await service.accept_terms(session, seller, 2, "203.0.113.9")
        assert (accepted.version, accepted.accepted_at) == (2, frozen_clock.now())
        assert accepted.ip_address == "203.0.113.9"
        assert (await service.get_my_terms_status(session, seller)).up_to_date is True
        states = [(v.version, v.state) for v in await service.list_terms_versions(session, admin)]
        assert states == [(2, TermsState.IN_FORCE), (1, TermsState.SUPERSEDED)]


async def test_a_version_scheduled_earlier_takes_over_at_its_time(runtime, people, frozen_clock):
    admin, seller = principal(people["admin"], Role.ADMIN), principal(people["seller"], Role.SELLER)
    later = frozen_clock.now() + timedelta(days=7)
    async with runtime.database.transaction() as session:
        await service.publish_terms(session, admin, terms())
        await service.publish_terms(session, admin, terms("Scheduled change.", later))
        await service.publish_terms(session, admin, terms("Urgent fix."))
        await service.accept_terms(session, seller, 3, "203.0.113.9")
        assert (await service.get_my_terms_status(session, seller)).up_to_date is True

    frozen_clock.advance(timedelta(days=7))
    async with runtime.database.transaction() as session:
        states = [(v.version, v.state) for v in await service.list_terms_versions(session, admin)]
        assert states == [
            (3, TermsState.SUPERSEDED),
            (2, TermsState.IN_FORCE),
            (1, TermsState.SUPERSEDED),
        ]
        assert (await service.get_my_terms_status(session, seller)).up_to_date is False
        await service.accept_terms(session, seller, 2, "203.0.113.9")
        status = await service.get_my_terms_status(session, seller)
        assert status.up_to_date is True and status.accepted and status.accepted.version == 2
        assert (await service.get_checklist(session, seller)).items[0].status == "complete"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        # Blank once trimmed: the API refuses it already, the service too for direct callers.
        (terms().model_copy(update={"reason": "   \t  "}), "reason"),
        (terms(effective_from=datetime(2026, 1, 15, 11, 54, tzinfo=UTC)), "effective_from"),
        (terms(effective_from=datetime(2026, 2, 1, 9, 0)), "effective_from"),  # no time zone
    ],
)
async def test_a_refused_version_names_the_field_and_writes_nothing(
    runtime, people, frozen_clock, data, field
):
    admin = principal(people["admin"], Role.ADMIN)
    before = await row_counts(runtime)
    async with runtime.database.transaction() as session:
        with pytest.raises(ValidationFailed) as refused:
            await service.publish_terms(session, admin, data)
    assert [e.field for e in refused.value.errors] == [field]
    assert await row_counts(runtime) == before


async def test_now_typed_a_moment_ago_is_accepted_as_now(runtime, people, frozen_clock):
    admin = principal(people["admin"], Role.ADMIN)
    moment_ago = frozen_clock.now() - timedelta(minutes=4)
    async with runtime.database.transaction() as session:
        published = await service.publish_terms(session, admin, terms(effective_from=moment_ago))
    assert (published.effective_from, published.state) == (frozen_clock.now(), "in_force")


async def test_the_api_schedules_refuses_and_reports_whether_acceptance_is_current(
    client, runtime, people, frozen_clock
):
    admin, seller = people["admin"].headers, people["seller"].headers
    assert (await client.get(f"{ME}/terms-status", headers=seller)).json() == {
        "in_force": None,
        "accepted": None,
        "up_to_date": True,
        "accept_url": "/seller/terms",
    }
    body = {"title": "Seller terms", "body": BODY}
    missing = await client.post(ADMIN_TERMS, json=body, headers=admin)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["reason"]
    past = (frozen_clock.now() - timedelta(days=1)).isoformat()
    refused = await client.post(
        ADMIN_TERMS, json=body | {"reason": "First", "effective_from": past}, headers=admin
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["effective_from"]
    async with runtime.database.reading() as session:
        assert (await session.execute(select(TermsVersion))).first() is None

    first = await client.post(ADMIN_TERMS, json=body | {"reason": "First"}, headers=admin)
    assert (first.status_code, first.json()["state"]) == (201, "in_force")
    status = (await client.get(f"{ME}/terms-status", headers=seller)).json()
    assert (status["in_force"]["version"], status["up_to_date"]) == (1, False)
    await client.post(f"{ME}/terms-acceptance", json={"version": 1}, headers=seller)
    assert (await client.get(f"{ME}/terms-status", headers=seller)).json()["up_to_date"] is True

    # Minutes, not days: the API tokens were issued on the same frozen clock.
    later = (frozen_clock.now() + timedelta(minutes=10)).isoformat()
    second = await client.post(
        ADMIN_TERMS, json=body | {"reason": "Returns", "effective_from": later}, headers=admin
    )
    assert (second.status_code, second.json()["state"]) == (201, "scheduled")
    assert second.json()["reason"] == "Returns"
    assert (await client.get("/api/v1/sellers/terms/current")).json()["version"] == 1
    assert (await client.get(f"{ME}/terms-status", headers=seller)).json()["up_to_date"] is True

    frozen_clock.advance(timedelta(minutes=10))
    status = (await client.get(f"{ME}/terms-status", headers=seller)).json()
    assert (status["in_force"]["version"], status["accepted"]["version"]) == (2, 1)
    assert status["up_to_date"] is False
    listed = (await client.get(ADMIN_TERMS, headers=admin)).json()
    assert [(v["version"], v["state"]) for v in listed] == [(2, "in_force"), (1, "superseded")]
