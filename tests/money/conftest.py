"""Money tests across settlement, commission and payouts: the orders test market (two admitted
sellers, a buyer), with the handlers that open escrows (freezing their fees), and the payout
job."""

from __future__ import annotations

import uuid

import mercato.payouts.tasks
import mercato.settlement.handlers
import mercato.settlement.tasks  # noqa: F401  (escrow, fees, release sweep and payout job)
from mercato.kit.runtime import Runtime
from mercato.payouts import service as payouts
from mercato.payouts.schemas import Interval, ScheduleIn
from mercato.sellers.schemas import PayoutAccountIn
from mercato.sellers.service import save_payout_account
from tests.orders.conftest import Market, market
from tests.settlement.conftest import seller_of

__all__ = ["Market", "market"]
GOOD_IBAN = "DE89370400440532013000"


async def ready_for_payouts(runtime: Runtime, market: Market, minimums: dict[str, int]) -> None:
    """Give the market's first seller a payout account and a manual schedule with these
    minimums (minor units per currency)."""
    principal = seller_of(market)
    async with runtime.database.transaction() as session:
        account = PayoutAccountIn(account_holder="Test Holder", iban=GOOD_IBAN)
        await save_payout_account(session, principal, account)
        schedule = ScheduleIn(interval=Interval.MANUAL, minimums=minimums)
        await payouts.save_my_schedule(session, principal, schedule)


def new_key() -> str:
    return uuid.uuid4().hex
