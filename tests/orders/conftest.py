"""Orders test helpers: a small market (two admitted sellers, goods and a service, a buyer),
carts filled through the cart service, checkouts and sandbox card payments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import mercato.orders.handlers
import mercato.payments.tasks  # noqa: F401  (sandbox deliveries)
from mercato.cart import service as cart
from mercato.cart.schemas import AddLineIn
from mercato.catalog.models import Variant
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import Runtime
from mercato.orders.models import Order, OrderGroup, OrderLine
from mercato.payments.models import LedgerJournal, Payment
from mercato.payments.service import pay_by_card
from tests.fixtures.accounts import Actor, actors
from tests.fixtures.catalog import Tree, admit, create_listing, make_tree, mug, repair

API = "/api/v1"
ADDRESS = {
    "full_name": "Alice Buyer",
    "line1": "12 rue des Lilas",
    "city": "Lyon",
    "postal_code": "69003",
    "country": "FR",
}
GOOD_CARD = "4242 4242 4242 4242"


@dataclass
class Market:
    people: dict[str, Actor]
    buyer: Principal
    seller_id: uuid.UUID  # "seller": the mug (goods) and the tune-up (service)
    other_seller_id: uuid.UUID  # "other_seller": the lamp
    mug_small: uuid.UUID  # €18.00, stock 5, 320 g
    tune_up: uuid.UUID  # €45.00 service, stock 10
    lamp: uuid.UUID  # €40.00, stock 3
    flat_profile: uuid.UUID  # seller: €4.90 flat
    lamp_profile: uuid.UUID  # other seller: €6.00 flat
    tree: Tree  # the mug and the lamp in Home & Living > Ceramics, the tune-up in Repairs

    def headers(self, who: str) -> dict[str, str]:
        return self.people[who].headers


async def _profile(client: httpx.AsyncClient, headers: dict[str, str], name: str, rate: str) -> str:
    response = await client.post(
        f"{API}/catalog/my/shipping-profiles",
        json={"name": name, "currency": "EUR", "flat_rate": rate, "handling_days": 2},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _published(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]):
    listing = await create_listing(client, headers, body)
    response = await client.post(
        f"{API}/catalog/my/listings/{listing['id']}/publish", headers=headers
    )
    assert response.status_code == 200, response.text
    return listing


@pytest.fixture
async def market(runtime: Runtime, client: httpx.AsyncClient) -> Market:
    people = await actors(runtime, client)
    seller_id = await admit(runtime, people["seller"].user_id)
    other_id = await admit(runtime, people["other_seller"].user_id)
    tree = await make_tree(runtime)
    flat = await _profile(client, people["seller"].headers, "Colissimo", "4.90")
    lamp_profile = await _profile(client, people["other_seller"].headers, "DHL", "6.00")
    mug_listing = await _published(
        client, people["seller"].headers, mug(tree.ceramics, shipping_profile_id=flat)
    )
    service = await _published(client, people["seller"].headers, repair(tree.repairs))
    lamp = mug(
        tree.ceramics,
        title="Porcelain lamp",
        shipping_profile_id=lamp_profile,
        option_names=[],
        variants=[{"sku": "LAMP-1", "price": "40.00", "stock": 3, "weight_grams": 900}],
    )
    lamp_listing = await _published(client, people["other_seller"].headers, lamp)
    buyer = people["buyer"]
    return Market(
        people=people,
        buyer=Principal(user_id=uuid.UUID(buyer.user_id), role=Role.BUYER, email=buyer.email),
        seller_id=seller_id,
        other_seller_id=other_id,
        mug_small=uuid.UUID(mug_listing["variants"][0]["id"]),
        tune_up=uuid.UUID(service["variants"][0]["id"]),
        lamp=uuid.UUID(lamp_listing["variants"][0]["id"]),
        flat_profile=uuid.UUID(flat),
        lamp_profile=uuid.UUID(lamp_profile),
        tree=tree,
    )


async def fill_cart(runtime: Runtime, buyer: Principal, *items: tuple[uuid.UUID, int]) -> None:
    async with runtime.database.transaction() as session:
        for variant_id, quantity in items:
            await cart.add_line(session, buyer, AddLineIn(variant_id=variant_id, quantity=quantity))


async def checkout(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    key: str = "checkout-1",
    **body: Any,
) -> httpx.Response:
    payload = {"address": ADDRESS, "payment_method": "card", **body}
    return await client.post(
        f"{API}/checkout", json=payload, headers={**headers, "Idempotency-Key": key}
    )


async def pay_group_by_card(runtime: Runtime, payment_id: str, number: str = GOOD_CARD) -> str:
    async with runtime.database.reading() as session:
        payment = await session.get(Payment, uuid.UUID(payment_id))
        assert payment is not None and payment.provider_payment_id
        provider_id = payment.provider_payment_id
    async with runtime.database.transaction() as session:
        return await pay_by_card(session, provider_id, number, "12/34", "123")


async def stock_of(runtime: Runtime, variant_id: uuid.UUID) -> int:
    async with runtime.database.reading() as session:
        return int(
            (
                await session.execute(select(Variant.stock).where(Variant.id == variant_id))
            ).scalar_one()
        )


async def counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.database.reading() as session:
        result = {}
        for table in (OrderGroup, Order, OrderLine, Payment, LedgerJournal):
            statement = select(func.count()).select_from(table)
            result[table.__tablename__] = (await session.execute(statement)).scalar_one()
        return result
