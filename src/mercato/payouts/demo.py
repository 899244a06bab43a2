"""Demo payouts: schedules for the two admitted demo sellers, and three payouts out of the
money their released orders brought — one paid, one failed at the bank (the sandbox's closed
test account; its money is back in the balance, ready for the admin to retry) and one still
pending for the sweep to send. Skipped when payouts exist already."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.commission.service import charge_plan_fees
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.storage import FileStore
from mercato.payments.providers.sandbox.provider import FAILING_PAYOUT_IBAN
from mercato.payments.service import seller_balances
from mercato.payouts import service
from mercato.payouts.schemas import Interval, PayoutRequestIn, ScheduleIn, Trigger
from mercato.payouts.service.payouts import NewPayout, create_payout
from mercato.sellers.schemas import PayoutAccountIn
from mercato.sellers.service import (
    get_my_seller,
    get_payout_account,
    get_payout_destination,
    save_payout_account,
)

log = structlog.get_logger(__name__)
ADMIN_EMAIL = "admin@mercato.example"


async def _seller(session: AsyncSession, email: str) -> tuple[Principal, uuid.UUID] | None:
    user_id = await find_user_id_by_email(session, email)
    if user_id is None:
        return None
    principal = Principal(user_id=user_id, role=Role.SELLER, email=email)
    return principal, (await get_my_seller(session, principal)).id


async def _available(session: AsyncSession, seller_id: uuid.UUID) -> int:
    return (await seller_balances(session, seller_id, "EUR")).available_minor


@contextmanager
def _days_ago(days: float) -> Iterator[None]:
    previous = clock.use_clock(clock.FrozenClock(clock.now() - timedelta(days=days)))
    try:
        yield
    finally:
        clock.use_clock(previous)


async def _ask(session: AsyncSession, principal: Principal, amount: int, key: str) -> uuid.UUID:
    data = PayoutRequestIn(amount_minor=amount, currency="EUR")
    result = await service.request_payout(session, principal, data, key)
    await service.send_pending_payout(session, result.payout.id)
    return result.payout.id


async def seed_payouts_demo(session: AsyncSession, files: FileStore) -> None:
    del files
    atelier = await _seller(session, "atelier@mercato.example")
    nordic = await _seller(session, "nordic@mercato.example")
    admin_id = await find_user_id_by_email(session, ADMIN_EMAIL)
    if atelier is None or nordic is None or admin_id is None:
        log.warning("payouts_demo_people_missing")
        return
    admin = Principal(user_id=admin_id, role=Role.ADMIN, email=ADMIN_EMAIL)
    if (await service.list_payouts(session, admin, limit=1)).items:
        return
    (lea, atelier_id), (erik, nordic_id) = atelier, nordic
    weekly = ScheduleIn(interval=Interval.WEEKLY, weekly_anchor=4, minimums={"EUR": 2000})
    await service.save_my_schedule(session, lea, weekly)
    # Erik asks for his payouts himself, from 10 euros.
    manual = ScheduleIn(interval=Interval.MANUAL, minimums={"EUR": 1000})
    await service.save_my_schedule(session, erik, manual)
    # This month's plan fees come out of the balances first, as the monthly charge would.
    await charge_plan_fees(session)
    # Shares of what the sellers' released orders brought them, in whole euros.
    paid = _whole_euros(await _available(session, atelier_id) * 6 // 10)
    failed = _whole_euros(await _available(session, nordic_id) // 2)
    if not paid or not failed:
        log.warning("payouts_demo_no_released_money")
        return
    with _days_ago(8):
        await _ask(session, lea, paid, "demo-paid")
    with _days_ago(6):
        await _failed_payout(session, erik, nordic_id, failed)
    pending = _whole_euros(await _available(session, atelier_id) // 2)
    if pending:
        with _days_ago(0.5):
            await create_payout(
                session,
                NewPayout(
                    atelier_id,
                    pending,
                    "EUR",
                    f"request:{atelier_id}:demo-pending",
                    Trigger.SELLER,
                    lea.user_id,
                    send_after_commit=False,
                ),
            )


def _whole_euros(amount_minor: int) -> int:
    return amount_minor - amount_minor % 100


async def _failed_payout(
    session: AsyncSession, erik: Principal, seller_id: uuid.UUID, amount: int
) -> None:
    """Erik's bank account was closed when the payout left; he has given a new one since."""
    account = await get_payout_account(session, erik)
    iban = await get_payout_destination(session, seller_id)
    if account is None or iban is None:
        return
    closed = PayoutAccountIn(account_holder=account.account_holder, iban=FAILING_PAYOUT_IBAN)
    await save_payout_account(session, erik, closed)
    await _ask(session, erik, amount, "demo-failed")
    await save_payout_account(
        session, erik, PayoutAccountIn(account_holder=account.account_holder, iban=iban)
    )
