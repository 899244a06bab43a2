"""The admin finance overview, read from the ledger alone: exact figures per currency, the daily
series of the chart, the take rate's rounding, and who may see the finance and reconciliation
pages."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Forbidden
from mercato.kit.money import round_half_up
from mercato.kit.runtime import Runtime
from mercato.payments import (
    PLATFORM_COMMISSION,
    PLATFORM_SUBSCRIPTIONS,
    Posting,
    clearing_account,
    escrow_account,
    post_journal,
    seller_available_account,
    seller_in_transit_account,
    service,
)
from mercato.payments.models import LedgerDailyCapture, ReconciliationRun
from mercato.payments.service.finance import format_rate, take_rate_bps
from tests.fixtures.accounts import PASSWORD, ROLES, actors
from tests.payments.conftest import make_user

CLEARING = clearing_account("sandbox")
SELLER, OTHER = uuid.uuid4(), uuid.uuid4()


# --- the take rate -------------------------------------------------------------------------------


def test_take_rate_examples():
    assert take_rate_bps(1200, 15000) == 800
    assert format_rate(800) == "8.00 %"
    assert take_rate_bps(1, 3) == 3333 and format_rate(3333) == "33.33 %"
    assert take_rate_bps(2, 3) == 6667  # half up
    assert take_rate_bps(0, 500) == 0 and format_rate(0) == "0.00 %"
    assert take_rate_bps(10, 0) is None and format_rate(None) == "—"
    assert format_rate(-125) == "-1.25 %"


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**12))
def test_take_rate_is_the_half_up_share_in_basis_points(commission: int, gmv: int):
    rate = take_rate_bps(commission, gmv)
    assert rate == round_half_up(commission * 10_000, gmv)
    assert rate is not None
    assert abs(Decimal(commission * 10_000) / gmv - rate) <= Decimal("0.5")
    assert Decimal(format_rate(rate).removesuffix(" %")) * 100 == rate


# --- the overview --------------------------------------------------------------------------------


async def build_ledger(runtime: Runtime, frozen_clock) -> None:
    """Yesterday: a €100 capture. Today: a €50 capture, the first order released with €12
    commission, a €9 plan fee the other seller cannot pay (debt), a €30 payout in transit and a
    ¥5000 capture."""
    order_a, order_b = escrow_account("order", "a"), escrow_account("order", "b")
    frozen_clock.advance(timedelta(days=-1))
    async with runtime.database.transaction() as session:
        capture = [Posting(CLEARING, -10000, "EUR"), Posting(order_a, 10000, "EUR")]
        await post_journal(session, "cap:a", "payment_capture", capture, "payment:a")
    frozen_clock.advance(timedelta(days=1))
    async with runtime.database.transaction() as session:
        capture = [Posting(CLEARING, -5000, "EUR"), Posting(order_b, 5000, "EUR")]
        await post_journal(session, "cap:b", "payment_capture", capture, "payment:b")
        source = [Posting(order_a, -10000, "EUR"), Posting(PLATFORM_COMMISSION, 1200, "EUR")]
        await service.credit_seller(
            session, SELLER, source, key="release:a", kind="release", reference="order:a"
        )
        fee = [Posting(PLATFORM_SUBSCRIPTIONS, 900, "EUR")]
        await service.charge_seller(
            session, OTHER, fee, key="plan:other", kind="plan_fee", reference="plan:1"
        )
        payout = [
            Posting(seller_available_account(SELLER), -3000, "EUR"),
            Posting(seller_in_transit_account(SELLER), 3000, "EUR"),
        ]
        await post_journal(session, "payout:1:sent", "payout", payout, "payout:1")
        yen = [Posting(CLEARING, -5000, "JPY"), Posting(escrow_account("order", "c"), 5000, "JPY")]
        await post_journal(session, "cap:c", "payment_capture", yen, "payment:c")


async def test_the_overview_agrees_with_the_ledger_to_the_cent(runtime: Runtime, frozen_clock):
    await build_ledger(runtime, frozen_clock)
    support = Principal(user_id=uuid.uuid4(), role=Role.SUPPORT)
    async with runtime.database.reading() as session:
        overview = await service.finance_overview(session, support)
    eur, jpy = overview.currencies
    assert eur.model_dump() == {
        "currency": "EUR",
        "gmv_minor": 15000,
        "commission_minor": 1200,
        "take_rate_bps": 800,
        "take_rate": "8.00 %",
        "escrow_minor": 5000,
        "seller_pending_minor": 0,
        "seller_available_minor": 5800,
        "seller_in_transit_minor": 3000,
        "seller_debt_minor": 900,
        "plan_revenue_minor": 900,
    }
    assert (jpy.currency, jpy.gmv_minor, jpy.escrow_minor, jpy.take_rate) == (
        "JPY",
        5000,
        5000,
        "0.00 %",
    )
    today = clock.now().date()
    assert (overview.since, overview.until) == (today - timedelta(days=29), today)
    assert len(overview.daily) == 60
    moving = [
        (d.day, d.currency, d.gmv_minor, d.commission_minor)
        for d in overview.daily
        if d.gmv_minor or d.commission_minor
    ]
    assert moving == [
        (today - timedelta(days=1), "EUR", 10000, 0),
        (today, "EUR", 5000, 1200),
        (today, "JPY", 5000, 0),
    ]


async def test_an_empty_ledger_has_no_figures(runtime: Runtime):
    admin = Principal(user_id=uuid.uuid4(), role=Role.ADMIN)
    async with runtime.database.reading() as session:
        overview = await service.finance_overview(session, admin)
    assert (overview.currencies, overview.daily) == ([], [])


@pytest.mark.parametrize("role", [Role.BUYER, Role.SELLER])
async def test_only_staff_see_the_overview(runtime: Runtime, role: Role):
    who = Principal(user_id=uuid.uuid4(), role=role)
    async with runtime.database.reading() as session:
        with pytest.raises(Forbidden):
            await service.finance_overview(session, who)


# --- pages and API: who may see them -------------------------------------------------------------


@pytest.fixture(autouse=False)
def browser_like(client: httpx.AsyncClient) -> None:
    client.headers["accept"] = "text/html"


async def csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/login", follow_redirects=True)
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text) or re.search(
        r'"X-CSRF-Token": "([0-9a-f]+)"', page.text
    )
    assert match, page.text
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    client.cookies.clear()
    if not email:
        return
    form = {"csrf_token": await csrf(client), "email": email, "password": PASSWORD}
    response = await client.post("/login", data=form)
    assert response.status_code == 303, response.text


async def run_count(runtime: Runtime) -> int:
    async with runtime.database.reading() as session:
        return int(
            (await session.execute(select(func.count()).select_from(ReconciliationRun))).scalar()
            or 0
        )


@pytest.mark.parametrize("who", ROLES)
async def test_pages_authorization(
    runtime: Runtime, client: httpx.AsyncClient, browser_like: None, who: str
):
    people = await actors(runtime, client)
    async with runtime.database.transaction() as session:
        existing = await service.reconcile_day(session, clock.now().date(), "sandbox")
    await sign_in(client, people[who].email)
    paths = [
        "/admin/finance",
        "/admin/finance/reconciliation",
        f"/admin/finance/reconciliation/{existing.id}",
    ]
    pages = [await client.get(path) for path in paths]
    day = clock.now().date().isoformat()
    token = await csrf(client)
    started = await client.post(
        "/admin/finance/reconciliation",
        data={"csrf_token": token, "day": day, "provider": "sandbox"},
    )
    if who == "anonymous":
        assert [p.status_code for p in pages] == [303, 303, 303]
        assert all(p.headers["location"].startswith("/login") for p in pages)
        assert started.status_code in (303, 403)
        assert not started.headers.get("location", "").startswith("/admin/finance")
    elif who in ("support", "admin"):
        assert [p.status_code for p in pages] == [200, 200, 200]
        assert 'href="/admin/finance" aria-current="page"' in pages[0].text
        assert (
            "Reconcile now" in pages[1].text
            if who == "admin"
            else "Reconcile now" not in pages[1].text
        )
        assert "everything matches" in pages[2].text
    else:
        assert [p.status_code for p in pages] == [403, 403, 403]
    if who == "admin":
        assert started.status_code == 303
        assert started.headers["location"].startswith("/admin/finance/reconciliation/")
        assert await run_count(runtime) == 2
    else:
        assert started.status_code in (303, 403) and await run_count(runtime) == 1


@pytest.mark.parametrize("who", ROLES)
async def test_api_overview_authorization(runtime: Runtime, client: httpx.AsyncClient, who: str):
    people = await actors(runtime, client)
    response = await client.get("/api/v1/payments/ledger/finance", headers=people[who].headers)
    expected = {"anonymous": 401, "support": 200, "admin": 200}.get(who, 403)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["currencies"] == []


async def test_a_bad_day_on_the_page_is_refused_without_writing(
    runtime: Runtime, client: httpx.AsyncClient, browser_like: None
):
    admin = await make_user(runtime, Role.ADMIN, "admin")
    await sign_in(client, admin.email or "")
    for day in ("not-a-day", (date.today() + timedelta(days=3)).isoformat()):
        token = await csrf(client)
        response = await client.post(
            "/admin/finance/reconciliation", data={"csrf_token": token, "day": day}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/finance/reconciliation"
        page = await client.get("/admin/finance/reconciliation")
        assert "Choose the day" in page.text or "has not happened yet" in page.text
    assert await run_count(runtime) == 0


# --- captures rolled up per closed day -----------------------------------------------------------


async def capture_on(runtime: Runtime, frozen_clock, days_ago: int, key: str, amount: int) -> None:
    frozen_clock.advance(timedelta(days=-days_ago))
    try:
        async with runtime.database.transaction() as session:
            postings = [
                Posting(CLEARING, -amount, "EUR"),
                Posting(escrow_account("o", key), amount, "EUR"),
            ]
            await post_journal(session, f"cap:{key}", "payment_capture", postings, f"payment:{key}")
    finally:
        frozen_clock.advance(timedelta(days=days_ago))


async def overview_figures(runtime: Runtime) -> tuple[int, list[tuple[date, int]]]:
    admin = Principal(user_id=uuid.uuid4(), role=Role.ADMIN)
    async with runtime.database.reading() as session:
        overview = await service.finance_overview(session, admin)
    daily = [(d.day, d.gmv_minor) for d in overview.daily if d.gmv_minor]
    return overview.currencies[0].gmv_minor, daily


async def test_closed_days_are_rolled_up_once_and_the_figures_do_not_change(
    runtime: Runtime, frozen_clock
):
    for days_ago, key, amount in [(40, "old", 700), (3, "a", 1000), (3, "b", 250), (2, "c", 400)]:
        await capture_on(runtime, frozen_clock, days_ago, key, amount)
    await capture_on(runtime, frozen_clock, 1, "yesterday", 30)
    await capture_on(runtime, frozen_clock, 0, "today", 5)
    before = await overview_figures(runtime)

    async with runtime.database.transaction() as session:
        # Days before yesterday are closed: 40, 3 and 2 days ago.
        assert await service.roll_up_closed_days(session) == 3
    async with runtime.database.transaction() as session:
        assert await service.roll_up_closed_days(session) == 0  # nothing new closed

    assert await overview_figures(runtime) == before
    total, daily = before
    assert total == 700 + 1000 + 250 + 400 + 30 + 5
    today = clock.now().date()
    assert daily == [
        (today - timedelta(days=3), 1250),
        (today - timedelta(days=2), 400),
        (today - timedelta(days=1), 30),
        (today, 5),
    ]
    # A day later, yesterday closes too: rolled up, and the figures still agree.
    frozen_clock.advance(timedelta(days=1))
    async with runtime.database.transaction() as session:
        assert await service.roll_up_closed_days(session) == 1
    assert (await overview_figures(runtime))[0] == total
    async with runtime.database.reading() as session:
        assert (await service.check_ledger(session)).ok


async def test_ledger_check_names_a_rolled_up_day_that_disagrees_with_the_journals(
    runtime: Runtime, frozen_clock
):
    await capture_on(runtime, frozen_clock, 5, "a", 1000)
    async with runtime.database.transaction() as session:
        await service.roll_up_closed_days(session)
    async with runtime.database.transaction() as session:
        row = (await session.execute(select(LedgerDailyCapture))).scalar_one()
        row.captured_minor = 999
    async with runtime.database.reading() as session:
        report = await service.check_ledger(session)
    day = (clock.now().date() - timedelta(days=5)).isoformat()
    assert [(v.rule, v.subject, v.detail) for v in report.violations] == [
        ("daily-capture-mismatch", f"{day} EUR", "rolled up 999, capture journals 1000")
    ]
