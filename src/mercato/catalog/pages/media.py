"""Listing images, streamed from private storage after the catalog has authorized the caller:
anyone for a visible listing (and shared caches may keep it), otherwise its seller and staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import FileResponse, Response

from mercato.catalog import service
from mercato.catalog.pages._common import files_of
from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.errors import NotFound
from mercato.kit.web import page_router

router = page_router()
# A key names one file forever (uploads get random keys, thumbnails derive from them).
PUBLIC_CACHE = "public, max-age=86400"
PRIVATE_CACHE = "private, max-age=300"


@router.get(service.MEDIA_PREFIX + "{key:path}")
async def image_file(
    key: Annotated[str, Path(max_length=200)],
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    found = await service.open_image_file(session, principal, key)
    path = files_of(request).path(found.key)
    if not path.is_file():
        raise NotFound("No such image.")
    etag = f'"{found.key}"'
    headers = {
        "Cache-Control": PUBLIC_CACHE if found.public else PRIVATE_CACHE,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=found.content_type, headers=headers)
