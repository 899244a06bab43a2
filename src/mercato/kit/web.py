"""Server-rendered pages: templates, CSRF protection, flash messages, htmx helpers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from mercato.kit.errors import Forbidden

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CSRF_COOKIE = "mercato_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FLASH_COOKIE = "mercato_flash"


def _template_dirs() -> list[str]:
    dirs = [PACKAGE_DIR / "templates", *sorted(PACKAGE_DIR.glob("*/templates"))]
    return [str(d) for d in dirs if d.is_dir()]


templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(_template_dirs()),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
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
    response.set_cookie(
        FLASH_COOKIE,
        f"{_sign(request, value, 'flash')}.{value}",
        max_age=60,
        httponly=True,
        samesite="lax",
        secure=request.app.state.runtime.settings.cookie_secure,
    )


def _read_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    signature, value = raw.split(".", 1)
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
