"""The audit part of the demo marketplace.

The money the demo moved (payments, releases, refunds, payouts) is already in the log: the
audit handlers saw those events while the earlier seeds ran. This seed adds what happened
outside any request, through :func:`record` with the real subjects: the staff's first
sign-ins and the admin's decisions on the demo seller applications. Each entry has a natural
key, so seeding again adds nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.audit import service
from mercato.kit.auth import Principal, Role
from mercato.kit.storage import FileStore
from mercato.sellers.schemas import SellerStatus
from mercato.sellers.service import list_applications

ADMIN_EMAIL = "admin@mercato.example"
SUPPORT_EMAIL = "support@mercato.example"
DEMO_IP = "127.0.0.1"
DECIDED = (SellerStatus.INFO_REQUESTED, SellerStatus.ADMITTED, SellerStatus.REJECTED)


async def _staff(session: AsyncSession, email: str, role: Role) -> Principal | None:
    user_id = await find_user_id_by_email(session, email)
    return None if user_id is None else Principal(user_id=user_id, role=role, email=email)


async def seed_audit_demo(session: AsyncSession, files: FileStore) -> None:
    """Record the demo staff's sign-ins and the admin's seller decisions (idempotent)."""
    del files
    admin = await _staff(session, ADMIN_EMAIL, Role.ADMIN)
    support = await _staff(session, SUPPORT_EMAIL, Role.SUPPORT)
    for staff in (admin, support):
        if staff is not None:
            await service.record(
                session,
                actor=staff,
                action="accounts.login",
                subject_type="user",
                subject_id=staff.user_id,
                detail={"method": "password"},
                ip_address=DEMO_IP,
                dedup_key=f"demo:accounts.login:{staff.email}",
            )
    if admin is not None:
        await _seller_decisions(session, admin)


async def _seller_decisions(session: AsyncSession, admin: Principal) -> None:
    page = await list_applications(session, admin, statuses=DECIDED, limit=100)
    for seller in sorted(page.items, key=lambda s: s.created_at):
        await service.record(
            session,
            actor=admin,
            action="sellers.decision",
            subject_type="seller",
            subject_id=seller.id,
            detail={"business_name": seller.business_name, "outcome": seller.status.value},
            ip_address=DEMO_IP,
            dedup_key=f"demo:sellers.decision:{seller.id}",
        )
