"""Emails rendered from Jinja templates: a subject, a plain-text body and an HTML body.

A template named ``orders/email/order_paid_buyer`` is three files found on the same search path
as the pages (``kit.web.template_dirs``): ``….subject.txt``, ``….txt`` and ``….html``. The HTML
files are autoescaped and the text files are not, so a product called ``<b>Tea</b>`` reads as
typed in the text part and cannot inject markup into the HTML part. Undefined variables raise:
an email with a silently blank order number or total is worse than a failed render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from mercato.kit.web import template_dirs

# The column holding the subject is 200 characters wide.
SUBJECT_MAX_LENGTH = 200
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


@pass_context
def absolute_url(context: Context, url: str) -> str:
    """A site path (``/orders/M-1042``) as an absolute link on ``settings.base_url``; a mail
    client has no page to resolve relative links against. Absolute URLs pass unchanged."""
    base_url: str = context["base_url"]
    return urljoin(base_url.rstrip("/") + "/", url)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(template_dirs()),
        autoescape=select_autoescape(
            enabled_extensions=("html",), default_for_string=False, default=False
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["absolute"] = absolute_url
    return environment


_templates = _environment()


def render_email(template: str, context: dict[str, Any], *, base_url: str) -> RenderedEmail:
    """Render the subject, text and HTML files of ``template`` with ``context``."""
    values = {**context, "base_url": base_url}
    subject = _templates.get_template(f"{template}.subject.txt").render(values)
    text = _templates.get_template(f"{template}.txt").render(values)
    html = _templates.get_template(f"{template}.html").render(values)
    return RenderedEmail(_one_line(subject), _tidy_text(text), html.strip() + "\n")


def _one_line(subject: str) -> str:
    # A header must not contain line breaks; long subjects are cut to fit the column.
    line = " ".join(subject.split())
    if not line:
        raise ValueError("the email subject rendered empty")
    if len(line) > SUBJECT_MAX_LENGTH:
        line = line[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
    return line


def _tidy_text(text: str) -> str:
    """Conditional blocks leave trailing spaces and runs of blank lines; mail readers show
    them, so they are trimmed once here instead of in every template."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines) + "\n"
