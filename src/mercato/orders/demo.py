"""The demo orders: Alice and Bob have bought from both demo sellers, and their orders stand in
every status a shop meets — awaiting payment, paid, accepted, shipped, delivered, completed,
services scheduled, performed and confirmed, cancellations by buyer and seller, and a lapsed
reservation. Nordic Outdoor Co. ships three parcels days after their ship-by deadline: the
late seller that seller performance warns, then suppresses from search.

Everything goes through the real services (cart, checkout, the sandbox payment, the order
moves), each story on a frozen clock set back in time, so timelines read like weeks of
trading and the automatic steps (completion) happen by their own timers. Payments are
confirmed by the sandbox's webhook, which runs after a commit: the seed commits between steps.
Idempotent: nothing is seeded once Alice has orders.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.cart import service as cart
from mercato.cart.schemas import AddLineIn
from mercato.catalog import service as catalog
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.db import commit
from mercato.kit.storage import FileStore
from mercato.orders import service
from mercato.orders.policy import OrderStatus
from mercato.orders.schemas import CancelIn, CheckoutIn, ScheduleIn, ShipIn, ShippingAddress
from mercato.payments.schemas import PaymentMethod
from mercato.payments.service import pay_by_card, settle_sandbox_payment_of
from mercato.sellers.service import find_seller_of

log = structlog.get_logger(__name__)

S = OrderStatus
ALICE, BOB = "alice@mercato.example", "bob@mercato.example"
ATELIER, NORDIC = "atelier@mercato.example", "nordic@mercato.example"
DEMO_CARD = "4242 4242 4242 4242"
ADDRESSES = {
    ALICE: ShippingAddress(
        full_name="Alice Buyer",
        line1="12 rue des Lilas",
        city="Lyon",
        postal_code="69003",
        country="FR",
        phone="+33 4 72 00 00 01",
    ),
    BOB: ShippingAddress(
        full_name="Bob Buyer",
        line1="221B Baker Street",
        city="London",
        postal_code="NW1 6XE",
        country="GB",
    ),
}


@dataclass
class Demo:
    """The demo's people and what each seller has to sell."""

    session: AsyncSession
    buyers: dict[str, Principal]
    sellers: dict[str, Principal]
    goods: dict[str, list[uuid.UUID]]
    services: dict[str, list[uuid.UUID]]
    days_ago: Callable[[float], datetime]

    def item(self, seller: str, kind: str, index: int) -> uuid.UUID:
        variants = (self.goods if kind == "goods" else self.services)[seller]
        return variants[index % len(variants)]


async def _principal(session: AsyncSession, email: str, role: Role) -> Principal | None:
    user_id = await find_user_id_by_email(session, email)
    return Principal(user_id=user_id, role=role, email=email) if user_id else None


async def _variants(session: AsyncSession, seller_id: uuid.UUID) -> dict[str, list[uuid.UUID]]:
    """The seller's variants with stock to spare, by kind."""
    found: dict[str, list[uuid.UUID]] = {"goods": [], "service": []}
    shop = await catalog.list_seller_listings_public(session, seller_id, limit=24)
    for summary in shop.items:
        listing = await catalog.get_public_listing(session, summary.id)
        found[summary.kind].extend(v.id for v in listing.variants if v.stock >= 3)
    return found


async def _cast(session: AsyncSession) -> Demo | None:
    buyers = {email: await _principal(session, email, Role.BUYER) for email in (ALICE, BOB)}
    sellers = {email: await _principal(session, email, Role.SELLER) for email in (ATELIER, NORDIC)}
    if None in buyers.values() or None in sellers.values():
        log.warning("orders_demo_people_missing")
        return None
    goods, services = {}, {}
    for email, principal in sellers.items():
        assert principal is not None and principal.user_id is not None
        seller = await find_seller_of(session, principal.user_id)
        stock = await _variants(session, seller.id) if seller else {"goods": [], "service": []}
        if not (stock["goods"] and stock["service"]):
            log.warning("orders_demo_listings_missing", seller=email)
            return None
        goods[email], services[email] = stock["goods"], stock["service"]
    now = clock.now()
    return Demo(
        session,
        {k: v for k, v in buyers.items() if v},
        {k: v for k, v in sellers.items() if v},
        goods,
        services,
        lambda days: now - timedelta(days=days),
    )


@dataclass
class Story:
    """One order's life, told on its own frozen clock."""

    demo: Demo
    buyer: str
    seller: str
    frozen: clock.FrozenClock

    @property
    def session(self) -> AsyncSession:
        return self.demo.session

    async def place(self, kind: str, index: int, method: PaymentMethod) -> tuple[uuid.UUID, str]:
        """Check out one item; the order id and the sandbox payment's id."""
        buyer = self.demo.buyers[self.buyer]
        variant = self.demo.item(self.seller, kind, index)
        await cart.add_line(self.session, buyer, AddLineIn(variant_id=variant, quantity=1))
        data = CheckoutIn(
            address=ADDRESSES[self.buyer] if kind == "goods" else None, payment_method=method
        )
        key = f"demo-order-{uuid.uuid4().hex}"
        placed = (await service.checkout(self.session, buyer, data, key)).checkout
        sandbox_id = (placed.payment.redirect_url or "").rstrip("/").rsplit("/", 1)[-1]
        return placed.group.orders[0].id, sandbox_id

    async def pay(self, sandbox_id: str) -> None:
        """Pay on the sandbox's card page; its webhook marks the order paid after the commit."""
        await pay_by_card(self.session, sandbox_id, DEMO_CARD, "12/34", "123")
        await commit(self.session)

    async def move(
        self,
        order_id: uuid.UUID,
        target: OrderStatus,
        by: str,
        *,
        ship: ShipIn | None = None,
        schedule: ScheduleIn | None = None,
        cancel: CancelIn | None = None,
    ) -> None:
        who = self.demo.sellers.get(by) or self.demo.buyers[by]
        await service.transition_order(
            self.session, who, order_id, target, ship=ship, schedule=schedule, cancel=cancel
        )

    def later(self, **delta: float) -> None:
        self.frozen.advance(timedelta(**delta))

    async def run_timers(self, order_id: uuid.UUID) -> None:
        await commit(self.session)
        await service.advance_due_order(self.session, order_id)


StoryScript = Callable[[Story], Awaitable[None]]


def _ship(carrier: str, tracking: str) -> ShipIn:
    return ShipIn(carrier=carrier, tracking_number=tracking)


async def _goods_until(story: Story, index: int, last: OrderStatus) -> uuid.UUID:
    """Paid, then accepted, shipped and delivered as far as ``last``."""
    order_id, sandbox_id = await story.place("goods", index, PaymentMethod.CARD)
    story.later(minutes=2)
    await story.pay(sandbox_id)
    steps = [S.ACCEPTED, S.SHIPPED, S.DELIVERED]
    for step in steps[: steps.index(last) + 1] if last in steps else []:
        story.later(hours=20)
        if step is S.SHIPPED:
            tracking = f"DEMO{order_id.hex[-8:].upper()}"
            await story.move(order_id, step, story.seller, ship=_ship("Colissimo", tracking))
        elif step is S.DELIVERED:
            await story.move(order_id, step, story.buyer)
        else:
            await story.move(order_id, step, story.seller)
    return order_id


async def _service_until(story: Story, index: int, last: OrderStatus) -> uuid.UUID:
    """Paid, then scheduled, performed and confirmed as far as ``last``."""
    order_id, sandbox_id = await story.place("service", index, PaymentMethod.CARD)
    story.later(minutes=3)
    await story.pay(sandbox_id)
    steps = [S.SCHEDULED, S.PERFORMED, S.CONFIRMED]
    for step in steps[: steps.index(last) + 1] if last in steps else []:
        story.later(days=1)
        if step is S.SCHEDULED:
            when = ScheduleIn(scheduled_for=clock.now() + timedelta(days=2, hours=3))
            await story.move(order_id, step, story.seller, schedule=when)
            story.later(days=2)
        elif step is S.CONFIRMED:
            await story.move(order_id, step, story.buyer)
        else:
            await story.move(order_id, step, story.seller)
    return order_id


async def completed_goods(story: Story) -> None:
    order_id = await _goods_until(story, 0, S.DELIVERED)
    story.later(days=3, hours=1)  # the buyer's window to report a problem has passed
    await story.run_timers(order_id)


async def completed_service(story: Story) -> None:
    order_id = await _service_until(story, 0, S.CONFIRMED)
    story.later(days=3, hours=1)
    await story.run_timers(order_id)


def _completed(kind: str, index: int) -> StoryScript:
    """An older order that went all the way: its money has been released since."""

    async def script(story: Story) -> None:
        last = S.DELIVERED if kind == "goods" else S.CONFIRMED
        order_id = await (_goods_until if kind == "goods" else _service_until)(story, index, last)
        story.later(days=3, hours=1)
        await story.run_timers(order_id)

    return script


async def canceled_by_buyer(story: Story) -> None:
    order_id = await _goods_until(story, 1, S.PAID)
    story.later(hours=3)
    await story.move(order_id, S.CANCELED, story.buyer, cancel=CancelIn(reason="Ordered twice"))


async def canceled_by_seller(story: Story) -> None:
    order_id = await _goods_until(story, 2, S.ACCEPTED)
    story.later(hours=5)
    reason = CancelIn(reason="The last one broke while packing, sorry: nothing left to send.")
    await story.move(order_id, S.CANCELED, story.seller, cancel=reason)


async def lapsed_reservation(story: Story) -> None:
    """The buyer never paid: the reservation lapses and the sweep cancels the checkout."""
    await story.place("goods", 3, PaymentMethod.CARD)
    await commit(story.session)
    story.later(hours=1)
    for group_id in await service.lapsed_reservations(story.session):
        await service.expire_reservation(story.session, group_id)


async def paid_by_bank_transfer(story: Story) -> None:
    """Settled by the sandbox's bank, a few days after checkout."""
    order_id, _ = await story.place("goods", 4, PaymentMethod.BANK_TRANSFER)
    buyer = story.demo.buyers[story.buyer]
    order = await service.get_order(story.session, buyer, order_id)
    story.later(days=1)
    checkout = await service.get_group(story.session, buyer, order.group_id)
    assert checkout.payment_id is not None
    await settle_sandbox_payment_of(story.session, checkout.payment_id)
    await commit(story.session)


async def awaiting_payment(story: Story) -> None:
    """Checked out a moment ago; the card page is still open."""
    await story.place("goods", 5, PaymentMethod.CARD)


def _shipped_late(index: int) -> StoryScript:
    """Accepted the next morning, then left on the shelf: shipped four days after payment,
    past its ship-by deadline. The commit dispatches the move on this story's clock, so the
    SLA clocks record the breach (and warn the seller) when the parcel left."""

    async def script(story: Story) -> None:
        order_id = await _goods_until(story, index, S.ACCEPTED)
        story.later(days=3, hours=4)
        tracking = f"DEMO{order_id.hex[-8:].upper()}"
        await story.move(order_id, S.SHIPPED, story.seller, ship=_ship("PostNord", tracking))
        await commit(story.session)

    return script


def _until(kind: str, index: int, last: OrderStatus) -> StoryScript:
    async def script(story: Story) -> None:
        await (_goods_until if kind == "goods" else _service_until)(story, index, last)

    return script


# (buyer, seller, days ago the story starts, what happens)
STORIES: tuple[tuple[str, str, float, StoryScript], ...] = (
    (BOB, NORDIC, 45, _completed("goods", 6)),
    (ALICE, ATELIER, 40, _completed("goods", 8)),
    (ALICE, NORDIC, 34, _completed("service", 2)),
    (BOB, ATELIER, 29, _completed("goods", 4)),
    (ALICE, ATELIER, 24, completed_goods),
    (BOB, ATELIER, 21, completed_service),
    (ALICE, NORDIC, 18, canceled_by_buyer),
    (BOB, NORDIC, 17, _shipped_late(9)),
    (BOB, NORDIC, 16, canceled_by_seller),
    (ALICE, NORDIC, 15, _shipped_late(10)),
    (ALICE, NORDIC, 14, lapsed_reservation),
    (BOB, NORDIC, 13, _shipped_late(11)),
    (BOB, NORDIC, 7, _until("service", 1, S.CONFIRMED)),
    (ALICE, NORDIC, 3, _until("goods", 6, S.DELIVERED)),
    (BOB, ATELIER, 5, _until("goods", 7, S.SHIPPED)),
    (ALICE, ATELIER, 5, _until("service", 2, S.PERFORMED)),
    (BOB, NORDIC, 3, _until("goods", 8, S.ACCEPTED)),
    (ALICE, ATELIER, 2, _until("service", 3, S.SCHEDULED)),
    (ALICE, ATELIER, 1, _until("goods", 9, S.PAID)),
    (BOB, NORDIC, 2, _until("service", 4, S.PAID)),
    (BOB, ATELIER, 1.5, paid_by_bank_transfer),
    (BOB, NORDIC, 0, awaiting_payment),
)


async def _set_aside_cart(session: AsyncSession, buyer: Principal) -> list[tuple[uuid.UUID, int]]:
    """Empty the buyer's cart (checkout takes all of it); what it held, to put back after."""
    held = []
    for group in (await cart.get_cart(session, buyer)).groups:
        for line in group.lines:
            held.append((line.variant_id, line.quantity))
            await cart.remove_line(session, buyer, line.line_id)
    return held


async def seed_orders_demo(session: AsyncSession, files: FileStore) -> None:
    """Alice's and Bob's orders from both demo sellers, in every status (skipped when seeded)."""
    del files
    demo = await _cast(session)
    if demo is None:
        return
    alice = demo.buyers[ALICE]
    if (await service.list_orders(session, alice, limit=1)).items:
        return
    carts = {email: await _set_aside_cart(session, who) for email, who in demo.buyers.items()}
    for buyer, seller, days_ago, script in STORIES:
        frozen = clock.FrozenClock(demo.days_ago(days_ago))
        previous = clock.use_clock(frozen)
        try:
            await script(Story(demo, buyer, seller, frozen))
        finally:
            clock.use_clock(previous)
    for email, lines in carts.items():
        for variant_id, quantity in lines:
            await cart.add_line(
                session, demo.buyers[email], AddLineIn(variant_id=variant_id, quantity=quantity)
            )
