"""Bulk import of a seller's CSV: queued as the ``catalog.import_csv`` job, checked row by row
before anything is written, applied in one transaction, and reported row by row.

"All or nothing" writes nothing when any row has a problem; "import the valid rows" writes the
rows that passed. Rows upsert by SKU, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.models import ImportJob, Listing, Variant
from mercato.catalog.policy.importing import (
    CategoryInfo,
    ExistingListing,
    ImportContext,
    ImportPlan,
    ListingPlan,
    Problem,
    VariantRow,
    parse_import,
    problems_csv,
)
from mercato.catalog.schemas import ImportJobOut, ImportStatus
from mercato.catalog.service._common import listings_changed, own_seller
from mercato.catalog.service._tree import load_tree
from mercato.catalog.service._views import import_job_out, problems_json
from mercato.kit import clock
from mercato.kit.auth import Principal
from mercato.kit.cache import Cache
from mercato.kit.errors import NotFound, PayloadTooLarge, ValidationFailed
from mercato.kit.ids import new_id
from mercato.kit.jobs import enqueue
from mercato.kit.storage import FileStore
from mercato.sellers import service as sellers

CSV_MAX_BYTES = 10 * 1024 * 1024
IMPORT_JOB = "catalog.import_csv"
FLUSH_EVERY = 500  # listings per flush: bounded memory in the session, few round trips


def progress_key(job_id: uuid.UUID | str) -> str:
    return f"catalog:import:{job_id}:processed"


@dataclass
class ImportProgress:
    """Live counters of a running import, read by whoever shows progress (the CLI's bar, the
    job's reporter that copies them to the cache for the portal). Checking and writing each
    count for half."""

    total: int = 0
    checked: int = 0
    written: int = 0

    @property
    def processed(self) -> int:
        return (self.checked + self.written) // 2

    def on_checked(self, rows: int) -> None:
        self.checked = rows


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


# --- starting and reading jobs -------------------------------------------------------------


def _check_upload(data: bytes) -> None:
    if not data:
        raise ValidationFailed.on("file", "The file is empty.")
    if len(data) > CSV_MAX_BYTES:
        raise PayloadTooLarge(f"A CSV file must be at most {CSV_MAX_BYTES // (1024 * 1024)} MiB.")


def _new_job(
    seller_id: uuid.UUID, filename: str, data: bytes, valid_only: bool, files: FileStore
) -> ImportJob:
    job = ImportJob(
        id=new_id(),
        seller_id=seller_id,
        filename=(" ".join(filename.split()) or "import.csv")[:200],
        valid_only=valid_only,
        status=ImportStatus.QUEUED.value,
        errors=[],
    )
    job.file_key = f"imports/{seller_id}/{job.id}.csv"
    files.save_derived(job.file_key, data)
    return job


async def start_import(
    session: AsyncSession,
    principal: Principal,
    filename: str,
    data: bytes,
    files: FileStore,
    *,
    valid_only: bool,
) -> ImportJobOut:
    """Queue the import of an uploaded CSV into the signed-in seller's catalog."""
    seller = await own_seller(session, principal)
    _check_upload(data)
    job = _new_job(seller.id, filename, data, valid_only, files)
    session.add(job)
    await session.flush()
    enqueue(session, IMPORT_JOB, job_id=str(job.id))
    return import_job_out(job)


async def create_import_job(
    session: AsyncSession,
    seller_id: uuid.UUID,
    filename: str,
    data: bytes,
    files: FileStore,
    *,
    valid_only: bool,
) -> uuid.UUID:
    """An import the operator runs for a seller (``mercato catalog import-csv``); not queued."""
    if await sellers.get_seller(session, seller_id) is None:
        raise NotFound("No such seller.")
    _check_upload(data)
    job = _new_job(seller_id, filename, data, valid_only, files)
    session.add(job)
    await session.flush()
    return job.id


async def _own_job(session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> ImportJob:
    seller = await own_seller(session, principal)
    job = await repository.get_import_job(session, job_id)
    if job is None or job.seller_id != seller.id:
        raise NotFound("No such import.")
    return job


async def get_import_job(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID, cache: Cache | None = None
) -> ImportJobOut:
    """An import's status, live progress while it runs, and its report once done."""
    job = await _own_job(session, principal, job_id)
    live = None
    if cache is not None and job.status == ImportStatus.RUNNING:
        raw = await cache.get(progress_key(job.id))
        live = int(raw) if raw and raw.isdigit() else None
    return import_job_out(job, live_processed=live)


async def list_import_jobs(
    session: AsyncSession, principal: Principal, limit: int = 10
) -> list[ImportJobOut]:
    seller = await own_seller(session, principal)
    return [
        import_job_out(job) for job in await repository.list_import_jobs(session, seller.id, limit)
    ]


async def import_report_csv(session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> str:
    """The import's problems as CSV (row, column, reason)."""
    job = await _own_job(session, principal, job_id)
    problems = [Problem(p["row"], p["column"], p["reason"]) for p in job.errors or []]
    return problems_csv(problems)


# --- running a job -------------------------------------------------------------------------


async def claim_import_job(session: AsyncSession, job_id: uuid.UUID) -> ImportJob | None:
    """Mark a queued job as running; None when it is gone or already taken (a redelivery)."""
    job = await repository.get_import_job(session, job_id)
    if job is None or job.status != ImportStatus.QUEUED:
        return None
    job.status, job.started_at = ImportStatus.RUNNING.value, clock.now()
    await session.flush()
    return job


async def fail_import_job(session: AsyncSession, job_id: uuid.UUID, message: str) -> None:
    job = await repository.get_import_job(session, job_id)
    if job is not None:
        job.status, job.message, job.finished_at = ImportStatus.FAILED.value, message, clock.now()
        await session.flush()


async def _context(session: AsyncSession, seller_id: uuid.UUID, can_publish: bool) -> ImportContext:
    tree = await load_tree(session)
    categories = {
        c.slug: CategoryInfo(c.id, c.slug, c.name, tuple(tree.specs(c.id)))
        for c in tree.categories.values()
    }
    profiles = {
        p.name.casefold(): p.id for p in await repository.list_shipping_profiles(session, seller_id)
    }
    skus: dict[str, uuid.UUID] = {}
    by_listing: dict[uuid.UUID, set[str]] = defaultdict(set)
    for sku, listing_id in await repository.skus_of_seller(session, seller_id):
        skus[sku.casefold()] = listing_id
        by_listing[listing_id].add(sku.casefold())
    existing = {
        listing_id: ExistingListing(
            listing_id, kind, currency, tuple(names), frozenset(by_listing[listing_id])
        )
        for listing_id, kind, currency, names in await repository.listing_shapes(session, seller_id)
    }
    return ImportContext(categories, profiles, skus, existing, can_publish)


async def run_import(
    session: AsyncSession, job_id: uuid.UUID, data: bytes, progress: ImportProgress
) -> ImportJobOut:
    """Check the whole file, then write it (all of it, only its valid rows, or nothing), and
    record the outcome on the job, all in the caller's one transaction."""
    job = await repository.get_import_job(session, job_id)
    if job is None:
        raise NotFound("No such import.")
    seller = await sellers.get_seller(session, job.seller_id)
    can_publish = seller is not None and sellers.can_publish(seller)
    context = await _context(session, job.seller_id, can_publish)
    plan = await asyncio.to_thread(parse_import, data, context, progress.on_checked)
    progress.total = progress.checked = plan.total_rows
    job.total_rows, job.error_count = plan.total_rows, len(plan.problems)
    job.errors = problems_json(plan.problems)
    counts = ImportCounts()
    if plan.fatal or (plan.problems and not job.valid_only):
        job.message = _refusal(plan)
        job.skipped_rows = plan.total_rows
    else:
        counts = await _apply(session, job.seller_id, plan, progress)
        if can_publish and any(item.status == "published" for item in plan.listings):
            await sellers.record_first_listing(session, job.seller_id)
        job.skipped_rows = plan.total_rows - plan.valid_rows
        job.message = _summary(counts, job.skipped_rows)
    job.created_count, job.updated_count = counts.created, counts.updated
    job.unchanged_count = counts.unchanged
    job.processed_rows = plan.total_rows
    job.status, job.finished_at = ImportStatus.DONE.value, clock.now()
    await session.flush()
    return import_job_out(job)


def _refusal(plan: ImportPlan) -> str:
    if plan.fatal:
        return "The file cannot be imported: " + plan.problems[0].reason
    count = len(plan.problems)
    return (
        f"Nothing was imported: {count} problem{'s' if count != 1 else ''} found. Fix the rows "
        "in the report, or import only the valid rows."
    )


def _summary(counts: ImportCounts, skipped: int) -> str:
    text = f"{counts.created} added, {counts.updated} updated, {counts.unchanged} unchanged"
    return text + (f"; {skipped} row(s) with problems skipped." if skipped else ".")


async def _apply(
    session: AsyncSession, seller_id: uuid.UUID, plan: ImportPlan, progress: ImportProgress
) -> ImportCounts:
    targets = [p.existing_listing_id for p in plan.listings if p.existing_listing_id]
    existing = {listing.id: listing for listing in await repository.get_listings(session, targets)}
    counts = ImportCounts()
    changed: list[uuid.UUID] = []
    now = clock.now()
    for index, item in enumerate(plan.listings, start=1):
        if item.existing_listing_id is not None:
            listing = existing[item.existing_listing_id]
            if _update_listing(listing, item, plan.columns, counts, now):
                changed.append(listing.id)
        else:
            listing = _new_listing(seller_id, item, plan.columns, now)
            session.add(listing)
            counts.created += len(item.variants)
            changed.append(listing.id)
        progress.written += len(item.variants)
        if index % FLUSH_EVERY == 0:
            await session.flush()
            await asyncio.sleep(0)  # let the web requests of this process run
    await session.flush()
    listings_changed(session, changed)
    return counts


def _new_variant(seller_id: uuid.UUID, row: VariantRow, position: int) -> Variant:
    return Variant(
        id=new_id(),
        seller_id=seller_id,
        sku=row.sku,
        options=row.options,
        price_minor=row.price_minor,
        stock=row.stock,
        weight_grams=row.weight_grams,
        position=position,
    )


def _new_listing(
    seller_id: uuid.UUID, item: ListingPlan, columns: frozenset[str], now: datetime
) -> Listing:
    published = item.status == "published"
    return Listing(
        id=new_id(),
        seller_id=seller_id,
        kind=item.kind,
        title=item.title,
        description=item.description,
        category_id=item.category_id,
        attributes=item.attributes,
        option_names=item.option_names,
        currency=item.currency,
        status=item.status or "draft",
        published_at=now if published else None,
        shipping_profile_id=item.shipping_profile_id,
        duration_minutes=item.duration_minutes,
        capacity=item.capacity,
        variants=[_new_variant(seller_id, row, i) for i, row in enumerate(item.variants)],
        images=[],
    )


def _listing_fields(item: ListingPlan, columns: frozenset[str]) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": item.title,
        "category_id": item.category_id,
        "attributes": item.attributes,
        "option_names": item.option_names,
    }
    optional = {
        "description": item.description,
        "shipping_profile": item.shipping_profile_id,
        "duration_minutes": item.duration_minutes,
        "capacity": item.capacity,
    }
    for column, value in optional.items():
        if column in columns:
            fields["shipping_profile_id" if column == "shipping_profile" else column] = value
    if item.status:
        fields["status"] = item.status
    return fields


def _update_listing(
    listing: Listing,
    item: ListingPlan,
    columns: frozenset[str],
    counts: ImportCounts,
    now: datetime,
) -> bool:
    """Upsert the plan into an existing listing; True when anything changed."""
    listing_dirty = False
    for name, value in _listing_fields(item, columns).items():
        if getattr(listing, name) != value:
            setattr(listing, name, value)
            listing_dirty = True
    if listing.status == "published" and listing.published_at is None:
        listing.published_at = now
    by_sku = {variant.sku.casefold(): variant for variant in listing.variants}
    next_position = max((v.position for v in listing.variants), default=-1) + 1
    any_dirty = listing_dirty
    for row in item.variants:
        variant = by_sku.get(row.sku.casefold())
        if variant is None:
            listing.variants.append(_new_variant(listing.seller_id, row, next_position))
            next_position += 1
            counts.created += 1
            any_dirty = True
            continue
        values = {"sku": row.sku, "options": row.options, "price_minor": row.price_minor}
        values["stock"] = row.stock
        if "weight_grams" in columns:
            values["weight_grams"] = row.weight_grams
        dirty = False
        for name, value in values.items():
            if getattr(variant, name) != value:
                setattr(variant, name, value)
                dirty = True
        if dirty or listing_dirty:
            counts.updated += 1
        else:
            counts.unchanged += 1
        any_dirty = any_dirty or dirty
    if any_dirty:
        listing.updated_at = now
    return any_dirty
