"""Catalog background jobs: thumbnails of uploaded images and CSV bulk imports."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import structlog

from mercato.catalog import service
from mercato.catalog.service import ImportProgress, progress_key
from mercato.kit.cache import Cache
from mercato.kit.db import current_database
from mercato.kit.jobs import job
from mercato.kit.runtime import current_runtime

log = structlog.get_logger(__name__)

PROGRESS_EVERY_SECONDS = 0.5
PROGRESS_TTL_SECONDS = 3600
IMPORT_FAILED = (
    "The import stopped on an unexpected error and nothing was imported. Try again; if it "
    "happens again, contact support with the file."
)


@job("catalog.make_thumbnails")
async def make_thumbnails(image_id: str) -> None:
    files = current_runtime().files
    async with current_database().transaction() as session:
        await service.make_thumbnails(session, uuid.UUID(image_id), files)


async def _report_progress(cache: Cache, job_id: uuid.UUID, progress: ImportProgress) -> None:
    """Copy the live counter to the cache, where the portal's status page reads it."""
    while True:
        await cache.set(
            progress_key(job_id), str(progress.processed).encode(), PROGRESS_TTL_SECONDS
        )
        await asyncio.sleep(PROGRESS_EVERY_SECONDS)


@job("catalog.import_csv")
async def import_csv(job_id: str) -> None:
    runtime, database = current_runtime(), current_database()
    job_uuid = uuid.UUID(job_id)
    async with database.transaction() as session:
        claimed = await service.claim_import_job(session, job_uuid)
        key = claimed.file_key if claimed else None
    if key is None:
        return  # gone, or already handled (a redelivered message)
    progress = ImportProgress()
    reporter = asyncio.create_task(_report_progress(runtime.cache, job_uuid, progress))
    try:
        data = await asyncio.to_thread(runtime.files.read, key)
        async with database.transaction() as session:
            await service.run_import(session, job_uuid, data, progress)
    except Exception:
        log.exception("catalog_import_failed", job_id=job_id)
        async with database.transaction() as session:
            await service.fail_import_job(session, job_uuid, IMPORT_FAILED)
    finally:
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
        await runtime.cache.delete(progress_key(job_uuid))
        runtime.files.delete(key)
