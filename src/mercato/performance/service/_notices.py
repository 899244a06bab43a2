"""Emails to a seller about its performance standing, queued in the deciding unit of work."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import get_contact
from mercato.notifications.service import queue_templated_email
from mercato.sellers.service import get_seller_contact

SELLER_PAGE = "/seller/performance"


async def mail_seller(
    session: AsyncSession, seller_id: uuid.UUID, subject: str, message: str
) -> bool:
    """Queue the standing notice to the seller; False when it has no address."""
    seller = await get_seller_contact(session, seller_id)
    if seller is None:
        return False
    address = seller.email
    if not address:
        owner = await get_contact(session, seller.owner_user_id)
        address = owner.email if owner else None
    if not address:
        return False
    context = {
        "recipient_name": seller.name,
        "subject": subject,
        "message": message,
        "url": SELLER_PAGE,
    }
    await queue_templated_email(session, address, "performance/email/standing_notice", context)
    return True
