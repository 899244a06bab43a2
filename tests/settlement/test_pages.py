"""Settlement pages over HTTP: who may open each page and post each form (nothing written on
denial), the admin's refund screen and escrow list, the seller's refunds, and the refund
status on the buyer's order page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mercato.kit.clock import FrozenClock
from mercato.kit.runtime import Runtime
from mercato.payments.models import LedgerJournal
from mercato.settlement.models import Escrow, Refund
from tests.orders.test_seller_pages import browser_like, post, sign_in_as
from tests.settlement.conftest import Market, admin_of, complete, money, paid_orders
from tests.settlement.test_holds import activate_hold

__all__ = ["browser_like"]
ROLES = ("anonymous", "buyer", "other_seller", "seller", "support", "admin")


async def footprint(runtime: Runtime) -> tuple[int, ...]:
    async with runtime.database.reading() as session:
        counts = []
        for table in (Refund, LedgerJournal):
            counts.append(
                (await session.execute(select(func.count()).select_from(table))).scalar_one()
            )
        released = select(func.count()).select_from(Escrow).where(Escrow.released_at.is_not(None))
        counts.append((await session.execute(released)).scalar_one())
        return tuple(counts)


async def as_role(client: httpx.AsyncClient, market: Market, role: str) -> None:
    client.cookies.clear()
    if role != "anonymous":
        await sign_in_as(client, market, role)


def outcome(response: httpx.Response) -> int | str:
    if response.status_code in (302, 303) and "/login" in response.headers.get("location", ""):
        return "login"
    return response.status_code


STAFF_PAGE = {
    "anonymous": "login",
    "buyer": 403,
    "other_seller": 403,
    "seller": 403,
    "support": 200,
    "admin": 200,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/admin/settlement/escrows", STAFF_PAGE),
        ("/admin/settlement/escrows?show=frozen", STAFF_PAGE),
        ("/admin/settlement/refunds", STAFF_PAGE),
        ("/admin/settlement/holds", STAFF_PAGE),
        ("/admin/settlement/orders/{order}", STAFF_PAGE),
        (
            "/seller/refunds",
            {**STAFF_PAGE, "seller": 200, "other_seller": 200, "support": 403, "admin": 403},
        ),
    ],
)
async def test_who_may_open_each_page(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, path: str, expected: dict
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 1)))["seller"]
    seen = {}
    for role in ROLES:
        await as_role(client, market, role)
        seen[role] = outcome(await client.get(path.format(order=order["id"])))
    assert seen == expected


async def test_who_may_refund_and_release_from_the_pages(
    runtime: Runtime, client: httpx.AsyncClient, market: Market, frozen_clock: FrozenClock
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    await complete(client, market, frozen_clock, ("seller", order))
    refund_form = {"mode": "amount", "amount": "1.00", "reason": "Scratched", "key": "page-1"}
    forms: list[tuple[str, dict[str, Any]]] = [
        (f"/admin/settlement/orders/{order['id']}/refunds", refund_form),
        (f"/admin/settlement/escrows/{order['id']}/release", {}),
    ]
    for path, form in forms:
        for role in ROLES[:-1]:
            await as_role(client, market, role)
            before = await footprint(runtime)
            response = await post(client, path, form)
            assert outcome(response) == ("login" if role == "anonymous" else 403), (path, role)
            assert await footprint(runtime) == before
    await as_role(client, market, "admin")
    released = await post(client, f"/admin/settlement/escrows/{order['id']}/release")
    assert released.status_code == 303
    listing = await client.get("/admin/settlement/escrows?show=released")
    assert order["number"] in listing.text and "Release now" not in listing.text
    refunded = await post(client, f"/admin/settlement/orders/{order['id']}/refunds", refund_form)
    assert refunded.status_code == 303, refunded.text
    twice = await post(client, f"/admin/settlement/orders/{order['id']}/refunds", refund_form)
    assert twice.status_code == 303  # the same form posted again: the first refund
    assert (await footprint(runtime))[0] == 1


async def test_the_refund_screen_refunds_lines_and_explains_refusals(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    order = (await paid_orders(runtime, client, market, (market.mug_small, 2)))["seller"]
    await as_role(client, market, "admin")
    screen = await client.get(f"/admin/settlement/orders/{order['id']}")
    assert "Stoneware mug" in screen.text and "Refund the buyer" in screen.text
    line_field = screen.text.split('name="qty-', 1)[1].split('"', 1)[0]
    before = await money(runtime, market.seller_id, order["id"])
    too_many = await post(
        client,
        f"/admin/settlement/orders/{order['id']}/refunds",
        {"mode": "lines", f"qty-{line_field}": "3", "reason": "Broken", "key": "k-1"},
    )
    assert too_many.status_code == 422
    assert "Only 2 unit(s) are left to refund." in too_many.text
    too_much = await post(
        client,
        f"/admin/settlement/orders/{order['id']}/refunds",
        {"mode": "amount", "amount": "40.91", "reason": "Broken", "key": "k-2"},
    )
    assert too_much.status_code == 422 and "At most €40.90 is left to refund." in too_much.text
    assert await money(runtime, market.seller_id, order["id"]) == before
    done = await post(
        client,
        f"/admin/settlement/orders/{order['id']}/refunds",
        {"mode": "lines", f"qty-{line_field}": "1", "reason": "Broken", "key": "k-3"},
    )
    assert done.status_code == 303
    assert (await money(runtime, market.seller_id, order["id"]))["escrow"] == 4090 - 1800
    refunds = await client.get("/admin/settlement/refunds")
    assert order["number"] in refunds.text and "€18.00" in refunds.text
    await as_role(client, market, "seller")
    mine = await client.get("/seller/refunds")
    assert order["number"] in mine.text and "Broken" in mine.text
    seller_order = await client.get(f"/seller/orders/{order['id']}")
    assert "€18.00" in seller_order.text and 'data-testid="order-refunds"' in seller_order.text
    await as_role(client, market, "other_seller")
    assert order["number"] not in (await client.get("/seller/refunds")).text
    await as_role(client, market, "buyer")
    page = await client.get(f"/orders/{order['id']}")
    assert page.status_code == 200
    assert 'data-testid="order-refunds"' in page.text and "refunded" in page.text


async def test_admins_set_a_seller_hold_with_a_reason_and_see_the_policy(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    await activate_hold(runtime, admin_of(market), 3, {market.tree.ceramics: 8})
    form = {"seller_id": str(market.seller_id), "hold_days": "14", "reason": "Risk review"}
    for role in ("anonymous", "buyer", "seller", "support"):
        await as_role(client, market, role)
        refused = await post(client, "/admin/settlement/holds/sellers", form)
        assert outcome(refused) == ("login" if role == "anonymous" else 403), role
    await as_role(client, market, "support")
    seen = (await client.get("/admin/settlement/holds")).text
    assert "Set hold period" not in seen and "Draft a new version" not in seen
    assert "Version 1" in seen and "Ceramics" in seen and "8 days" in seen
    await as_role(client, market, "admin")
    too_long = await post(client, "/admin/settlement/holds/sellers", form | {"hold_days": "61"})
    assert too_long.status_code == 422 and "field--invalid" in too_long.text
    no_reason = await post(client, "/admin/settlement/holds/sellers", form | {"reason": ""})
    assert no_reason.status_code == 422 and "field--invalid" in no_reason.text
    assert "Every seller waits the policy" in no_reason.text
    done = await post(client, "/admin/settlement/holds/sellers", form)
    assert done.status_code == 303
    page = await client.get("/admin/settlement/holds")
    table = page.text.split('data-testid="seller-holds"', 1)[1].split("</table>", 1)[0]
    assert "14 days" in table and "Risk review" in table and "Admin" in table
    link = 'href="/admin/governance/policies?kind=escrow_hold#draft-title"'
    assert link in page.text
    assert "/admin/settlement/holds/categories" not in page.text
    gone = await post(client, "/admin/settlement/holds/categories", {"hold_days": "3"})
    assert gone.status_code in (404, 405)


async def test_sign_in_keeps_the_escrow_page_in_the_admin_nav(
    runtime: Runtime, client: httpx.AsyncClient, market: Market
):
    await as_role(client, market, "support")
    page = await client.get("/admin/settlement/escrows")
    assert 'href="/admin/settlement/escrows" aria-current="page"' in page.text
    assert 'href="/admin/settlement/refunds"' in page.text
    assert "Release now" not in page.text  # support reads only
