"""Seller performance lifts only the suspensions it made itself: a seller it suspended is
reinstated when the standing steps down, with "Seller performance" as the author in the
sellers' audit trail; a seller an admin suspended by hand stays suspended (the standing
change says so) until an admin reinstates it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mercato.performance.models import StandingChange
from mercato.performance.service.standing import KEPT_SUSPENDED, ORIGIN
from mercato.performance.tasks import evaluate_sellers
from mercato.sellers.models import SellerStatusChange
from tests.performance.test_appeals import level_of, seller_status, suppressed_seller
from tests.sellers.helpers import decide


async def trail(runtime, seller_id) -> list[tuple[str, str | None, str | None]]:
    """The seller's status changes from its first suspension on: (to, the actor's user id,
    the actor's name)."""
    async with runtime.database.reading() as session:
        rows = (
            await session.execute(
                select(
                    SellerStatusChange.to_status,
                    SellerStatusChange.actor_user_id,
                    SellerStatusChange.actor_label,
                )
                .where(SellerStatusChange.seller_id == seller_id)
                .order_by(SellerStatusChange.id)  # written in this order (uuid7)
            )
        ).all()
    changes = [(row[0], str(row[1]) if row[1] else None, row[2]) for row in rows]
    first_suspension = next((i for i, c in enumerate(changes) if c[0] == "suspended"), None)
    return [] if first_suspension is None else changes[first_suspension:]


async def latest_reason(runtime, seller_id) -> str:
    async with runtime.database.reading() as session:
        statement = (
            select(StandingChange.reason)
            .where(StandingChange.seller_id == seller_id)
            .order_by(StandingChange.created_at.desc(), StandingChange.id.desc())
        )
        return (await session.execute(statement)).scalars().first() or ""


async def suspended_by_performance(runtime, client, market, clock) -> None:
    """Late shipments take the seller up the ladder to the suspension, a week per step."""
    await suppressed_seller(runtime, client, market, clock)
    for _ in range(2):
        clock.advance(timedelta(days=7))
        await evaluate_sellers()
    assert (await level_of(runtime, market.seller_id))[0] == 4


async def recover(runtime, market, clock) -> None:
    """Every order leaves the 30-day window: the standing steps down one level."""
    clock.advance(timedelta(days=10))
    assert (await evaluate_sellers()).deescalated == 1
    assert (await level_of(runtime, market.seller_id))[:2] == (3, False)


async def test_performance_lifts_the_suspension_it_made(runtime, client, market, clock):
    await suspended_by_performance(runtime, client, market, clock)
    assert await seller_status(runtime, market.seller_id) == "suspended"
    assert (await trail(runtime, market.seller_id))[-1] == ("suspended", None, ORIGIN)
    await recover(runtime, market, clock)
    assert await seller_status(runtime, market.seller_id) == "admitted"
    assert (await trail(runtime, market.seller_id))[-2:] == [
        ("suspended", None, ORIGIN),
        ("admitted", None, ORIGIN),
    ]
    assert KEPT_SUSPENDED not in await latest_reason(runtime, market.seller_id)


async def test_a_suspension_by_an_admin_outlives_the_performance_ladder(
    runtime, client, market, clock
):
    await suppressed_seller(runtime, client, market, clock)
    admin = market.headers("admin")
    suspended = await decide(client, admin, str(market.seller_id), "suspend", "Counterfeits")
    assert suspended.status_code == 200, suspended.text
    # Performance reaches its own suspension level: the seller is suspended already.
    for _ in range(2):
        clock.advance(timedelta(days=7))
        await evaluate_sellers()
    assert (await level_of(runtime, market.seller_id))[0] == 4
    admin_id = market.people["admin"].user_id
    assert [change[:2] for change in await trail(runtime, market.seller_id)] == [
        ("suspended", admin_id)
    ]

    await recover(runtime, market, clock)
    assert await seller_status(runtime, market.seller_id) == "suspended"
    assert (await latest_reason(runtime, market.seller_id)).endswith(KEPT_SUSPENDED)
    assert len(await trail(runtime, market.seller_id)) == 1  # nothing undone
    reinstated = await decide(client, admin, str(market.seller_id), "reinstate")
    assert reinstated.status_code == 200 and reinstated.json()["status"] == "admitted"


async def test_an_admin_suspension_after_performance_reinstated_by_hand_stays(
    runtime, client, market, clock
):
    await suspended_by_performance(runtime, client, market, clock)
    admin = market.headers("admin")
    assert (await decide(client, admin, str(market.seller_id), "reinstate")).status_code == 200
    again = await decide(client, admin, str(market.seller_id), "suspend", "Fraud report")
    assert again.status_code == 200
    await recover(runtime, market, clock)
    assert await seller_status(runtime, market.seller_id) == "suspended"
    admin_id = market.people["admin"].user_id
    assert [change[:2] for change in (await trail(runtime, market.seller_id))[-3:]] == [
        ("suspended", None),
        ("admitted", admin_id),
        ("suspended", admin_id),
    ]
