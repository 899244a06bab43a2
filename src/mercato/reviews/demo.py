"""The reviews part of the demo marketplace: Alice and Bob review what they received (from
five stars down to a disappointed two), each seller answers its first review, a seller reports
a review it finds unfair, so the moderation queue has work, and the first buyer comes back to
one answered review to add an update (shown as edited, the seller's reply kept). Idempotent: a
line already reviewed, a review already answered, reported or edited is left alone."""

from __future__ import annotations

import uuid
from contextlib import suppress

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict
from mercato.kit.storage import FileStore
from mercato.orders.schemas import OrderStatus
from mercato.orders.service import list_orders
from mercato.reviews import service
from mercato.reviews.policy import REVIEWABLE_STATUSES
from mercato.reviews.schemas import ReplyIn, ReportIn, ReportReason, ReviewIn

log = structlog.get_logger(__name__)

BUYERS = (("alice@mercato.example", "Alice Buyer"), ("bob@mercato.example", "Bob Buyer"))
SELLERS = ("atelier@mercato.example", "nordic@mercato.example")
# What the buyers wrote, in the order their received lines come (newest order first).
REVIEWS = (
    ReviewIn(
        rating=5,
        title="Even nicer in person",
        body="Beautifully made and very well packed. Would buy again.",
    ),
    ReviewIn(
        rating=4,
        title="Good value",
        body="Does exactly what it should. Delivery took a day longer than announced.",
    ),
    ReviewIn(
        rating=2,
        title="Disappointed",
        body="Smaller than the photos suggest and one corner was scuffed.",
    ),
    ReviewIn(rating=5, title=None, body="Friendly seller, quick answers, great quality."),
    ReviewIn(
        rating=3, title="It's fine", body="Works, but the finish feels cheaper than the price."
    ),
    ReviewIn(
        rating=4, title="Happy with it", body="Solid and practical, looks great on the shelf."
    ),
)
REPLY = ReplyIn(body="Thank you for taking the time to write this. It made our week!")
UPDATE = " Update: a few months on it still looks new."


async def _person(
    session: AsyncSession, email: str, role: Role, name: str = ""
) -> Principal | None:
    user_id = await find_user_id_by_email(session, email)
    if user_id is None:
        return None
    return Principal(user_id=user_id, role=role, email=email, display_name=name)


async def _review_received_lines(session: AsyncSession, buyer: Principal, start: int) -> int:
    """Review every not yet reviewed line of the buyer's received orders; returns the next
    script position."""
    received = [OrderStatus(status) for status in REVIEWABLE_STATUSES]
    orders = await list_orders(session, buyer, statuses=received, limit=50)
    position = start
    for order in orders.items:
        panel = await service.order_reviews(session, buyer, order.id)
        for line in panel.lines if panel else []:
            if line.review is None:
                script = REVIEWS[position % len(REVIEWS)]
                await service.create_review(session, buyer, order.id, line.line_id, script)
            position += 1
    return position


async def _answer_and_report(session: AsyncSession, sellers: list[Principal]) -> None:
    """Each seller answers its oldest unanswered review once, and reports its worst review
    (the two-star one) as unfair."""
    for seller in sellers:
        shop = await service.list_my_shop_reviews(session, seller, limit=50)
        reviews = list(reversed(shop.items))
        if reviews and not any(review.reply for review in reviews):
            await service.reply_to_review(session, seller, reviews[0].id, REPLY)
        for review in reviews:
            if review.rating <= 2:
                await _report_once(session, seller, review.id)


async def _report_once(session: AsyncSession, seller: Principal, review_id: uuid.UUID) -> None:
    note = "The buyer never contacted us before posting this."
    # Reported on an earlier run: the refused report was tried in its own savepoint.
    with suppress(Conflict):
        await service.report_review(
            session, seller, review_id, ReportIn(reason=ReportReason.FAKE, note=note)
        )


async def seed_reviews_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed the reviews demo rows (idempotent)."""
    del files
    position = 0
    for email, name in BUYERS:
        buyer = await _person(session, email, Role.BUYER, name)
        if buyer is None:
            log.warning("reviews_demo_buyer_missing", email=email)
            return
        position = await _review_received_lines(session, buyer, position)
    sellers = [s for email in SELLERS if (s := await _person(session, email, Role.SELLER))]
    await _answer_and_report(session, sellers)
    first = await _person(session, BUYERS[0][0], Role.BUYER, BUYERS[0][1])
    if first is not None:
        await _edit_an_answered_review(session, first)


async def _edit_an_answered_review(session: AsyncSession, buyer: Principal) -> None:
    """The buyer adds an update to a favourable review (an answered one when there is one)
    and gives it one more star, up to five. Low ratings are left as they are: a seller may have
    reported them, and the moderation queue shows them as written."""
    mine = (await service.list_my_reviews(session, buyer, limit=50)).items
    if any(review.edited_at for review in mine):
        return
    favourable = [r for r in mine if r.status == "published" and r.rating >= 3]
    answered = [review for review in favourable if review.reply]
    if not favourable:
        return
    review = (answered or favourable)[0]
    rating = min(5, review.rating + 1)
    data = ReviewIn(rating=rating, title=review.title, body=review.body + UPDATE)
    await service.edit_review(session, buyer, review.id, data)
