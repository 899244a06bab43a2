"""Helpers shared by the sellers use cases: loading the seller a principal may act on, turning
rows into responses, the status audit trail, notifications and stored uploads."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock, crypto, events
from mercato.kit.auth import Principal, Role
from mercato.kit.db import after_commit
from mercato.kit.errors import (
    Conflict,
    FieldError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from mercato.kit.runtime import current_runtime
from mercato.kit.storage import FileStore, StoredFile
from mercato.notifications.service import queue_email
from mercato.sellers import policy, repository
from mercato.sellers.events import SellerStatusChanged
from mercato.sellers.models import Seller, SellerDocument, SellerStatusChange, TermsVersion
from mercato.sellers.schemas import (
    STATUS_LABELS,
    DocumentOut,
    PayoutAccountOut,
    SellerStatus,
    StatusChangeOut,
    StorefrontOut,
    TermsOut,
)

API = "/api/v1"


@dataclass(frozen=True)
class FileDownload:
    """A stored file an adapter may stream, with the name to offer the browser."""

    data: bytes
    content_type: str
    filename: str
    public: bool = False


@dataclass(frozen=True)
class Actor:
    """Who changed a status, as recorded in the audit trail (None: the platform itself)."""

    user_id: uuid.UUID | None
    role: str | None
    label: str | None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        role = principal.role.value if principal.role else None
        return cls(principal.user_id, role, principal.email or None)


SYSTEM = Actor(None, None, "Mercato")


def system_actor(origin: str) -> Actor:
    """The platform acting on its own for ``origin`` (say, "Seller performance"): no user,
    the origin as the name the audit trail shows."""
    return Actor(None, None, origin)


def status_of(seller: Seller) -> SellerStatus:
    return SellerStatus(seller.status)


async def own_seller(session: AsyncSession, principal: Principal) -> Seller:
    """The signed-in seller's own row; any other role is refused."""
    user_id = principal.require_role(Role.SELLER)
    seller = await repository.get_by_owner(session, user_id)
    if seller is None:
        raise NotFound("You have no seller account.")
    return seller


async def seller_for_staff(
    session: AsyncSession, principal: Principal, seller_id: uuid.UUID, *, write: bool = False
) -> Seller:
    """A seller, for staff: support reads, only admins change anything."""
    if write:
        principal.require_role(Role.ADMIN)
    else:
        principal.require_role(Role.ADMIN, Role.SUPPORT)
    seller = await repository.get_by_id(session, seller_id)
    if seller is None:
        raise NotFound("No such seller.")
    return seller


def require_onboarding_open(seller: Seller) -> None:
    if status_of(seller) not in policy.ONBOARDING_OPEN:
        raise Conflict("Your application was rejected: there is nothing more to set up.")


def blind_index(purpose: str, value: str) -> str:
    return crypto.current_keyring().blind_index(f"{purpose}:{value}")


async def change_status(
    session: AsyncSession,
    seller: Seller,
    to_status: SellerStatus,
    actor: Actor,
    reason: str | None = None,
) -> None:
    """Move ``seller`` to ``to_status`` and write the audit row; subscribers hear of it after
    the commit."""
    from_status = seller.status
    seller.status = to_status.value
    session.add(
        SellerStatusChange(
            seller_id=seller.id,
            from_status=from_status,
            to_status=to_status.value,
            actor_user_id=actor.user_id,
            actor_role=actor.role,
            actor_label=actor.label,
            reason=reason,
            created_at=clock.now(),
        )
    )
    await session.flush()
    events.record(session, SellerStatusChanged(seller.id, from_status, to_status.value))


async def notify_seller(session: AsyncSession, seller: Seller, subject: str, body: str) -> None:
    """Email the application's contact address (given before any review step happens)."""
    if not seller.contact_email:
        return
    settings = current_runtime().settings
    link = f"{settings.base_url}/seller"
    greeting = f"Hello {seller.contact_name or seller.business_name},\n\n"
    footer = f"\n\nYour seller portal: {link}\n\nThe Mercato team\n"
    await queue_email(session, seller.contact_email, subject, greeting + body + footer)


def store_upload(
    files: FileStore,
    data: bytes,
    *,
    allowed: frozenset[str],
    max_bytes: int,
    field: str,
    kinds: str,
) -> StoredFile:
    """Validate (type sniffed from the content) and store an upload; a refusal names the
    field and writes nothing."""
    if len(data) > max_bytes:
        message = (
            f"The file is larger than {max_bytes // 1024} KB. Compress it, or scan it at a "
            "lower resolution."
        )
        raise PayloadTooLarge(message, errors=[FieldError(field, message)])
    try:
        return files.save(data, allowed=allowed, max_bytes=max_bytes, field=field)
    except UnsupportedMediaType as error:
        message = f"This file is not a {kinds} (we read its content, not its name)."
        raise UnsupportedMediaType(message, errors=[FieldError(field, message)]) from error
    except ValidationFailed as error:
        raise ValidationFailed.on(field, error.detail) from error


def delete_file_after_commit(session: AsyncSession, files: FileStore, key: str) -> None:
    async def remove() -> None:
        files.delete(key)

    after_commit(session, remove)


def document_out(document: SellerDocument) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        doc_type=document.doc_type,
        filename=document.filename,
        content_type=document.content_type,
        size_bytes=document.size_bytes,
        created_at=document.created_at,
        download_url=f"{API}/sellers/documents/{document.id}",
    )


def history_out(change: SellerStatusChange) -> StatusChangeOut:
    return StatusChangeOut(
        from_status=change.from_status,
        to_status=change.to_status,
        reason=change.reason,
        actor_role=change.actor_role,
        actor_label=change.actor_label,
        created_at=change.created_at,
    )


def logo_url(seller: Seller) -> str | None:
    if not seller.logo_key:
        return None
    version = hashlib.sha256(seller.logo_key.encode()).hexdigest()[:12]
    return f"{API}/sellers/{seller.id}/logo?v={version}"


def storefront_out(seller: Seller) -> StorefrontOut:
    return StorefrontOut(
        display_name=seller.display_name,
        description=seller.description,
        return_policy=seller.return_policy,
        logo_url=logo_url(seller),
        updated_at=seller.storefront_updated_at,
    )


def payout_out(seller: Seller) -> PayoutAccountOut | None:
    if not (seller.payout_iban_last4 and seller.payout_holder and seller.payout_updated_at):
        return None
    country = (seller.payout_iban or "??")[:2]
    return PayoutAccountOut(
        account_holder=seller.payout_holder,
        iban_country=country,
        iban_last4=seller.payout_iban_last4,
        iban_masked=f"{country}•• •••• •••• {seller.payout_iban_last4}",
        updated_at=seller.payout_updated_at,
    )


def status_label(seller: Seller) -> str:
    return STATUS_LABELS[status_of(seller)]


def terms_out(terms: TermsVersion, in_force: TermsVersion | None, now: datetime) -> TermsOut:
    """A terms version with where it stands at ``now`` (in force, scheduled, superseded)."""
    state = policy.terms_state(
        terms.version, terms.effective_from, in_force.version if in_force else None, now
    )
    return TermsOut.model_validate(terms).model_copy(update={"state": state})
