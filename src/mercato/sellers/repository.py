"""All SQL of the sellers domain."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.repository import Slice, newest_first
from mercato.sellers.models import (
    DocumentRequirement,
    Seller,
    SellerCheck,
    SellerDocument,
    SellerStatusChange,
    TermsAcceptance,
    TermsVersion,
)

# --- sellers -------------------------------------------------------------------------------


async def get_by_owner(session: AsyncSession, owner_user_id: uuid.UUID) -> Seller | None:
    statement = select(Seller).where(Seller.owner_user_id == owner_user_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_by_id(session: AsyncSession, seller_id: uuid.UUID) -> Seller | None:
    return await session.get(Seller, seller_id)


async def get_many_in_statuses(
    session: AsyncSession, seller_ids: Collection[uuid.UUID], statuses: Collection[str]
) -> list[Seller]:
    statement = select(Seller).where(Seller.id.in_(set(seller_ids)), Seller.status.in_(statuses))
    return list((await session.execute(statement)).scalars())


async def list_sellers(
    session: AsyncSession, *, statuses: Sequence[str], cursor: str | None, limit: int
) -> Slice[Seller]:
    statement = select(Seller)
    if statuses:
        statement = statement.where(Seller.status.in_(statuses))
    return await newest_first(session, statement, Seller.id, cursor=cursor, limit=limit)


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    statement = select(Seller.status, func.count()).group_by(Seller.status)
    return {row[0]: row[1] for row in (await session.execute(statement)).all()}


async def others_with_tax_index(
    session: AsyncSession, seller_id: uuid.UUID, index: str
) -> list[Seller]:
    statement = (
        select(Seller)
        .where(Seller.tax_id_index == index, Seller.id != seller_id)
        .order_by(Seller.created_at)
    )
    return list((await session.execute(statement)).scalars())


async def others_with_iban_index(
    session: AsyncSession, seller_id: uuid.UUID, index: str
) -> list[Seller]:
    statement = (
        select(Seller)
        .where(Seller.payout_iban_index == index, Seller.id != seller_id)
        .order_by(Seller.created_at)
    )
    return list((await session.execute(statement)).scalars())


# --- documents -----------------------------------------------------------------------------


async def list_documents(session: AsyncSession, seller_id: uuid.UUID) -> list[SellerDocument]:
    statement = (
        select(SellerDocument)
        .where(SellerDocument.seller_id == seller_id)
        .order_by(SellerDocument.created_at, SellerDocument.id)
    )
    return list((await session.execute(statement)).scalars())


async def get_document(session: AsyncSession, document_id: uuid.UUID) -> SellerDocument | None:
    return await session.get(SellerDocument, document_id)


async def count_documents_by_seller(
    session: AsyncSession, seller_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not seller_ids:
        return {}
    statement = (
        select(SellerDocument.seller_id, func.count())
        .where(SellerDocument.seller_id.in_(seller_ids))
        .group_by(SellerDocument.seller_id)
    )
    return {row[0]: row[1] for row in (await session.execute(statement)).all()}


# --- checks and audit ----------------------------------------------------------------------


async def latest_checks(session: AsyncSession, seller: Seller) -> list[SellerCheck]:
    """The checks of the latest run of each check (a payout change re-runs one check)."""
    statement = (
        select(SellerCheck)
        .where(SellerCheck.seller_id == seller.id)
        .order_by(SellerCheck.created_at.desc(), SellerCheck.id.desc())
    )
    latest: dict[str, SellerCheck] = {}
    for check in (await session.execute(statement)).scalars():
        latest.setdefault(check.code, check)
    return sorted(latest.values(), key=lambda c: c.id)


async def failed_check_counts(
    session: AsyncSession, seller_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not seller_ids:
        return {}
    statement = (
        select(SellerCheck)
        .where(SellerCheck.seller_id.in_(seller_ids))
        .order_by(SellerCheck.created_at.desc(), SellerCheck.id.desc())
    )
    latest: dict[tuple[uuid.UUID, str], str] = {}
    for check in (await session.execute(statement)).scalars():
        latest.setdefault((check.seller_id, check.code), check.outcome)
    counts: dict[uuid.UUID, int] = {}
    for (seller_id, _code), outcome in latest.items():
        counts[seller_id] = counts.get(seller_id, 0) + (outcome == "fail")
    return counts


async def list_status_changes(
    session: AsyncSession, seller_id: uuid.UUID
) -> list[SellerStatusChange]:
    statement = (
        select(SellerStatusChange)
        .where(SellerStatusChange.seller_id == seller_id)
        .order_by(SellerStatusChange.created_at, SellerStatusChange.id)
    )
    return list((await session.execute(statement)).scalars())


# --- criteria ------------------------------------------------------------------------------


async def list_criteria(session: AsyncSession) -> list[DocumentRequirement]:
    statement = select(DocumentRequirement).order_by(
        DocumentRequirement.country, DocumentRequirement.doc_type, DocumentRequirement.applies_to
    )
    return list((await session.execute(statement)).scalars())


async def find_criterion(
    session: AsyncSession, country: str, doc_type: str, applies_to: str
) -> DocumentRequirement | None:
    statement = select(DocumentRequirement).where(
        DocumentRequirement.country == country,
        DocumentRequirement.doc_type == doc_type,
        DocumentRequirement.applies_to == applies_to,
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def delete_criterion(session: AsyncSession, criterion_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(DocumentRequirement).where(DocumentRequirement.id == criterion_id)
    )
    return bool(getattr(result, "rowcount", 0))


# --- terms ---------------------------------------------------------------------------------


async def terms_in_force(session: AsyncSession, at: datetime) -> TermsVersion | None:
    """The version in force at ``at``: of those whose effective date has come, the one that
    came last (the highest version among those starting at the same time). A version
    scheduled for later thus takes over at its time, even when a newer one applied earlier."""
    statement = (
        select(TermsVersion)
        .where(TermsVersion.effective_from <= at)
        .order_by(TermsVersion.effective_from.desc(), TermsVersion.version.desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def latest_terms(session: AsyncSession) -> TermsVersion | None:
    """The highest version published, in force or scheduled."""
    statement = select(TermsVersion).order_by(TermsVersion.version.desc()).limit(1)
    return (await session.execute(statement)).scalar_one_or_none()


async def list_terms(session: AsyncSession) -> list[TermsVersion]:
    statement = select(TermsVersion).order_by(TermsVersion.version.desc())
    return list((await session.execute(statement)).scalars())


async def latest_acceptance(
    session: AsyncSession, seller_id: uuid.UUID
) -> tuple[TermsAcceptance, TermsVersion] | None:
    statement = (
        select(TermsAcceptance, TermsVersion)
        .join(TermsVersion, TermsVersion.id == TermsAcceptance.terms_version_id)
        .where(TermsAcceptance.seller_id == seller_id)
        .order_by(TermsVersion.version.desc())
        .limit(1)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else (row[0], row[1])


async def get_acceptance(
    session: AsyncSession, seller_id: uuid.UUID, terms_version_id: uuid.UUID
) -> TermsAcceptance | None:
    statement = select(TermsAcceptance).where(
        TermsAcceptance.seller_id == seller_id,
        TermsAcceptance.terms_version_id == terms_version_id,
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def count_acceptances(session: AsyncSession) -> dict[uuid.UUID, int]:
    statement = select(TermsAcceptance.terms_version_id, func.count()).group_by(
        TermsAcceptance.terms_version_id
    )
    return {row[0]: row[1] for row in (await session.execute(statement)).all()}


async def get_by_provider_account(session: AsyncSession, account_id: str) -> Seller | None:
    statement = select(Seller).where(Seller.provider_account_id == account_id)
    return (await session.execute(statement)).scalar_one_or_none()
