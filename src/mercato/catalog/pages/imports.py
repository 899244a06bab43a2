"""The seller portal's bulk import: upload a CSV, watch its progress, read and download the
report of problems."""

from __future__ import annotations

import uuid

from fastapi import Depends, Request
from fastapi.responses import Response

from mercato.catalog import service
from mercato.catalog.pages._common import files_of, messages, uploaded
from mercato.catalog.policy.importing import COLUMN_HELP, template_csv
from mercato.kit.db import rollback
from mercato.kit.deps import CurrentRuntime, DbSession
from mercato.kit.errors import MercatoError
from mercato.kit.web import PageUser, flash, page_router, read_form, redirect, render, verify_csrf

router = page_router()
Csrf = Depends(verify_csrf)
IMPORTS = "/seller/imports"
SHOWN_PROBLEMS = 200


def _csv(body: str, filename: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(IMPORTS)
async def imports(request: Request, session: DbSession, principal: PageUser) -> Response:
    jobs = await service.list_import_jobs(session, principal)
    context = {"jobs": jobs, "columns": COLUMN_HELP, "form": {}, "errors": {}}
    return render(request, "catalog/imports.html", context)


@router.get(f"{IMPORTS}/template.csv")
async def template(principal: PageUser) -> Response:
    return _csv(template_csv(), "mercato-import-template.csv")


@router.post(IMPORTS, dependencies=[Csrf])
async def start_import(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    valid_only = form.get("mode") == "valid_only"
    try:
        data, filename = await uploaded(request, "file")
        job = await service.start_import(
            session, principal, filename, data, files_of(request), valid_only=valid_only
        )
    except MercatoError as error:
        await rollback(session)
        jobs = await service.list_import_jobs(session, principal)
        context = {
            "jobs": jobs,
            "columns": COLUMN_HELP,
            "form": form,
            "errors": messages(error),
            "error": error,
        }
        return render(request, "catalog/imports.html", context, status_code=error.status)
    response = redirect(f"{IMPORTS}/{job.id}", request)
    flash(response, request, f"“{job.filename}” is uploaded; the import is running.", "info")
    return response


@router.get(f"{IMPORTS}/{{job_id}}")
async def import_status(
    job_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: PageUser,
    runtime: CurrentRuntime,
) -> Response:
    """The import's progress; while it runs the status block polls itself (htmx)."""
    job = await service.get_import_job(session, principal, job_id, runtime.cache)
    context = {"job": job, "problems": job.errors[:SHOWN_PROBLEMS]}
    return render(request, "catalog/import_status.html", context)


@router.get(f"{IMPORTS}/{{job_id}}/errors.csv")
async def import_errors(job_id: uuid.UUID, session: DbSession, principal: PageUser) -> Response:
    report = await service.import_report_csv(session, principal, job_id)
    return _csv(report, f"import-{job_id}-errors.csv")
