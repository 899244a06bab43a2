"""Helpers shared by the payouts use cases: who may see which payout, the response model, and
the facts that decide whether a seller may be paid out."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import NotFound
from mercato.payments.service import (
    SellerBalances,
    payout_provider_name,
    pays_out_to_connected_accounts,
)
from mercato.payouts import repository
from mercato.payouts.calculations import PayoutFacts
from mercato.payouts.models import Payout
from mercato.payouts.schemas import PayoutOut, PayoutStatus, Trigger
from mercato.performance import payouts_held
from mercato.sellers.schemas import SellerStatus
from mercato.sellers.service import get_payout_destination, get_seller, require_own_seller


async def own_seller_id(session: AsyncSession, principal: Principal) -> uuid.UUID:
    """The signed-in seller's id; any other role is refused (403), a user without a seller
    account gets a 404."""
    principal.require_role(Role.SELLER)
    return (await require_own_seller(session, principal)).id


def require_staff(principal: Principal, *, write: bool = False) -> None:
    """Support reads, only admins change anything."""
    if write:
        principal.require_role(Role.ADMIN)
    else:
        principal.require_role(Role.ADMIN, Role.SUPPORT)


async def visible_payout(
    session: AsyncSession, principal: Principal, payout_id: uuid.UUID, *, for_update: bool = False
) -> Payout:
    """A payout the principal may see: staff see all, a seller only its own (another seller's
    payout is a 404, so its existence is not revealed)."""
    principal.require_user()
    if principal.role is Role.SELLER:
        seller_id = await own_seller_id(session, principal)
        payout = await repository.get_payout(session, payout_id, for_update=for_update)
        if payout is None or payout.seller_id != seller_id:
            raise NotFound("No such payout.")
        return payout
    require_staff(principal)
    payout = await repository.get_payout(session, payout_id, for_update=for_update)
    if payout is None:
        raise NotFound("No such payout.")
    return payout


def payout_out(payout: Payout) -> PayoutOut:
    return PayoutOut(
        id=payout.id,
        seller_id=payout.seller_id,
        currency=payout.currency,
        amount_minor=payout.amount_minor,
        status=PayoutStatus(payout.status),
        trigger=Trigger(payout.trigger),
        provider=payout.provider,
        destination_last4=payout.destination_last4,
        provider_payout_id=payout.provider_payout_id,
        failure_code=payout.failure_code,
        failure_message=payout.failure_message,
        retry_of_id=payout.retry_of_id,
        created_at=payout.created_at,
        sent_at=payout.sent_at,
        paid_at=payout.paid_at,
        failed_at=payout.failed_at,
        canceled_at=payout.canceled_at,
    )


async def payout_facts(
    session: AsyncSession, seller_id: uuid.UUID, balances: SellerBalances, frozen_minor: int
) -> tuple[PayoutFacts, str | None]:
    """The facts the payout rules decide on, and where the provider new payouts go through pays
    the seller (None if the seller has not told us)."""
    seller = await get_seller(session, seller_id)
    if seller is None:
        raise NotFound("No such seller.")
    destination = await payout_destination(session, seller_id, payout_provider_name())
    facts = PayoutFacts(
        suspended=seller.status is SellerStatus.SUSPENDED,
        has_payout_account=bool(destination),
        available_minor=balances.available_minor,
        debt_minor=balances.debt_minor,
        frozen_minor=frozen_minor,
        performance_hold=await payouts_held(session, seller_id),
    )
    return facts, destination


async def payout_destination(
    session: AsyncSession, seller_id: uuid.UUID, provider_name: str
) -> str | None:
    """The seller's IBAN, or its account at a provider that pays out through one (Stripe)."""
    connected = pays_out_to_connected_accounts(provider_name)
    return await get_payout_destination(session, seller_id, connected_account=connected)
