"""The reviews demo: Alice's and Bob's received orders are reviewed (a two-star one among
them), each seller answered a review, the two-star review waits in the moderation queue, Alice
edited one of her reviews, and seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

import mercato.search.handlers  # noqa: F401  (ratings reach the search index)
from mercato.accounts.service import create_user_with_role
from mercato.cart.demo import seed_cart_demo
from mercato.catalog.demo import seed_catalog_demo
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import Runtime
from mercato.orders.demo import seed_orders_demo
from mercato.reviews import service
from mercato.reviews.demo import UPDATE, seed_reviews_demo
from mercato.reviews.models import Review
from tests.fixtures.accounts import PASSWORD
from tests.orders.test_demo import _demo_people
from tests.reviews.conftest import counts


async def test_demo_reviews_replies_and_a_reported_review(runtime: Runtime):
    await _demo_people(runtime)
    async with runtime.database.transaction() as session:
        user = await create_user_with_role(
            session, "admin@mercato.example", PASSWORD, "Ada", Role.ADMIN
        )
    admin = Principal(user_id=user.id, role=Role.ADMIN)
    for seed in (seed_catalog_demo, seed_cart_demo, seed_orders_demo):
        async with runtime.database.transaction() as session:
            await seed(session, runtime.files)
    async with runtime.database.transaction() as session:
        await seed_reviews_demo(session, runtime.files)
    first = await counts(runtime)
    async with runtime.database.transaction() as session:
        await seed_reviews_demo(session, runtime.files)
    assert await counts(runtime) == first
    reviews, replies, reports, _decisions = first
    assert reviews >= 6 and replies == 2 and reports >= 1
    async with runtime.database.reading() as session:
        ratings = set((await session.execute(select(Review.rating))).scalars())
        lines = (
            await session.execute(select(func.count(func.distinct(Review.order_line_id))))
        ).scalar_one()
        queue = await service.moderation_queue(session, admin)
    assert {2, 4, 5} <= ratings
    assert lines == reviews
    assert queue.items and all(item.rating == 2 for item in queue.items)
    async with runtime.database.reading() as session:
        edited = (
            await session.execute(
                select(Review.buyer_name, Review.body).where(Review.edited_at.is_not(None))
            )
        ).all()
    assert [(name, body.endswith(UPDATE)) for name, body in edited] == [("Alice B.", True)]
