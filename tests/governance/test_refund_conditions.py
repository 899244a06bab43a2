"""The refund conditions of the SLA policy: the ship-back time of an approved return and the
restocking fee (a percentage, not a duration): validated per field, merged per category, read
into the terms, drafted through the API and the form, and harmless to the preview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mercato.governance.calculations import (
    DEFAULT_SLA,
    PERCENT,
    SLA_PARAMETERS,
    merged_parameters,
    parameter_errors,
    preview,
    terms_from_parameters,
)
from mercato.governance.models import PolicyVersion
from mercato.kit.runtime import Runtime
from tests.governance.conftest import Market
from tests.governance.test_calculations import facts
from tests.orders.test_seller_pages import browser_like, post, sign_in_as

__all__ = ["browser_like"]

POLICIES = "/api/v1/governance/policies"


def fields(parameters: dict[str, int]) -> list[str]:
    return [error.field for error in parameter_errors(parameters)]


def test_the_new_parameters_have_their_units_and_defaults():
    assert SLA_PARAMETERS["return_ship_back_days"] == "days"
    assert SLA_PARAMETERS["restocking_fee_percent"] == PERCENT
    assert (DEFAULT_SLA["return_ship_back_days"], DEFAULT_SLA["restocking_fee_percent"]) == (14, 0)
    terms = terms_from_parameters(DEFAULT_SLA | {"return_ship_back_days": 5})
    assert terms.return_ship_back == timedelta(days=5)
    assert terms.restocking_fee_percent == 0


@given(st.integers(min_value=0, max_value=100))
def test_any_percentage_from_0_to_100_is_a_valid_fee(percent: int):
    parameters = DEFAULT_SLA | {"restocking_fee_percent": percent}
    assert parameter_errors(parameters) == []
    assert terms_from_parameters(parameters).restocking_fee_percent == percent


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=101)))
def test_a_fee_outside_0_to_100_names_its_field(percent: int):
    errors = parameter_errors(DEFAULT_SLA | {"restocking_fee_percent": percent})
    assert [(e.field, e.message) for e in errors] == [
        ("parameters.restocking_fee_percent", "Enter a percentage from 0 to 100.")
    ]


def test_the_ship_back_time_is_a_duration_like_the_others():
    assert fields(DEFAULT_SLA | {"return_ship_back_days": 0}) == [
        "parameters.return_ship_back_days"
    ]
    assert fields(DEFAULT_SLA | {"return_ship_back_days": -2, "restocking_fee_percent": 150}) == [
        "parameters.return_ship_back_days",
        "parameters.restocking_fee_percent",
    ]
    assert parameter_errors(DEFAULT_SLA | {"restocking_fee_percent": 0}) == []


def test_a_category_sets_its_own_refund_conditions():
    overrides = [
        {"category_id": "root", "parameters": {"restocking_fee_percent": 15}},
        {"category_id": "leaf", "parameters": {"return_ship_back_days": 7}},
    ]
    leaf = terms_from_parameters(merged_parameters(DEFAULT_SLA, overrides, ["root", "leaf"]))
    assert (leaf.restocking_fee_percent, leaf.return_ship_back) == (15, timedelta(days=7))
    other = terms_from_parameters(merged_parameters(DEFAULT_SLA, overrides, ["other"]))
    assert (other.restocking_fee_percent, other.return_ship_back) == (0, timedelta(days=14))


@given(
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=1, max_value=60),
    st.lists(st.sampled_from([None, 1, 2, 5, 9]), min_size=1, max_size=8),
)
def test_refund_conditions_never_change_the_preview(fee: int, ship_back: int, shipped: list):
    now = datetime(2026, 6, 1, tzinfo=UTC)
    orders = [facts(None if d is None else timedelta(days=d)) for d in shipped]
    base = terms_from_parameters(DEFAULT_SLA)
    draft = terms_from_parameters(
        DEFAULT_SLA | {"restocking_fee_percent": fee, "return_ship_back_days": ship_back}
    )
    same = preview(orders, lambda _: base, lambda _: draft, now)
    assert all(current == new for current, new in same.breaches.values())
    assert same.auto_canceled[0] == same.auto_canceled[1]
    assert [s.current_bp for s in same.seller_rates] == [s.draft_bp for s in same.seller_rates]


async def _versions(runtime: Runtime) -> int:
    async with runtime.database.reading() as session:
        return int(
            (await session.execute(select(func.count()).select_from(PolicyVersion))).scalar_one()
        )


async def test_a_fee_above_100_is_refused_by_the_api_with_nothing_written(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    admin = market.headers("admin")
    body = {"kind": "sla", "reason": "Refund conditions", "parameters": DEFAULT_SLA}
    for parameters, field in (
        ({"restocking_fee_percent": 101}, "parameters.restocking_fee_percent"),
        ({"restocking_fee_percent": -1}, "parameters.restocking_fee_percent"),
        ({"return_ship_back_days": -3}, "parameters.return_ship_back_days"),
    ):
        refused = await client.post(
            POLICIES, json=body | {"parameters": DEFAULT_SLA | parameters}, headers=admin
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert await _versions(runtime) == 0
    drafted = await client.post(
        POLICIES,
        json=body | {"parameters": DEFAULT_SLA | {"restocking_fee_percent": 100}},
        headers=admin,
    )
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["parameters"]["restocking_fee_percent"] == 100
    shown = await client.get(f"{POLICIES}/{drafted.json()['id']}/preview", headers=admin)
    assert shown.status_code == 200, shown.text


async def test_the_policy_form_shows_the_percent_unit_and_names_the_field(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, browser_like: None
):
    await sign_in_as(client, market, "admin")
    page = await client.get("/admin/governance/policies")
    assert 'for="p-restocking_fee_percent">Restocking fee percent' in page.text
    assert "(%)" in page.text and 'name="override_0_return_ship_back_days"' in page.text
    form = {
        "kind": "sla",
        "reason": "A restocking fee",
        **{name: str(value) for name, value in DEFAULT_SLA.items()},
        "restocking_fee_percent": "120",
    }
    refused = await post(client, "/admin/governance/policies", form)
    assert refused.status_code == 422
    assert 'id="p-restocking_fee_percent-error">Enter a percentage from 0 to 100.' in refused.text
    assert await _versions(runtime) == 0
    saved = await post(
        client, "/admin/governance/policies", form | {"restocking_fee_percent": "10"}
    )
    assert saved.status_code == 303, saved.text
    async with runtime.database.reading() as session:
        saved_parameters = (await session.execute(select(PolicyVersion.parameters))).scalar_one()
    assert saved_parameters["restocking_fee_percent"] == 10
