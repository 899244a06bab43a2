"""Server-rendered pages: templates, CSRF protection, flash messages, htmx helpers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, current_principal
from mercato.kit.db import rollback
from mercato.kit.errors import (
    FieldError,
    Forbidden,
    MercatoError,
    RateLimited,
    Unauthorized,
    ValidationFailed,
)
from mercato.kit.routing import IndexedRouter

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CSRF_COOKIE = "mercato_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FLASH_COOKIE = "mercato_flash"


def template_dirs() -> list[str]:
    """The shared templates first, then every domain's ``templates/`` directory."""
    dirs = [PACKAGE_DIR / "templates", *sorted(PACKAGE_DIR.glob("*/templates"))]
    return [str(d) for d in dirs if d.is_dir()]


templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(template_dirs()),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code: checking their files on disk at every render costs a
        # stat per template per request. Restart the server after editing one.
        auto_reload=False,
    )
)


def _secret(request: Request) -> bytes:
    secret: str = request.app.state.runtime.secret_key
    return secret.encode()


def _sign(request: Request, value: str, purpose: str) -> str:
    message = f"{purpose}:{value}".encode()
    return hmac.new(_secret(request), message, hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token to embed in forms: an HMAC of this browser's random CSRF cookie."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_seed", None)
    if seed is None:
        seed = secrets.token_urlsafe(32)
        request.state.csrf_seed = seed
    return _sign(request, seed, "csrf")


async def verify_csrf(request: Request) -> None:
    """FastAPI dependency for every page form: the submitted token must match the cookie."""
    seed = request.cookies.get(CSRF_COOKIE)
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    expected = _sign(request, seed, "csrf") if seed else None
    if not (submitted and expected and hmac.compare_digest(submitted, expected)):
        raise Forbidden("The form expired or was not sent from this site. Reload and try again.")


def flash(response: Response, request: Request, message: str, kind: str = "success") -> None:
    """Show ``message`` once, on the next page rendered for this browser."""
    value = f"{kind}|{message}"
    # Cookie values must be ASCII: messages quote names and labels, so they travel encoded.
    encoded = base64.urlsafe_b64encode(value.encode()).decode()
    response.set_cookie(
        FLASH_COOKIE,
        f"{_sign(request, value, 'flash')}.{encoded}",
        max_age=60,
        httponly=True,
        samesite="lax",
        secure=request.app.state.runtime.settings.cookie_secure,
    )


def _read_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    signature, encoded = raw.split(".", 1)
    try:
        value = base64.urlsafe_b64decode(encoded.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(signature, _sign(request, value, "flash")):
        return None
    kind, _, message = value.partition("|")
    return kind, message


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    flash_message = _read_flash(request)
    full_context = {
        "request": request,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": csrf_token(request),
        "flash": flash_message,
        "htmx": is_htmx(request),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, full_context, status_code=status_code)
    _persist_csrf_seed(request, response)
    if flash_message:
        response.delete_cookie(FLASH_COOKIE)
    return response


def _persist_csrf_seed(request: Request, response: Response) -> None:
    seed = getattr(request.state, "csrf_seed", None)
    if seed and not request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE,
            seed,
            httponly=True,
            samesite="lax",
            secure=request.app.state.runtime.settings.cookie_secure,
        )


def redirect(url: str, request: Request | None = None) -> Response:
    """Redirect after a form post; htmx follows ``HX-Redirect`` instead of a 303."""
    if request is not None and is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# --- page routes: gates and redirects ----------------------------------------------------------

TWO_FACTOR_SETUP_PATH = "/account/security"


class PageRedirect(Exception):
    """Raised by a page dependency to send the browser elsewhere, with an optional flash."""

    def __init__(self, url: str, message: str | None = None, kind: str = "info") -> None:
        super().__init__(url)
        self.url, self.message, self.kind = url, message, kind


class PageRoute(APIRoute):
    """Route class of the HTML routers: a :class:`PageRedirect` becomes a redirect response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except PageRedirect as signal:
                response = redirect(signal.url, request)
                if signal.message:
                    flash(response, request, signal.message, signal.kind)
                return response

        return handle


async def signed_in(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """Pages for any signed-in user: visitors are sent to sign in (see the app's error handler),
    and a user whose role requires 2FA must set it up before anything else."""
    if principal.is_anonymous:
        raise Unauthorized("Sign in to continue.")
    if not principal.fully_authenticated:
        raise PageRedirect(
            TWO_FACTOR_SETUP_PATH,
            "Your role requires two-factor authentication. Set it up to continue.",
            "warning",
        )
    return principal


async def signed_in_partially(
    principal: Annotated[Principal, Depends(current_principal)],
) -> Principal:
    """Pages open to a signed-in user who still has to enable 2FA (the 2FA setup itself)."""
    if principal.is_anonymous:
        raise Unauthorized("Sign in to continue.")
    return principal


def page_router() -> IndexedRouter:
    """A router for HTML pages: hidden from OpenAPI, redirects via :class:`PageRedirect`, and
    the principal resolved up front so the layout always knows who is signed in."""
    return IndexedRouter(
        route_class=PageRoute, include_in_schema=False, dependencies=[Depends(current_principal)]
    )


PageUser = Annotated[Principal, Depends(signed_in)]
PartialPageUser = Annotated[Principal, Depends(signed_in_partially)]


# --- forms ---------------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


async def read_form(request: Request) -> dict[str, str]:
    """The submitted text fields (file uploads are ignored here)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def parse_form(model: type[M], form: Mapping[str, str | None]) -> M:
    """Build ``model`` from form fields. Blank optional fields become None (so they can be
    cleared); a failure is a :class:`ValidationFailed` carrying one message per field."""
    data: dict[str, str | None] = {}
    for name, info in model.model_fields.items():
        if name not in form:
            continue
        value = form[name]
        optional = not info.is_required() and info.default is None
        if (
            optional
            and not (value or "").strip()
            and not any((getattr(m, "min_length", None) or 0) > 0 for m in info.metadata)
        ):
            value = None
        data[name] = value
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            FieldError(str(e["loc"][0]) if e["loc"] else "form", _message(e))
            for e in error.errors()
        ]
        raise ValidationFailed(errors[0].message, errors=errors) from error


def _message(error: ErrorDetails) -> str:
    """A sentence a shopper understands, instead of pydantic's developer wording."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and context.get("min_length") == 1):
        return "This field is required."
    if kind == "string_too_short":
        return f"Use at least {context['min_length']} characters."
    if kind == "string_too_long":
        return f"Use at most {context['max_length']} characters."
    if kind == "value_error" and "email" in error["msg"]:
        return "Enter a valid email address, like name@example.com."
    if kind == "literal_error":
        return "Choose one of the options."
    return str(error["msg"]).removeprefix("Value error, ")


def form_errors(error: MercatoError) -> dict[str, str]:
    """Field name -> the first message about it, for showing next to each field."""
    messages: dict[str, str] = {}
    for item in error.errors:
        messages.setdefault(item.field.split(".", 1)[0], item.message)
    return messages


async def form_failed(
    request: Request,
    session: AsyncSession,
    error: MercatoError,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    reload: Callable[[], Awaitable[dict[str, Any]]] | None = None,
) -> HTMLResponse:
    """Re-render a form after a refused submission: whatever the failed call flushed is rolled
    back, each field shows its own message, and the status is the error's (422, 409, 429…).
    ``reload`` reads what the page shows, after the rollback; ``context`` (say, the values
    just typed) takes precedence over it."""
    await rollback(session)
    shown = {**(await reload() if reload else {}), **(context or {})}
    response = render(
        request,
        template,
        {**shown, "errors": form_errors(error), "error": error},
        status_code=error.status,
    )
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response
