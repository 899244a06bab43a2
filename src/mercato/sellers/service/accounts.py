"""The seller account as other domains see it: opening one at sign-up, finding a principal's
seller, whether it may publish, its public storefront, and the first-listing milestone."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, NotFound
from mercato.sellers import repository
from mercato.sellers.models import Seller, SellerStatusChange
from mercato.sellers.schemas import SellerContact, SellerOut, SellerStatus, SellerStorefront
from mercato.sellers.service._common import logo_url, own_seller, status_of

PUBLIC_STATUSES = frozenset({SellerStatus.ADMITTED, SellerStatus.SUSPENDED})


async def open_application(
    session: AsyncSession, owner_user_id: uuid.UUID, business_name: str
) -> SellerOut:
    """Create the seller account of a newly signed-up seller, in the ``applying`` state."""
    if await repository.get_by_owner(session, owner_user_id) is not None:
        raise Conflict("This user already has a seller account.")
    seller = Seller(
        owner_user_id=owner_user_id,
        business_name=business_name,
        status=SellerStatus.APPLYING,
    )
    session.add(seller)
    await session.flush()
    session.add(
        SellerStatusChange(
            seller_id=seller.id,
            from_status=None,
            to_status=SellerStatus.APPLYING.value,
            actor_user_id=owner_user_id,
            actor_role="seller",
            actor_label=None,
            reason=None,
            created_at=clock.now(),
        )
    )
    await session.flush()
    return SellerOut.model_validate(seller)


async def get_my_seller(session: AsyncSession, principal: Principal) -> SellerOut:
    """The seller account owned by the signed-in seller."""
    return SellerOut.model_validate(await own_seller(session, principal))


async def find_seller_of(session: AsyncSession, owner_user_id: uuid.UUID) -> SellerOut | None:
    seller = await repository.get_by_owner(session, owner_user_id)
    return None if seller is None else SellerOut.model_validate(seller)


def can_publish(seller: SellerOut) -> bool:
    """Only admitted sellers who are not suspended may publish listings."""
    return seller.status is SellerStatus.ADMITTED


async def require_own_seller(session: AsyncSession, principal: Principal) -> SellerOut:
    """The signed-in seller's account, for use cases acting on the seller's own data."""
    return await get_my_seller(session, principal)


async def get_seller_contact(session: AsyncSession, seller_id: uuid.UUID) -> SellerContact | None:
    """Who to write to about a seller's orders: the application's contact (the owner's own
    address is the fallback, looked up by the caller in accounts)."""
    seller = await repository.get_by_id(session, seller_id)
    if seller is None:
        return None
    return SellerContact(
        owner_user_id=seller.owner_user_id,
        email=seller.contact_email,
        name=seller.contact_name or seller.business_name,
    )


async def get_payout_destination(
    session: AsyncSession, seller_id: uuid.UUID, *, connected_account: bool = False
) -> str | None:
    """Where the provider pays the seller: its IBAN in clear (for the payout call only, never
    shown: pages use the masked payout account), or with ``connected_account`` its account at
    the provider. None when the seller has none."""
    seller = await repository.get_by_id(session, seller_id)
    if seller is None:
        return None
    return seller.provider_account_id if connected_account else seller.payout_iban


async def get_seller(session: AsyncSession, seller_id: uuid.UUID) -> SellerOut | None:
    seller = await repository.get_by_id(session, seller_id)
    return None if seller is None else SellerOut.model_validate(seller)


def _storefront(seller: Seller) -> SellerStorefront:
    return SellerStorefront(
        seller_id=seller.id,
        business_name=seller.business_name,
        display_name=seller.display_name or seller.business_name,
        logo_key=seller.logo_key,
        logo_url=logo_url(seller),
        description=seller.description,
        return_policy=seller.return_policy,
        country=seller.country,
        can_sell=status_of(seller) is SellerStatus.ADMITTED,
    )


async def get_storefront(session: AsyncSession, seller_id: uuid.UUID) -> SellerStorefront | None:
    """The public storefront of a seller that has been admitted (``can_sell`` is False while
    suspended); None for unknown sellers and applicants, who have no public face."""
    seller = await repository.get_by_id(session, seller_id)
    if seller is None or status_of(seller) not in PUBLIC_STATUSES:
        return None
    return _storefront(seller)


async def get_storefronts(
    session: AsyncSession, seller_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, SellerStorefront]:
    """:func:`get_storefront` for many sellers in one query (search results, seller cards)."""
    if not seller_ids:
        return {}
    rows = await repository.get_many_in_statuses(
        session, seller_ids, [status.value for status in PUBLIC_STATUSES]
    )
    return {seller.id: _storefront(seller) for seller in rows}


async def get_public_storefront(session: AsyncSession, seller_id: uuid.UUID) -> SellerStorefront:
    """The storefront shoppers may see: only sellers who can sell have one."""
    storefront = await get_storefront(session, seller_id)
    if storefront is None or not storefront.can_sell:
        raise NotFound("No such seller.")
    return storefront


async def record_first_listing(session: AsyncSession, seller_id: uuid.UUID) -> None:
    """Mark the seller's first published listing (completes that onboarding step); called by
    the catalog when a listing is published. Later calls change nothing."""
    seller = await repository.get_by_id(session, seller_id)
    if seller is not None and seller.first_listing_at is None:
        seller.first_listing_at = clock.now()
        await session.flush()


async def seller_admitted_at(session: AsyncSession, seller_id: uuid.UUID) -> datetime | None:
    """When the seller was admitted (None while not admitted): new-seller incentives count
    their days from it."""
    seller = await repository.get_by_id(session, seller_id)
    return None if seller is None else seller.admitted_at
