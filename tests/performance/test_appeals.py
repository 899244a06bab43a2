"""Appeals and the standing's effects: an accepted appeal steps the standing down one level and
protects it from re-escalation until the protection ends; a level change is appealed once;
another seller neither sees nor decides the appeal. Held payouts are refused with the reason,
and a seller suspended by performance is reinstated when its standing steps down."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from mercato.notifications.models import Mail
from mercato.payouts.models import Payout
from mercato.payouts.schemas import PayoutRequestIn
from mercato.payouts.service import request_payout
from mercato.payouts.service.payouts import PayoutRefused
from mercato.performance.models import Appeal, Standing, StandingChange
from mercato.performance.tasks import evaluate_sellers
from mercato.search.models import SuppressedSeller
from mercato.sellers.models import Seller
from tests.performance.conftest import seller_of, shipped_orders
from tests.settlement.conftest import API

PERFORMANCE = f"{API}/performance"
HOLD_REASON = (
    "Payouts are on hold: the seller's performance metrics breach the marketplace "
    "thresholds (see Performance in the seller portal; the seller may appeal)."
)


async def count(runtime, model, **where) -> int:
    async with runtime.database.reading() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return (await session.execute(statement)).scalar_one()


async def level_of(runtime, seller_id) -> tuple[int, bool, datetime | None]:
    async with runtime.database.reading() as session:
        row = (
            await session.execute(select(Standing).where(Standing.seller_id == seller_id))
        ).scalar_one()
        return row.level, row.breaching, row.protected_until


async def seller_mails(runtime, market) -> list[str]:
    address = market.people["seller"].email
    async with runtime.database.reading() as session:
        statement = select(Mail.subject).where(Mail.to_address == address)
        return list((await session.execute(statement.order_by(Mail.created_at))).scalars())


async def seller_status(runtime, seller_id) -> str:
    async with runtime.database.reading() as session:
        statement = select(Seller.status).where(Seller.id == seller_id)
        return (await session.execute(statement)).scalar_one()


def naive(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones."""
    return None if moment is None else moment.replace(tzinfo=None)


async def suppressed_seller(runtime, client, market, clock) -> None:
    """The seller's late shipments raise its standing to warning, then (a cooldown later) to
    listings suppressed."""
    await shipped_orders(runtime, client, market, clock, on_time=4, late=1)
    await evaluate_sellers()
    clock.advance(timedelta(days=7))
    await evaluate_sellers()
    assert (await level_of(runtime, market.seller_id))[:2] == (2, True)


async def test_an_accepted_appeal_steps_down_and_protects(runtime, client, market, clock):
    await suppressed_seller(runtime, client, market, clock)
    filed = await client.post(
        f"{PERFORMANCE}/me/appeals",
        json={"text": "The carrier lost a week of parcels."},
        headers=market.headers("seller"),
    )
    assert filed.status_code == 201, filed.text
    appeal_id = filed.json()["id"]
    assert filed.json()["status"] == "pending"
    mails = await seller_mails(runtime, market)
    assert mails[-1] == "We received your appeal"

    # Another seller neither sees nor decides it, and its own page shows no appeal.
    other = market.headers("other_seller")
    decision = f"{PERFORMANCE}/appeals/{appeal_id}/decision"
    assert (await client.get(f"{PERFORMANCE}/appeals", headers=other)).status_code == 403
    seen = await client.get(f"{PERFORMANCE}/sellers/{market.seller_id}", headers=other)
    assert seen.status_code == 403
    assert (await client.post(decision, json={"accept": True}, headers=other)).status_code == 403
    own = await client.get(f"{PERFORMANCE}/me", headers=other)
    assert own.status_code == 200 and own.json()["appeals"] == []
    missing = f"{PERFORMANCE}/appeals/{uuid.uuid4()}/decision"
    admin = market.headers("admin")
    assert (await client.post(missing, json={"accept": True}, headers=admin)).status_code == 404
    assert await count(runtime, Appeal, status="pending") == 1
    assert (await level_of(runtime, market.seller_id))[0] == 2

    accepted = await client.post(
        decision, json={"accept": True, "reason": "Carrier strike"}, headers=admin
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    accepted_at = clock.now()
    level, breaching, protected_until = await level_of(runtime, market.seller_id)
    assert (level, breaching) == (1, True)
    assert naive(protected_until) == naive(accepted_at + timedelta(days=14))
    assert await count(runtime, SuppressedSeller, seller_id=market.seller_id) == 0
    async with runtime.database.reading() as session:
        change = (
            await session.execute(
                select(
                    StandingChange.from_level, StandingChange.to_level, StandingChange.reason
                ).where(StandingChange.cause == "appeal")
            )
        ).one()
    assert tuple(change) == (2, 1, "Appeal accepted: Carrier strike.")
    assert sorted(await seller_mails(runtime, market)) == sorted(
        [*mails, "Your seller standing: Warning"]
    )

    # The level change was appealed once: a second appeal and a second decision write nothing.
    appeals, changes = await count(runtime, Appeal), await count(runtime, StandingChange)
    again = await client.post(
        f"{PERFORMANCE}/me/appeals",
        json={"text": "Please look at it once more."},
        headers=market.headers("seller"),
    )
    assert again.status_code == 409
    twice = await client.post(decision, json={"accept": True}, headers=admin)
    assert twice.status_code == 409
    assert (await count(runtime, Appeal), await count(runtime, StandingChange)) == (
        appeals,
        changes,
    )
    assert len(await seller_mails(runtime, market)) == len(mails) + 1

    # Still breaching, but protected: no re-escalation until the protection ends.
    clock.advance(timedelta(days=7))
    assert (await evaluate_sellers()).escalated == 0
    clock.advance(timedelta(days=7) - timedelta(minutes=1))
    assert (await evaluate_sellers()).escalated == 0
    assert (await level_of(runtime, market.seller_id))[:2] == (1, True)
    clock.advance(timedelta(minutes=1))
    assert (await evaluate_sellers()).escalated == 1
    assert (await level_of(runtime, market.seller_id))[0] == 2
    assert await count(runtime, SuppressedSeller, seller_id=market.seller_id) == 1


async def test_a_rejected_appeal_needs_a_reason_and_keeps_the_level(runtime, client, market, clock):
    await suppressed_seller(runtime, client, market, clock)
    filed = await client.post(
        f"{PERFORMANCE}/me/appeals",
        json={"text": "The carrier lost a week of parcels."},
        headers=market.headers("seller"),
    )
    decision = f"{PERFORMANCE}/appeals/{filed.json()['id']}/decision"
    admin = market.headers("admin")
    before = await seller_mails(runtime, market)
    bare = await client.post(decision, json={"accept": False, "reason": " "}, headers=admin)
    assert bare.status_code == 422
    assert await count(runtime, Appeal, status="pending") == 1
    rejected = await client.post(
        decision, json={"accept": False, "reason": "The parcels left late."}, headers=admin
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert (await level_of(runtime, market.seller_id))[0] == 2
    # Mails written under the frozen clock share one timestamp: compare what was added.
    after = await seller_mails(runtime, market)
    assert sorted(after) == sorted([*before, "Your appeal was not accepted"])


async def ask_payout(runtime, market, key: str) -> None:
    async with runtime.database.transaction() as session:
        await request_payout(
            session, seller_of(market), PayoutRequestIn(amount_minor=100, currency="EUR"), key
        )


async def test_held_payouts_are_refused_and_suspension_is_lifted_on_the_way_down(
    runtime, client, market, clock
):
    await suppressed_seller(runtime, client, market, clock)
    clock.advance(timedelta(days=7))
    await evaluate_sellers()
    assert (await level_of(runtime, market.seller_id))[0] == 3
    with pytest.raises(PayoutRefused) as refused:
        await ask_payout(runtime, market, "held-1")
    assert refused.value.detail == HOLD_REASON

    clock.advance(timedelta(days=7))
    await evaluate_sellers()
    assert (await level_of(runtime, market.seller_id))[0] == 4
    assert await seller_status(runtime, market.seller_id) == "suspended"

    clock.advance(timedelta(days=10))  # every order left the 30-day window
    report = await evaluate_sellers()
    assert report.deescalated == 1
    assert (await level_of(runtime, market.seller_id))[:2] == (3, False)
    assert await seller_status(runtime, market.seller_id) == "admitted"
    # Reinstated, but the payouts are still held at this level: the hold is the reason.
    with pytest.raises(PayoutRefused) as still_held:
        await ask_payout(runtime, market, "held-2")
    assert still_held.value.detail == HOLD_REASON
    assert await count(runtime, Payout) == 0
