"""The whole money path in currencies with 0, 2 and 3 decimals (JPY, EUR, KWD), with the
smallest amounts there are: three items of one minor unit each, no shipping. Checkout, card
payment, delivery, completion, release, a refund of one minor unit after release, and a payout,
under a 0 % and a 100 % commission rule; exact amounts at every step and a sound ledger, on
SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mercato.commission.schemas import RuleIn
from mercato.commission.service import create_rule
from mercato.kit.auth import Principal, Role
from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.orders.tasks import advance_due_orders
from mercato.payments import PLATFORM_COMMISSION, clearing_account
from mercato.payments.service import balance, check_ledger, seller_balances
from mercato.payouts import service as payouts
from mercato.payouts.schemas import Interval, PayoutRequestIn, ScheduleIn
from mercato.payouts.service import PayoutRefused
from mercato.sellers.schemas import PayoutAccountIn
from mercato.sellers.service import save_payout_account
from mercato.settlement import service
from mercato.settlement.schemas import EscrowOut, RefundIn
from mercato.settlement.tasks import release_due_escrow
from tests.fixtures.accounts import Actor, actors
from tests.fixtures.catalog import admit, create_listing, make_tree, mug
from tests.money.conftest import GOOD_IBAN, new_key
from tests.orders.conftest import API, checkout, fill_cart, pay_group_by_card

# One minor unit, written in major units with the currency's decimals.
ONE_UNIT = {"JPY": "1", "EUR": "0.01", "KWD": "0.001"}
ZERO = {"JPY": "0", "EUR": "0.00", "KWD": "0.000"}
UNITS = 3  # items bought, one minor unit each


@dataclass
class Shop:
    people: dict[str, Actor]
    seller_id: uuid.UUID
    currency: str
    variant_id: uuid.UUID

    def principal(self, who: str) -> Principal:
        role = Role.SELLER if who == "seller" else Role(who)
        return Principal(user_id=uuid.UUID(self.people[who].user_id or ""), role=role)


async def open_shop(
    runtime: Runtime, client: httpx.AsyncClient, currency: str, rate_bps: int
) -> Shop:
    """An admitted seller selling a one-minor-unit mug in ``currency`` with free shipping,
    one commission rule at ``rate_bps``, a payout account and no payout minimum."""
    people = await actors(runtime, client)
    seller_id = await admit(runtime, people["seller"].user_id or "")
    tree = await make_tree(runtime)
    headers = people["seller"].headers
    profile = await client.post(
        f"{API}/catalog/my/shipping-profiles",
        json={"name": "Free", "currency": currency, "flat_rate": ZERO[currency]},
        headers=headers,
    )
    assert profile.status_code == 201, profile.text
    body = mug(
        tree.ceramics,
        currency=currency,
        shipping_profile_id=profile.json()["id"],
        option_names=[],
        variants=[{"sku": "TINY-1", "price": ONE_UNIT[currency], "stock": 10}],
    )
    listing = await create_listing(client, headers, body)
    published = await client.post(
        f"{API}/catalog/my/listings/{listing['id']}/publish", headers=headers
    )
    assert published.status_code == 200, published.text
    shop = Shop(people, seller_id, currency, uuid.UUID(listing["variants"][0]["id"]))
    async with runtime.database.transaction() as session:
        await create_rule(session, shop.principal("admin"), RuleIn(name="Flat", rate_bps=rate_bps))
        account = PayoutAccountIn(account_holder="Test Holder", iban=GOOD_IBAN)
        await save_payout_account(session, shop.principal("seller"), account)
        schedule = ScheduleIn(interval=Interval.MANUAL, minimums={currency: 1})
        await payouts.save_my_schedule(session, shop.principal("seller"), schedule)
    return shop


async def books(runtime: Runtime, shop: Shop, order_id: str) -> dict[str, int]:
    """Every balance the order moves, in the shop's currency; the ledger checked on the way."""
    currency = shop.currency
    async with runtime.database.reading() as session:
        report = await check_ledger(session)
        assert report.violations == []
        seller = await seller_balances(session, shop.seller_id, currency)
        accounts = {
            "escrow": f"escrow:order:{order_id}",
            "commission": PLATFORM_COMMISSION,
            "clearing": clearing_account("sandbox"),
        }
        found = {
            name: (await balance(session, account, currency)).amount_minor
            for name, account in accounts.items()
        }
    return {
        **found,
        "available": seller.available_minor,
        "in_transit": seller.in_transit_minor,
        "debt": seller.debt_minor,
    }


async def escrow_of(runtime: Runtime, shop: Shop, order_id: str) -> EscrowOut:
    async with runtime.database.reading() as session:
        return await service.get_escrow(session, shop.principal("admin"), uuid.UUID(order_id))


async def bought(runtime: Runtime, client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    """The buyer checks out three one-unit mugs and pays by card: the seller's order."""
    buyer = shop.principal("buyer")
    await fill_cart(runtime, buyer, (shop.variant_id, UNITS))
    placed = await checkout(client, shop.people["buyer"].headers, key=new_key())
    assert placed.status_code == 201, placed.text
    await pay_group_by_card(runtime, placed.json()["payment"]["id"])
    (order,) = placed.json()["group"]["orders"]
    return dict(order)


async def completed(
    client: httpx.AsyncClient, shop: Shop, order_id: str, clock: FrozenClock
) -> None:
    steps = [
        ("seller", "accept", None),
        ("seller", "ship", {"carrier": "DHL", "tracking_number": "JD0001"}),
        ("buyer", "deliver", None),
    ]
    for who, verb, body in steps:
        response = await client.post(
            f"{API}/orders/{order_id}/{verb}", json=body, headers=shop.people[who].headers
        )
        assert response.status_code == 200, response.text
    clock.advance(timedelta(days=3, seconds=1))
    assert await advance_due_orders() == 1


async def refund_one_unit(runtime: Runtime, shop: Shop, order_id: str) -> str:
    data = RefundIn(reason="One unit back", amount_minor=1)
    async with runtime.database.transaction() as session:
        done = await service.refund_order(
            session, shop.principal("admin"), uuid.UUID(order_id), data, new_key()
        )
    return done.refund.phase


async def pay_out(runtime: Runtime, shop: Shop, amount: int) -> str:
    async with runtime.database.transaction() as session:
        data = PayoutRequestIn(amount_minor=amount, currency=shop.currency)
        asked = await payouts.request_payout(session, shop.principal("seller"), data, new_key())
    async with runtime.database.reading() as session:
        return (await payouts.get_payout(session, shop.principal("seller"), asked.payout.id)).status


@pytest.mark.parametrize("currency", ["JPY", "EUR", "KWD"])
@pytest.mark.parametrize("rate_bps", [0, 10_000])
async def test_smallest_amounts_travel_the_whole_path(
    runtime: Runtime,
    client: httpx.AsyncClient,
    frozen_clock: FrozenClock,
    currency: str,
    rate_bps: int,
) -> None:
    shop = await open_shop(runtime, client, currency, rate_bps)
    fee = UNITS * rate_bps // 10_000  # 0 or everything: no rounding either way
    start = await books(runtime, shop, "none")

    order = await bought(runtime, client, shop)
    assert (order["currency"], order["items_minor"], order["shipping_minor"]) == (currency, 3, 0)
    assert order["total_minor"] == UNITS
    escrow = await escrow_of(runtime, shop, order["id"])
    assert (escrow.currency, escrow.captured_minor, escrow.fee_minor) == (currency, UNITS, fee)
    paid = await books(runtime, shop, order["id"])
    assert (paid["escrow"], paid["available"], paid["commission"]) == (UNITS, 0, 0)
    assert paid["clearing"] - start["clearing"] == -UNITS

    await completed(client, shop, order["id"], frozen_clock)
    assert await release_due_escrow() == 1
    released = await books(runtime, shop, order["id"])
    assert (released["escrow"], released["available"], released["commission"]) == (
        0,
        UNITS - fee,
        fee,
    )

    # One unit back to the buyer: its share of the fee (0 or all of it) comes back from the
    # platform, the rest from the seller.
    assert await refund_one_unit(runtime, shop, order["id"]) == "after_release"
    fee_back = rate_bps // 10_000
    refunded = await books(runtime, shop, order["id"])
    assert (refunded["available"], refunded["debt"]) == (UNITS - fee - (1 - fee_back), 0)
    assert refunded["commission"] == fee - fee_back
    assert refunded["clearing"] - start["clearing"] == -UNITS + 1
    escrow = await escrow_of(runtime, shop, order["id"])
    assert (escrow.refunded_minor, escrow.refunded_fee_minor) == (1, fee_back)

    left = refunded["available"]
    if left == 0:  # a 100 % commission leaves the seller nothing to pay out
        with pytest.raises(PayoutRefused):
            await pay_out(runtime, shop, 1)
        assert await books(runtime, shop, order["id"]) == refunded
        return
    assert await pay_out(runtime, shop, left) == "paid"
    out = await books(runtime, shop, order["id"])
    assert (out["available"], out["in_transit"], out["debt"]) == (0, 0, 0)
    assert out["clearing"] - start["clearing"] == -UNITS + 1 + left
