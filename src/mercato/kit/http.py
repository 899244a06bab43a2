"""HTTP plumbing: problem+json rendering (RFC 9457) and the request-level guards.

Every error leaves the API as ``application/problem+json`` with a stable ``type``, a human
``detail`` and, for validation, one entry per field. Nothing a client sends can produce a 500.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.kit.errors import FieldError, MercatoError, PayloadTooLarge, UnsupportedMediaType

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
_HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "rate-limited",
}


def problem_body(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return body


def problem_response(
    request: Request, error: MercatoError, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = problem_body(
        error.status,
        error.slug,
        error.title,
        error.detail,
        instance=request.url.path,
        errors=error.errors,
    )
    body.update({k: v for k, v in error.extensions.items() if k not in body})
    return JSONResponse(body, status_code=error.status, media_type=PROBLEM_JSON, headers=headers)


def field_errors_from_validation(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query")]
        field = ".".join(location) or "body"
        message = str(item.get("msg", "invalid value"))
        if item.get("type") == "extra_forbidden":
            message = "Unknown field."
        elif item.get("type") == "json_invalid":
            field, message = "body", "The body is not valid JSON."
        errors.append(FieldError(field, message))
    return errors


async def _mercato_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MercatoError)
    headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else None
    return problem_response(request, exc, headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors_from_validation(exc)
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "The input is not valid"
    body = problem_body(
        422,
        "validation-error",
        "The input is not valid",
        detail,
        instance=request.url.path,
        errors=errors,
    )
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    slug = _HTTP_SLUGS.get(exc.status_code, "error")
    detail = str(exc.detail) if exc.detail else slug.replace("-", " ")
    body = problem_body(exc.status_code, slug, detail, detail, instance=request.url.path)
    return JSONResponse(
        body, status_code=exc.status_code, media_type=PROBLEM_JSON, headers=exc.headers
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled_error", path=request.url.path)
    body = problem_body(
        500,
        "internal-error",
        "Internal error",
        "An unexpected error occurred.",
        instance=request.url.path,
    )
    return JSONResponse(body, status_code=500, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MercatoError, _mercato_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}
_ACCEPTED_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


class RequestGuard:
    """Pure ASGI middleware: rejects oversized bodies (413) and, on the API, unknown content
    types (415) before any route runs, so nothing is half-read or half-written."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int | None = None,
        api_prefix: str = "/api/",
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max(max_upload_bytes or max_body_bytes, max_body_bytes)
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"].encode() not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = (
            self.max_upload_bytes
            if content_type.startswith("multipart/form-data")
            else self.max_body_bytes
        )
        error = self._check_headers(scope, headers, content_type, limit)
        if error is not None:
            await _send_problem(scope, send, error)
            return
        await self._guarded(scope, receive, send, limit)

    def _check_headers(
        self, scope: Scope, headers: dict[bytes, bytes], content_type: str, limit: int
    ) -> MercatoError | None:
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return PayloadTooLarge(f"The body must be at most {limit} bytes.")
        has_body = declared not in (None, b"0") or b"transfer-encoding" in headers
        if scope["path"].startswith(self.api_prefix) and has_body:
            media = content_type.split(";", 1)[0].strip()
            if not (media.startswith(_ACCEPTED_TYPES) or media.endswith("+json")):
                return UnsupportedMediaType(
                    f"Content-Type {media or '(none)'!r} is not accepted; send application/json."
                )
        return None

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                message = f"The body must be at most {limit} bytes."
                await _send_problem(scope, send, PayloadTooLarge(message))


class _BodyTooLarge(Exception):
    pass


async def _send_problem(scope: Scope, send: Send, error: MercatoError) -> None:
    import json

    body = problem_body(error.status, error.slug, error.title, error.detail, instance=scope["path"])
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
