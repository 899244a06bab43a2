"""Onboarding in the seller portal: the checklist (computed on every read, never stored),
accepting the seller terms, the payout account and the storefront profile."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock, events
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from mercato.kit.storage import FileStore
from mercato.sellers import policy, repository
from mercato.sellers.events import SellerStorefrontChanged
from mercato.sellers.models import Seller, TermsAcceptance, TermsVersion
from mercato.sellers.schemas import (
    Checklist,
    ChecklistStatus,
    PayoutAccountIn,
    PayoutAccountOut,
    SellerOut,
    SellerStatus,
    StorefrontIn,
    StorefrontOut,
    TermsAcceptanceOut,
    TermsOut,
    TermsStatusOut,
)
from mercato.sellers.service._common import (
    FileDownload,
    blind_index,
    delete_file_after_commit,
    own_seller,
    payout_out,
    require_onboarding_open,
    status_label,
    status_of,
    store_upload,
    storefront_out,
    terms_out,
)
from mercato.sellers.service.accounts import can_publish
from mercato.sellers.service.application import duplicate_bank_account_check

# --- checklist -----------------------------------------------------------------------------


async def get_checklist(session: AsyncSession, principal: Principal) -> Checklist:
    """The seller's onboarding checklist and progress, derived from its data right now."""
    seller = await own_seller(session, principal)
    current = await repository.terms_in_force(session, clock.now())
    accepted = await _acceptance_out(session, seller, current)
    facts = policy.OnboardingFacts(
        status=status_of(seller),
        current_terms_version=current.version if current else None,
        accepted_terms_version=accepted.version if accepted else None,
        has_payout_account=seller.payout_iban is not None,
        storefront_missing=[
            label for name, label in policy.STOREFRONT_PARTS.items() if not getattr(seller, name)
        ],
        first_listing_at=seller.first_listing_at,
    )
    items = policy.checklist(facts)
    done = sum(item.status is ChecklistStatus.COMPLETE for item in items)
    return Checklist(
        seller_id=seller.id,
        status=seller.status,
        status_label=status_label(seller),
        can_publish=can_publish(SellerOut.model_validate(seller)),
        items=items,
        done=done,
        total=len(items),
        percentage=round(100 * done / len(items)),
    )


# --- terms ---------------------------------------------------------------------------------


async def get_current_terms(session: AsyncSession) -> TermsOut:
    """The seller terms in force (public: applicants read them before signing up). A version
    scheduled for later is not shown before its time."""
    now = clock.now()
    terms = await repository.terms_in_force(session, now)
    if terms is None:
        raise NotFound("No seller terms are published yet.")
    return terms_out(terms, terms, now)


async def get_my_terms_acceptance(
    session: AsyncSession, principal: Principal
) -> TermsAcceptanceOut | None:
    """This seller's acceptance of the terms in force, else its latest one (None: never)."""
    seller = await own_seller(session, principal)
    in_force = await repository.terms_in_force(session, clock.now())
    return await _acceptance_out(session, seller, in_force)


async def _acceptance_out(
    session: AsyncSession, seller: Seller, in_force: TermsVersion | None
) -> TermsAcceptanceOut | None:
    """The seller's acceptance of ``in_force`` when it gave one, else its latest acceptance
    (a version scheduled earlier may come into force after a newer one was accepted)."""
    if in_force is not None:
        acceptance = await repository.get_acceptance(session, seller.id, in_force.id)
        if acceptance is not None:
            return _accepted(acceptance, in_force)
    latest = await repository.latest_acceptance(session, seller.id)
    return None if latest is None else _accepted(*latest)


def _accepted(acceptance: TermsAcceptance, terms: TermsVersion) -> TermsAcceptanceOut:
    return TermsAcceptanceOut(
        version=terms.version, accepted_at=acceptance.accepted_at, ip_address=acceptance.ip_address
    )


async def get_my_terms_status(session: AsyncSession, principal: Principal) -> TermsStatusOut:
    """The seller terms in force and whether this seller accepted them. A shop that may still
    accept terms (not rejected) and has not accepted the version in force is not up to date:
    the portal asks it to accept on every page. Nothing else waits for the acceptance, as for
    the first acceptance during onboarding."""
    seller = await own_seller(session, principal)
    now = clock.now()
    in_force = await repository.terms_in_force(session, now)
    accepted = await _acceptance_out(session, seller, in_force)
    up_to_date = (
        in_force is None
        or (accepted is not None and accepted.version == in_force.version)
        or status_of(seller) not in policy.ONBOARDING_OPEN
    )
    return TermsStatusOut(
        in_force=terms_out(in_force, in_force, now) if in_force else None,
        accepted=accepted,
        up_to_date=up_to_date,
    )


async def accept_terms(
    session: AsyncSession, principal: Principal, version: int, ip_address: str
) -> TermsAcceptanceOut:
    """Accept the version of the seller terms in force, recording who, when and from which
    IP. Accepting another version (an older one, or one scheduled for later) is refused;
    accepting twice is harmless."""
    seller = await own_seller(session, principal)
    require_onboarding_open(seller)
    current = await repository.terms_in_force(session, clock.now())
    if current is None:
        raise NotFound("No seller terms are published yet.")
    if version != current.version:
        raise Conflict(
            f"Version {version} is not the current one: read and accept version {current.version}.",
            errors=[FieldError("version", f"The current version is {current.version}.")],
        )
    acceptance = await repository.get_acceptance(session, seller.id, current.id)
    if acceptance is None:
        acceptance = TermsAcceptance(
            seller_id=seller.id,
            terms_version_id=current.id,
            user_id=principal.user_id,
            accepted_at=clock.now(),
            ip_address=ip_address[:64],
        )
        session.add(acceptance)
        await session.flush()
    return _accepted(acceptance, current)


# --- payout account ------------------------------------------------------------------------


async def get_payout_account(
    session: AsyncSession, principal: Principal
) -> PayoutAccountOut | None:
    """The payout account with the IBAN masked to its last four characters (None if unset)."""
    return payout_out(await own_seller(session, principal))


async def save_payout_account(
    session: AsyncSession, principal: Principal, data: PayoutAccountIn
) -> PayoutAccountOut:
    """Set the IBAN earnings are paid to: checked by its country's length and the ISO 13616
    mod-97 checksum, stored encrypted, and compared (by blind index) with other sellers'."""
    seller = await own_seller(session, principal)
    require_onboarding_open(seller)
    errors = []
    if problem := policy.single_line_problem(data.account_holder):
        errors.append(FieldError("account_holder", problem))
    try:
        iban = policy.normalize_iban(data.iban)
    except policy.IbanError as error:
        errors.append(FieldError("iban", str(error)))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    seller.payout_iban = iban
    seller.payout_iban_index = blind_index("iban", iban)
    seller.payout_iban_last4 = iban[-4:]
    seller.payout_holder = data.account_holder
    seller.payout_updated_at = clock.now()
    await session.flush()
    if seller.submission_count > 0:
        # Reviewers see the bank-account check of the account actually on file.
        session.add(await duplicate_bank_account_check(session, seller))
        await session.flush()
    account = payout_out(seller)
    assert account is not None
    return account


# --- storefront ----------------------------------------------------------------------------


async def get_storefront_profile(session: AsyncSession, principal: Principal) -> StorefrontOut:
    return storefront_out(await own_seller(session, principal))


async def save_storefront_profile(
    session: AsyncSession,
    principal: Principal,
    data: StorefrontIn,
    *,
    files: FileStore | None = None,
    logo: bytes | None = None,
) -> StorefrontOut:
    """The public face of the shop: name, description and return policy (shown escaped; the
    name takes no markup at all), and optionally a new logo in the same step."""
    seller = await own_seller(session, principal)
    require_onboarding_open(seller)
    errors = []
    if problem := policy.single_line_problem(data.display_name):
        errors.append(FieldError("display_name", problem))
    for name in ("description", "return_policy"):
        value = getattr(data, name)
        if value and (problem := policy.multi_line_problem(value)):
            errors.append(FieldError(name, problem))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    seller.display_name = data.display_name
    seller.description = data.description
    seller.return_policy = data.return_policy
    if logo is not None and files is not None:
        await _replace_logo(session, seller, files, logo)
    seller.storefront_updated_at = clock.now()
    await session.flush()
    events.record(session, SellerStorefrontChanged(seller.id))
    return storefront_out(seller)


async def upload_logo(
    session: AsyncSession, principal: Principal, files: FileStore, data: bytes
) -> StorefrontOut:
    """Replace the storefront logo (PNG or JPEG, read from the content)."""
    seller = await own_seller(session, principal)
    require_onboarding_open(seller)
    await _replace_logo(session, seller, files, data)
    seller.storefront_updated_at = clock.now()
    await session.flush()
    events.record(session, SellerStorefrontChanged(seller.id))
    return storefront_out(seller)


async def _replace_logo(
    session: AsyncSession, seller: Seller, files: FileStore, data: bytes
) -> None:
    stored = store_upload(
        files,
        data,
        allowed=policy.LOGO_TYPES,
        max_bytes=policy.MAX_LOGO_BYTES,
        field="logo",
        kinds="PNG or JPEG image",
    )
    previous = seller.logo_key
    seller.logo_key = stored.key
    try:
        await session.flush()
    except Exception:
        files.delete(stored.key)
        raise
    if previous:
        delete_file_after_commit(session, files, previous)


async def get_logo(
    session: AsyncSession, principal: Principal, files: FileStore, seller_id: uuid.UUID
) -> FileDownload:
    """A seller's logo: public once admitted; before that only the seller and staff see it."""
    seller = await repository.get_by_id(session, seller_id)
    if seller is None or not seller.logo_key:
        raise NotFound("No such logo.")
    public = status_of(seller) is SellerStatus.ADMITTED
    if not public and not principal.is_staff and principal.user_id != seller.owner_user_id:
        raise NotFound("No such logo.")
    try:
        data = files.read(seller.logo_key)
    except FileNotFoundError as error:
        raise NotFound("No such logo.") from error
    content_type = "image/png" if seller.logo_key.endswith(".png") else "image/jpeg"
    return FileDownload(data, content_type, f"logo{seller.logo_key[-4:]}", public=public)
