"""Templated email: text and HTML rendered from Jinja templates, sent as multipart/alternative,
and shown to admins in a sandboxed frame. Every order email renders from its documented context."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from jinja2 import UndefinedError
from playwright.async_api import async_playwright
from sqlalchemy import select

from mercato.kit.auth import Role
from mercato.kit.runtime import Runtime
from mercato.notifications import tasks as _registers_delivery_jobs  # noqa: F401
from mercato.notifications.models import Mail
from mercato.notifications.rendering import render_email
from mercato.notifications.service import queue_templated_email
from tests.accounts.test_pages import signed_in_as
from tests.e2e.conftest import BROWSER_ARGS, MOBILE, SCREENSHOTS
from tests.notifications.test_delivery import smtp_server  # noqa: F401  (fixture)

ORDER_EMAILS = Path(__file__).resolve().parents[2] / "src/mercato/orders/templates/orders/email"
ORDER_TEMPLATES = [
    "order_placed_buyer",
    "order_paid_seller",
    "order_paid_buyer",
    "order_shipped_buyer",
    "order_delivered_seller",
    "order_delivered_buyer",
    "order_cancelled_buyer",
    "order_cancelled_seller",
    "service_scheduled_buyer",
]
HOSTILE_TITLE = "Mug <script>alert('owned')</script>"
STATIC_DIR = Path(__file__).resolve().parents[2] / "src/mercato/static"


def order_context(kind: str = "goods", *, with_group: bool = True) -> dict[str, Any]:
    """The context documented in orders/email/_context.txt, with every key present."""
    service = kind == "service"
    order = {
        "number": "M-1042",
        "status": "shipped",
        "kind": kind,
        "seller_name": "Atelier Nord",
        "buyer_name": "Nia Okafor",
        "currency": "EUR",
        "items_label": "€60.00",
        "shipping_label": None if service else "€4.90",
        "total_label": "€60.00" if service else "€64.90",
        "carrier": None if service else "Colissimo",
        "tracking_number": None if service else "6A12345678901",
        "scheduled_for_label": "Tue 2 Dec 2026, 14:00 (Europe/Paris)" if service else None,
        "cancel_reason": "Out of stock",
        "url": "/orders/M-1042",
        "lines": [
            {
                "title": HOSTILE_TITLE,
                "options_label": "Blue, 350 ml",
                "quantity": 2,
                "unit_price_label": "€18.00",
                "line_total_label": "€36.00",
            },
            {
                "title": "Stoneware teapot",
                "options_label": None,
                "quantity": 1,
                "unit_price_label": "€24.00",
                "line_total_label": "€24.00",
            },
        ],
    }
    group = {"number": "G-2031", "total_label": "€91.40", "url": "/checkout/G-2031"}
    return {"order": order, "group": group if with_group else None, "recipient_name": "Nia"}


# --- rendering ------------------------------------------------------------------------------


def test_html_escapes_what_the_text_shows_verbatim() -> None:
    email = render_email(
        "orders/email/order_paid_buyer", order_context(), base_url="https://shop.example"
    )
    assert email.subject == "Payment confirmed for order M-1042"
    assert HOSTILE_TITLE in email.body_text
    assert "<script>" not in email.body_html
    assert "Mug &lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in email.body_html
    assert "View your order: https://shop.example/orders/M-1042\n" in email.body_text
    assert 'href="https://shop.example/orders/M-1042"' in email.body_html


def test_the_text_body_is_tidy_and_ends_with_the_footer() -> None:
    email = render_email(
        "orders/email/order_shipped_buyer", order_context(), base_url="https://shop.example"
    )
    assert email.body_text.startswith("Hi Nia,\n\nGood news: Atelier Nord has shipped your order.")
    assert "Carrier:          Colissimo\nTracking number:  6A12345678901\n" in email.body_text
    assert "\n\n\n" not in email.body_text
    assert not any(line != line.rstrip() for line in email.body_text.splitlines())
    assert email.body_text.endswith("Mercato · https://shop.example\n" + FOOTER_LINE + "\n")


FOOTER_LINE = (
    "You receive this email because of your account on Mercato. "
    "Replies to this address are not read."
)


def test_a_missing_variable_fails_the_render_instead_of_sending_a_blank() -> None:
    context = order_context()
    del context["order"]["total_label"]
    with pytest.raises(UndefinedError, match="total_label"):
        render_email("orders/email/order_paid_buyer", context, base_url="https://shop.example")


@pytest.mark.parametrize("name", ORDER_TEMPLATES)
@pytest.mark.parametrize(("kind", "with_group"), [("goods", True), ("service", False)])
def test_every_order_email_renders_its_summary(name: str, kind: str, with_group: bool) -> None:
    email = render_email(
        f"orders/email/{name}",
        order_context(kind, with_group=with_group),
        base_url="https://m.test",
    )
    assert "M-1042" in email.subject or "Atelier Nord" in email.subject
    assert "\n" not in email.subject and "None" not in email.subject
    for body in (email.body_text, email.body_html):
        assert "M-1042" in body
        assert "Stoneware teapot" in body and "€36.00" in body and "€24.00" in body
        assert "https://m.test/orders/M-1042" in body
        assert ("€64.90" if kind == "goods" else "€60.00") in body
        # The checkout is the buyer's business: seller emails leave it out.
        assert ("G-2031" in body) is (with_group and name.endswith("_buyer"))
        assert "None" not in body
    assert "Blue, 350 ml" in email.body_html
    assert ("Shipping" in email.body_html) is (kind == "goods")
    assert email.body_html.startswith("<!DOCTYPE html>")
    assert 'role="presentation"' in email.body_html


def test_the_order_email_folder_holds_exactly_the_documented_templates() -> None:
    names = {path.name.split(".")[0] for path in ORDER_EMAILS.iterdir()}
    assert names - {"_context", "_summary"} == set(ORDER_TEMPLATES)
    for name in ORDER_TEMPLATES:
        for suffix in (".subject.txt", ".txt", ".html"):
            assert (ORDER_EMAILS / f"{name}{suffix}").is_file(), name + suffix
        assert name in (ORDER_EMAILS / "_context.txt").read_text()


# --- queueing and delivery -------------------------------------------------------------------


async def stored_mail(runtime: Runtime) -> Mail:
    async with runtime.database.reading() as session:
        mail = (await session.execute(select(Mail))).scalar_one()
        session.expunge(mail)
        return mail


async def test_queued_templated_mail_keeps_both_bodies_with_links_on_the_base_url(
    runtime: Runtime,
) -> None:
    async with runtime.database.transaction() as session:
        await queue_templated_email(
            session, "nia@example.com", "orders/email/order_shipped_buyer", order_context()
        )
    mail = await stored_mail(runtime)
    assert (mail.status, mail.subject) == ("outbox", "Your order M-1042 is on its way")
    assert "View your order: http://testserver/orders/M-1042" in mail.body_text
    assert mail.body_html is not None
    assert 'href="http://testserver/orders/M-1042"' in mail.body_html


async def test_smtp_sends_text_then_html_as_multipart_alternative(
    runtime: Runtime,
    smtp_server,  # noqa: F811
) -> None:
    controller, inbox = smtp_server
    runtime.settings.smtp_url = f"smtp://127.0.0.1:{controller.port}"
    async with runtime.database.transaction() as session:
        await queue_templated_email(
            session, "nia@example.com", "orders/email/order_paid_buyer", order_context()
        )
    [message] = inbox.messages
    assert message["Subject"] == "Payment confirmed for order M-1042"
    assert message.get_content_type() == "multipart/alternative"
    text, rich = message.get_payload()
    assert (text.get_content_type(), rich.get_content_type()) == ("text/plain", "text/html")
    assert HOSTILE_TITLE in text.get_payload(decode=True).decode()
    assert "Mug &lt;script&gt;" in rich.get_payload(decode=True).decode()
    assert ((await stored_mail(runtime)).status) == "sent"


# --- the admin outbox ------------------------------------------------------------------------


@pytest.fixture
def browser_like(client: httpx.AsyncClient) -> None:
    client.headers["accept"] = "text/html"


async def admin_viewing_a_templated_mail(runtime: Runtime, client: httpx.AsyncClient) -> Mail:
    async with runtime.database.transaction() as session:
        await queue_templated_email(
            session, "nia@example.com", "orders/email/order_shipped_buyer", order_context()
        )
    await signed_in_as(runtime, client, Role.ADMIN)
    return await stored_mail(runtime)


@pytest.mark.usefixtures("browser_like")
async def test_the_outbox_shows_the_html_in_a_sandboxed_frame(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    mail = await admin_viewing_a_templated_mail(runtime, client)
    page = await client.get(f"/admin/mail/{mail.id}")
    assert page.status_code == 200
    frame = re.search(r"<iframe [^>]*>", page.text)
    assert frame, page.text
    assert ' sandbox="" ' in frame.group(0)
    assert "allow-scripts" not in frame.group(0) and "allow-same-origin" not in frame.group(0)
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame.group(0))
    assert srcdoc and html.unescape(srcdoc.group(1)) == mail.body_html
    assert "<script>alert" not in page.text
    assert f'href="/admin/mail/{mail.id}?view=text"' in page.text

    text = await client.get(f"/admin/mail/{mail.id}", params={"view": "text"})
    assert "<iframe" not in text.text
    assert "Mug &lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; (Blue, 350 ml)" in text.text
    assert '<a href="http://testserver/orders/M-1042"' in text.text


@pytest.mark.usefixtures("browser_like")
async def test_a_text_only_mail_has_no_frame_and_no_tabs(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    from mercato.notifications.service import queue_email

    async with runtime.database.transaction() as session:
        await queue_email(session, "nia@example.com", "Plain", "Just text.")
    await signed_in_as(runtime, client, Role.ADMIN)
    mail = await stored_mail(runtime)
    page = await client.get(f"/admin/mail/{mail.id}")
    assert "Just text." in page.text
    assert "<iframe" not in page.text and "?view=text" not in page.text


# --- in a browser ------------------------------------------------------------------------------


@pytest.mark.browser
async def test_an_order_email_reads_well_on_a_phone(tmp_path: Path) -> None:
    email = render_email(
        "orders/email/order_shipped_buyer", order_context(), base_url="https://shop.example"
    )
    document = tmp_path / "order_shipped_buyer.html"
    document.write_text(email.body_html)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=BROWSER_ARGS
        )
        for name, viewport in (("desktop", {"width": 900, "height": 900}), ("mobile", MOBILE)):
            page = await browser.new_page(viewport=viewport)
            await page.goto(document.as_uri())
            assert await page.get_by_text("Your order is on its way").is_visible()
            assert await page.get_by_text(HOSTILE_TITLE).is_visible()
            overflow = await page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= viewport["width"], name
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(
                path=str(SCREENSHOTS / f"email-order-shipped-{name}.png"), full_page=True
            )
            await page.close()
        await browser.close()


@pytest.mark.browser
@pytest.mark.usefixtures("browser_like")
async def test_the_sandboxed_frame_shows_the_email_and_runs_no_script(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    mail = await admin_viewing_a_templated_mail(runtime, client)
    url = f"http://testserver/admin/mail/{mail.id}"
    admin_page = (await client.get(url)).text

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=BROWSER_ARGS
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 1100})

        async def serve(route: Any) -> None:
            # The page as the app rendered it, with the real stylesheet; nothing else loads.
            path = route.request.url.removeprefix("http://testserver")
            if path.startswith("/static/"):
                await route.fulfill(path=str(STATIC_DIR / path.removeprefix("/static/")))
            elif route.request.url == url:
                await route.fulfill(body=admin_page, content_type="text/html")
            else:
                await route.abort()

        await page.route("**/*", serve)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await page.goto(url)
        frame = page.frame_locator("iframe.mail__frame")
        await frame.get_by_text("Your order is on its way").wait_for()
        assert await frame.get_by_text(HOSTILE_TITLE).is_visible()
        assert dialogs == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "admin-mail-html.png"), full_page=True)
        await browser.close()
