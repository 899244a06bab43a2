"""Emails to a seller about its SLA deadlines, queued in the unit of work that decided them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import get_contact
from mercato.governance.schemas import DEADLINE_LABELS
from mercato.notifications.service import queue_templated_email
from mercato.sellers.service import get_seller_contact


async def mail_seller(
    session: AsyncSession, seller_id: uuid.UUID, template: str, context: dict[str, Any]
) -> bool:
    """Queue ``governance/email/<template>`` to the seller; False when it has no address."""
    seller = await get_seller_contact(session, seller_id)
    if seller is None:
        return False
    address = seller.email
    if not address:
        owner = await get_contact(session, seller.owner_user_id)
        address = owner.email if owner else None
    if not address:
        return False
    full = {"recipient_name": seller.name, "labels": DEADLINE_LABELS, "url": "/seller/sla"}
    await queue_templated_email(session, address, f"governance/email/{template}", full | context)
    return True
