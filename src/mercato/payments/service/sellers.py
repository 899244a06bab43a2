"""A seller's money in the ledger: what is pending, available, in transit to its bank, and what
it owes. Other domains (settlement, payouts, commission) move a seller's money only through
these helpers, so that debt is always repaid first and never hidden in a negative balance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.payments import repository
from mercato.payments.calculations import (
    Posting,
    seller_available_account,
    seller_charge_postings,
    seller_credit_postings,
    seller_debt_account,
    seller_in_transit_account,
    seller_pending_account,
)
from mercato.payments.models import LedgerJournal
from mercato.payments.service.ledger import post_journal


@dataclass(frozen=True)
class SellerBalances:
    """One seller's balances in one currency, in minor units; ``debt_minor`` is what the seller
    owes the platform (never negative)."""

    seller_id: uuid.UUID
    currency: str
    pending_minor: int
    available_minor: int
    in_transit_minor: int
    debt_minor: int


def _accounts(seller_id: uuid.UUID) -> list[str]:
    return [
        seller_pending_account(seller_id),
        seller_available_account(seller_id),
        seller_in_transit_account(seller_id),
        seller_debt_account(seller_id),
    ]


async def seller_balances(
    session: AsyncSession, seller_id: uuid.UUID, currency: str, *, lock: bool = False
) -> SellerBalances:
    """The seller's balances. With ``lock`` the rows stay locked until the transaction ends:
    take it before deciding what to post from them (a payout, a refund after release)."""
    if lock:
        found = await repository.lock_balances(session, _accounts(seller_id), currency)
    else:
        found = {
            account: await repository.cached_balance(session, account, currency) or 0
            for account in _accounts(seller_id)
        }
    return SellerBalances(
        seller_id=seller_id,
        currency=currency,
        pending_minor=found.get(seller_pending_account(seller_id), 0),
        available_minor=found.get(seller_available_account(seller_id), 0),
        in_transit_minor=found.get(seller_in_transit_account(seller_id), 0),
        debt_minor=-found.get(seller_debt_account(seller_id), 0),
    )


async def credit_seller(
    session: AsyncSession,
    seller_id: uuid.UUID,
    source: Sequence[Posting],
    *,
    key: str,
    kind: str,
    reference: str,
    pending: bool = False,
) -> LedgerJournal:
    """Post ``source`` (the negative postings the money comes from, e.g. an order's escrow)
    and give their sum to the seller: its debt is repaid first, the rest lands on its available
    account (or its pending account while a hold period runs). Locks the seller's balances."""
    currency = _single_currency(source)
    amount = -sum(posting.amount_minor for posting in source)
    balances = await seller_balances(session, seller_id, currency, lock=True)
    target = seller_pending_account(seller_id) if pending else seller_available_account(seller_id)
    credit = seller_credit_postings(seller_id, amount, currency, balances.debt_minor, to=target)
    return await post_journal(session, key, kind, [*source, *credit], reference)


async def charge_seller(
    session: AsyncSession,
    seller_id: uuid.UUID,
    destination: Sequence[Posting],
    *,
    key: str,
    kind: str,
    reference: str,
) -> LedgerJournal:
    """Post ``destination`` (the positive postings the money goes to, e.g. platform revenue or
    the provider's clearing account for a refund) and take their sum from the seller: from its
    available balance first, the rest recorded as debt. Locks the seller's balances."""
    currency = _single_currency(destination)
    amount = sum(posting.amount_minor for posting in destination)
    balances = await seller_balances(session, seller_id, currency, lock=True)
    charge = seller_charge_postings(seller_id, amount, currency, balances.available_minor)
    return await post_journal(session, key, kind, [*destination, *charge], reference)


def _single_currency(postings: Sequence[Posting]) -> str:
    currencies = {posting.currency for posting in postings}
    if len(currencies) != 1:
        raise ValueError("Seller postings are in exactly one currency.")
    return currencies.pop()
