"""Shipping quotes (flat, by weight per started kilogram, free above an amount) and the seller's
editing and deleting of shipping profiles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from mercato.catalog.models import Listing, ShippingProfile
from mercato.catalog.policy.shipping import quote_shipping, started_kilograms
from mercato.kit.auth import Role
from tests.fixtures.accounts import create_user, login
from tests.fixtures.catalog import admit, create_listing, make_tree, mug

API = "/api/v1/catalog/my/shipping-profiles"


@dataclass(frozen=True)
class Rates:
    method: str
    flat_rate_minor: int
    per_kg_minor: int = 0
    free_above_minor: int | None = None


@pytest.mark.parametrize(
    ("grams", "kilograms"), [(0, 0), (1, 1), (999, 1), (1000, 1), (1001, 2), (2500, 3)]
)
def test_every_started_kilogram_counts(grams, kilograms):
    assert started_kilograms(grams) == kilograms


@pytest.mark.parametrize(
    ("rates", "items", "grams", "price"),
    [
        (Rates("flat", 490), 100_000, 9_000, 490),
        (Rates("flat", 0), 100, 100, 0),
        (Rates("weight", 200, 150), 5000, 0, 200),
        (Rates("weight", 200, 150), 5000, 960, 350),
        (Rates("weight", 200, 150), 5000, 2001, 650),
        (Rates("free_above", 600, 0, 5000), 4999, 10, 600),
        (Rates("free_above", 600, 0, 5000), 5000, 10, 0),
        (Rates("free_above", 600, 0, None), 99_999, 10, 600),
    ],
)
def test_quote_rules(rates, items, grams, price):
    assert quote_shipping(rates, items, grams) == price


amounts = st.integers(min_value=0, max_value=10**9)


@given(
    flat=amounts,
    per_kg=amounts,
    items=amounts,
    grams=st.integers(0, 10**7),
    more=st.integers(1, 10**6),
)
def test_weight_pricing_never_falls_as_the_parcel_gets_heavier(flat, per_kg, items, grams, more):
    rates = Rates("weight", flat, per_kg)
    assert quote_shipping(rates, items, grams) <= quote_shipping(rates, items, grams + more)
    assert quote_shipping(rates, items, grams) >= flat


@given(flat=amounts, threshold=st.integers(1, 10**9), items=amounts, grams=st.integers(0, 10**7))
def test_free_above_is_either_free_or_the_flat_rate(flat, threshold, items, grams):
    price = quote_shipping(Rates("free_above", flat, 0, threshold), items, grams)
    assert price == (0 if items >= threshold else flat)


# --- the seller's profiles over the API ---------------------------------------------------------


@pytest.fixture
async def seller(runtime, client):
    user_id = await create_user(runtime, "ship@example.com", Role.SELLER, "Ship")
    await admit(runtime, user_id)
    return await login(client, "ship@example.com")


async def test_profiles_with_each_method_and_their_refusals(client, runtime, seller):
    weight = await client.post(
        API,
        json={
            "name": "Parcel",
            "currency": "EUR",
            "method": "weight",
            "flat_rate": "2",
            "per_kg": "1.50",
        },
        headers=seller,
    )
    assert weight.status_code == 201, weight.text
    assert (
        weight.json()["method"],
        weight.json()["per_kg_minor"],
        weight.json()["flat_rate_minor"],
    ) == (
        "weight",
        150,
        200,
    )
    missing = await client.post(
        API,
        json={"name": "Free", "currency": "EUR", "method": "free_above", "flat_rate": "5"},
        headers=seller,
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "free_above"
    bad = await client.post(
        API,
        json={"name": "Odd", "currency": "EUR", "method": "weight", "per_kg": "1.234"},
        headers=seller,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "per_kg"
    async with runtime.database.reading() as session:
        names = list((await session.execute(select(ShippingProfile.name))).scalars())
    assert names == ["Parcel"]


async def test_edit_and_delete_a_profile_used_by_a_listing(client, runtime, seller):
    tree = await make_tree(runtime)
    profile = (
        await client.post(
            API, json={"name": "Std", "currency": "EUR", "flat_rate": "4.90"}, headers=seller
        )
    ).json()
    listing = await create_listing(
        client, seller, mug(tree.ceramics, shipping_profile_id=profile["id"])
    )

    edited = await client.patch(
        f"{API}/{profile['id']}",
        json={"method": "free_above", "free_above": "40", "name": "Std+"},
        headers=seller,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json() | {"id": None} == {
        "id": None,
        "name": "Std+",
        "currency": "EUR",
        "method": "free_above",
        "flat_rate_minor": 490,
        "per_kg_minor": 0,
        "free_above_minor": 4000,
        "handling_days": 2,
    }
    refused = await client.patch(
        f"{API}/{profile['id']}", json={"flat_rate": "abc"}, headers=seller
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "flat_rate"

    other = await create_user(runtime, "rival@example.com", Role.SELLER, "Rival")
    await admit(runtime, other)
    rival = await login(client, "rival@example.com")
    assert (await client.delete(f"{API}/{profile['id']}", headers=rival)).status_code == 404

    deleted = await client.delete(f"{API}/{profile['id']}", headers=seller)
    assert deleted.status_code == 204
    async with runtime.database.reading() as session:
        row = await session.get(Listing, uuid.UUID(listing["id"]))
        assert row is not None and row.shipping_profile_id is None
        assert (await session.execute(select(ShippingProfile))).first() is None
