"""The performance part of the demo marketplace: launch thresholds, and both demo shops
evaluated on their real demo orders. Nordic Outdoor Co. (its parcels shipped after their
ship-by deadline, its disputes, low ratings and cancellations breach the targets) was warned by
the evaluation a week ago and suppressed from search yesterday, with its appeal waiting in the
admin queue; Atelier Lumière, with one defect among a handful of orders, is warned.
Idempotent: Nordic's standing is the marker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.storage import FileStore
from mercato.performance import service
from mercato.performance.calculations import DEFAULT_THRESHOLDS
from mercato.performance.schemas import AppealIn, ThresholdsIn
from mercato.sellers.service import find_seller_of

log = structlog.get_logger(__name__)
ADMIN_EMAIL = "admin@mercato.example"
NORDIC_EMAIL, ATELIER_EMAIL = "nordic@mercato.example", "atelier@mercato.example"
# A small demo shop has few orders: the launch thresholds ask for three in 30 days.
DEMO_MIN_ORDERS = 3
APPEAL = (
    "Our carrier lost a week of pick-ups during the storm; every parcel has shipped since and "
    "we added a second carrier."
)


@contextmanager
def _at(when: datetime) -> Iterator[None]:
    previous = clock.use_clock(clock.FrozenClock(when))
    try:
        yield
    finally:
        clock.use_clock(previous)


async def _seller(session: AsyncSession, email: str) -> Principal | None:
    user_id = await find_user_id_by_email(session, email)
    return Principal(user_id=user_id, role=Role.SELLER, email=email) if user_id else None


async def seed_performance_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed the performance demo rows (idempotent)."""
    del files
    admin_id = await find_user_id_by_email(session, ADMIN_EMAIL)
    nordic = await _seller(session, NORDIC_EMAIL)
    if admin_id is None or nordic is None or nordic.user_id is None:
        log.warning("performance_demo_people_missing")
        return
    shop = await find_seller_of(session, nordic.user_id)
    if shop is None or await service.listings_suppressed(session, shop.id):
        return
    admin = Principal(user_id=admin_id, role=Role.ADMIN, email=ADMIN_EMAIL)
    if not await service.list_threshold_versions(session, admin):
        with _at(clock.now() - timedelta(days=60)):
            await service.set_thresholds(session, admin, _launch_thresholds())
    now = clock.now()
    for days_ago in (8, 1):  # warned a week ago, suppressed yesterday
        await service.evaluate_seller(session, shop.id, now - timedelta(days=days_ago))
    atelier = await _seller(session, ATELIER_EMAIL)
    if atelier is not None and atelier.user_id is not None:
        other = await find_seller_of(session, atelier.user_id)
        if other is not None:
            await service.evaluate_seller(session, other.id, now - timedelta(days=1))
    if await service.listings_suppressed(session, shop.id):
        await service.file_appeal(session, nordic, AppealIn(text=APPEAL))


def _launch_thresholds() -> ThresholdsIn:
    defaults = DEFAULT_THRESHOLDS
    return ThresholdsIn(
        defect_max_bp=defaults.defect_max_bp,
        cancellation_max_bp=defaults.cancellation_max_bp,
        late_shipment_max_bp=defaults.late_shipment_max_bp,
        valid_tracking_min_bp=defaults.valid_tracking_min_bp,
        min_orders=DEMO_MIN_ORDERS,
        cooldown_days=defaults.cooldown_days,
        protection_days=defaults.protection_days,
        reason="Launch targets, modelled on the largest marketplaces.",
    )
