"""Cart test data: two admitted sellers with published listings and shipping profiles, and a
buyer, all created through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from tests.fixtures.accounts import create_user, login
from tests.fixtures.catalog import admit, create_listing, make_tree, mug, repair

CATALOG = "/api/v1/catalog"


@dataclass(frozen=True)
class Shop:
    buyer: dict[str, str]  # API headers
    buyer_id: str
    seller: dict[str, str]
    seller_id: str  # the sellers_seller id
    other: dict[str, str]
    other_id: str
    mug_small: str  # variant ids: MUG-S EUR 18.00 stock 5, 320 g (seller)
    mug_large: str  # MUG-L EUR 22.50 stock 3, 420 g (seller)
    lamp: str  # LAMP-1 EUR 40.00 stock 4, 1500 g (other seller)
    tune_up: str  # a service, EUR 45.00 stock 10 (other seller)
    dollar_mug: str  # USD 15.00 stock 9 (other seller)
    mug_listing: str
    flat_profile: str  # seller: Standard, flat EUR 4.90
    weight_profile: str  # seller: By weight, EUR 2.00 + 1.50 per started kg
    free_profile: str  # other: free from EUR 50.00, else 6.00


async def _profile(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> str:
    response = await client.post(f"{CATALOG}/my/shipping-profiles", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _published(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    listing = await create_listing(client, headers, body)
    response = await client.post(f"{CATALOG}/my/listings/{listing['id']}/publish", headers=headers)
    assert response.status_code == 200, response.text
    return listing


async def make_shop(runtime: Runtime, client: httpx.AsyncClient) -> Shop:
    tree = await make_tree(runtime)
    buyer_id = await create_user(runtime, "buyer@example.com", Role.BUYER, "Bea Buyer")
    people = {}
    for name in ("seller", "other"):
        user_id = await create_user(runtime, f"{name}@example.com", Role.SELLER, name.title())
        people[f"{name}_id"] = str(await admit(runtime, user_id))
        people[name] = await login(client, f"{name}@example.com")
    seller, other = people["seller"], people["other"]
    flat = await _profile(client, seller, name="Standard", currency="EUR", flat_rate="4.90")
    weight = await _profile(
        client,
        seller,
        name="By weight",
        currency="EUR",
        method="weight",
        flat_rate="2.00",
        per_kg="1.50",
    )
    free = await _profile(
        client,
        other,
        name="Free over 50",
        currency="EUR",
        method="free_above",
        flat_rate="6.00",
        free_above="50.00",
    )
    mugs = await _published(
        client,
        seller,
        mug(
            tree.ceramics,
            variants=[
                {
                    "sku": "MUG-S",
                    "options": {"Size": "Small"},
                    "price": "18.00",
                    "stock": 5,
                    "weight_grams": 320,
                },
                {
                    "sku": "MUG-L",
                    "options": {"Size": "Large"},
                    "price": "22.50",
                    "stock": 3,
                    "weight_grams": 420,
                },
            ],
        ),
    )
    lamp = await _published(
        client,
        other,
        mug(
            tree.ceramics,
            title="Glass lamp",
            option_names=[],
            variants=[
                {"sku": "LAMP-1", "price": "40.00", "stock": 4, "weight_grams": 1500},
            ],
        ),
    )
    tune = await _published(client, other, repair(tree.repairs))
    dollars = await _published(
        client,
        other,
        mug(
            tree.ceramics,
            title="Dollar mug",
            currency="USD",
            option_names=[],
            variants=[
                {"sku": "USD-1", "price": "15.00", "stock": 9, "weight_grams": 300},
            ],
        ),
    )
    return Shop(
        buyer=await login(client, "buyer@example.com"),
        buyer_id=buyer_id,
        seller=seller,
        seller_id=people["seller_id"],
        other=other,
        other_id=people["other_id"],
        mug_small=mugs["variants"][0]["id"],
        mug_large=mugs["variants"][1]["id"],
        lamp=lamp["variants"][0]["id"],
        tune_up=tune["variants"][0]["id"],
        dollar_mug=dollars["variants"][0]["id"],
        mug_listing=mugs["id"],
        flat_profile=flat,
        weight_profile=weight,
        free_profile=free,
    )


@pytest.fixture
async def shop(runtime: Runtime, client: httpx.AsyncClient) -> Shop:
    return await make_shop(runtime, client)
