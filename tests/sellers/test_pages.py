"""Sellers pages over HTTP: the seller portal and the admin console. Forms need their CSRF
token, refusals show the message next to the field and write nothing, and whatever a seller
typed is escaped wherever it is shown."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from mercato.kit.auth import Role
from tests.fixtures.accounts import PASSWORD, create_user
from tests.sellers.helpers import APPLICATION, IBAN, PDF, PNG, snapshot

XSS = "<script>alert('pwned')</script>"


def browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    client.headers["accept"] = "text/html"
    return client


@pytest.fixture
async def admin_browser(runtime) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser, for the admin, beside the seller's ``client``."""
    from mercato.app import create_app

    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield browser(http)


async def csrf(client: httpx.AsyncClient, path: str = "/") -> str:
    page = await client.get(path)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def post(client, path: str, data: dict[str, str], files=None) -> httpx.Response:
    return await client.post(path, data={"csrf_token": await csrf(client), **data}, files=files)


async def sign_in(client, runtime, role: Role, email: str) -> None:
    await create_user(runtime, email, role, role.value.title())
    response = await post(browser(client), "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field__error" id="f-{field}-error">.*?</span> (.*?)</p>', html)
    assert match, f"no error shown next to {field}"
    return match.group(1)


def form_data(**changes: str) -> dict[str, str]:
    data = {k: ("on" if v is True else str(v)) for k, v in APPLICATION.items() if v is not False}
    return data | changes


async def applied(client) -> None:
    saved = await post(client, "/seller/application", form_data())
    assert saved.status_code == 303, saved.text
    upload = await post(
        client,
        "/seller/application/documents",
        {"doc_type": "registration"},
        files={"file": ("kbis.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 303, upload.text


# --- seller portal -------------------------------------------------------------------------


async def test_the_portal_is_for_sellers(client, runtime):
    await sign_in(client, runtime, Role.BUYER, "buyer@example.com")
    page = await client.get("/seller")
    assert page.status_code == 403
    assert "Seller portal" not in page.text
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver", headers={"accept": "text/html"}
    ) as visitor:
        anonymous = await visitor.get("/seller")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/seller"


async def test_a_new_seller_sees_the_checklist_and_the_application_form(client, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    home = await client.get("/")
    assert 'href="/seller"' in home.text
    portal = await client.get("/seller")
    assert portal.status_code == 200
    assert "Application in progress" in portal.text
    assert 'aria-valuenow="25"' in portal.text  # terms: none published yet, so nothing to do
    application = await client.get("/seller/application")
    assert 'name="tax_id"' in application.text
    assert 'enctype="multipart/form-data"' in application.text


async def test_the_application_form_shows_each_error_next_to_its_field(client, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    before = await snapshot(runtime)
    refused = await post(
        client,
        "/seller/application",
        form_data(tax_id="732829321", business_name="<b>Lumen</b>", contact_phone="nope"),
    )
    assert refused.status_code == 422
    assert "SIREN number is not valid" in field_error(refused.text, "tax_id")
    assert "markup is not allowed" in field_error(refused.text, "business_name")
    assert "country code" in field_error(refused.text, "contact_phone")
    # What was typed stays in the form, escaped.
    assert 'value="&lt;b&gt;Lumen&lt;/b&gt;"' in refused.text
    assert await snapshot(runtime) == before


async def test_forms_without_the_csrf_token_are_refused(client, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    before = await snapshot(runtime)
    response = await client.post("/seller/application", data=form_data())
    assert response.status_code == 403
    upload = await client.post(
        "/seller/application/documents",
        data={"doc_type": "registration"},
        files={"file": ("kbis.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 403
    assert await snapshot(runtime) == before


async def test_uploads_are_checked_by_content_and_size(client, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    before = await snapshot(runtime)
    disguised = await post(
        client,
        "/seller/application/documents",
        {"doc_type": "registration"},
        files={"file": ("kbis.pdf", XSS.encode(), "application/pdf")},
    )
    assert disguised.status_code == 415
    assert "not a PDF, JPEG or PNG document" in field_error(disguised.text, "file")
    big = await post(
        client,
        "/seller/application/documents",
        {"doc_type": "registration"},
        files={"file": ("kbis.pdf", PDF + b"%" * (970 * 1024), "application/pdf")},
    )
    assert big.status_code == 413
    assert "larger than 960 KB" in field_error(big.text, "file")
    missing = await post(client, "/seller/application/documents", {"doc_type": "registration"})
    assert field_error(missing.text, "file") == "Choose a file to upload."
    assert await snapshot(runtime) == before


async def test_seller_applies_uploads_and_submits(client, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    incomplete = await post(client, "/seller/application/submit", {})
    assert incomplete.status_code == 422
    assert field_error(incomplete.text, "tax_id") == "This field is required to submit."

    await applied(client)
    page = await client.get("/seller/application")
    assert "kbis.pdf" in page.text
    link = re.search(r'href="(/api/v1/sellers/documents/[0-9a-f-]+)"', page.text).group(1)
    download = await client.get(link)  # the browser session is enough, no token needed
    assert (download.status_code, download.content) == (200, PDF)
    assert download.headers["content-disposition"].startswith('attachment; filename="registration-')
    submitted = await post(client, "/seller/application/submit", {})
    assert submitted.status_code == 303
    page = await client.get("/seller/application")
    assert "Waiting for review" in page.text
    assert 'name="tax_id"' not in page.text  # read-only while in review
    assert "73282932000074" in page.text


async def test_terms_payout_and_storefront_complete_the_checklist(client, admin_browser, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    await sign_in(admin_browser, runtime, Role.ADMIN, "admin@example.com")
    published = await post(
        admin_browser,
        "/admin/sellers/terms",
        {
            "title": "Seller terms",
            "body": "Be honest with buyers, always and everywhere.",
            "reason": "First version.",
            "effective_from": "",
        },
    )
    assert published.status_code == 303

    unticked = await post(client, "/seller/terms", {"version": "1"})
    assert unticked.status_code == 422
    assert "Tick the box" in unticked.text
    accepted = await post(client, "/seller/terms", {"version": "1", "accept": "on"})
    assert accepted.status_code == 303

    bad_iban = await post(
        client, "/seller/payout", {"account_holder": "Lumen", "iban": "FR76 3000 6000 0112"}
    )
    assert bad_iban.status_code == 422
    assert "has 27 characters" in field_error(bad_iban.text, "iban")
    saved = await post(client, "/seller/payout", {"account_holder": "Lumen", "iban": IBAN})
    assert saved.status_code == 303
    payout = await client.get("/seller/payout")
    assert "FR•• •••• •••• 0189" in payout.text
    assert "3000 6000" not in payout.text

    storefront = await post(
        client,
        "/seller/storefront",
        {"display_name": "Lumen", "description": XSS, "return_policy": "30 days\nfree returns"},
        files={"logo": ("logo.png", PNG, "image/png")},
    )
    assert storefront.status_code == 303, storefront.text
    page = await client.get("/seller/storefront")
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page.text
    assert XSS not in page.text
    logo = r'<img class="seller-card__logo" src="/api/v1/sellers/[^"]+/logo\?v='
    assert re.search(logo, page.text)

    portal = await client.get("/seller")
    assert 'data-testid="onboarding-count"><strong>3 of 4</strong>' in portal.text
    assert 'aria-valuenow="75"' in portal.text


async def test_a_bad_logo_is_refused_and_the_profile_is_not_saved(client, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    before = await snapshot(runtime)
    refused = await post(
        client,
        "/seller/storefront",
        {"display_name": "Lumen", "description": "", "return_policy": ""},
        files={"logo": ("logo.png", PDF, "image/png")},
    )
    assert refused.status_code == 415
    assert "not a PNG or JPEG image" in field_error(refused.text, "logo")
    assert await snapshot(runtime) == before


# --- admin console -------------------------------------------------------------------------


async def test_admin_reviews_documents_and_checks_and_decides(client, admin_browser, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    await post(client, "/seller/application", form_data(business_name="Lumen & Co"))
    await post(
        client,
        "/seller/storefront",
        {"display_name": "Lumen", "description": XSS, "return_policy": ""},
    )
    await applied(client)
    await post(client, "/seller/application/submit", {})

    await sign_in(admin_browser, runtime, Role.ADMIN, "admin@example.com")
    queue = await admin_browser.get("/admin/sellers")
    assert "Lumen &amp; Co" in queue.text
    assert "All passed" in queue.text
    link = re.search(r'href="(/admin/sellers/[0-9a-f-]{36})"', queue.text).group(1)
    review = await admin_browser.get(link)
    assert review.status_code == 200
    assert "Tax id format and check digits" in review.text
    assert "kbis.pdf" in review.text
    assert "&lt;script&gt;" in review.text and XSS not in review.text
    for label in ("Approve", "Reject", "Ask for more information"):
        assert f">{label}</button>" in review.text

    no_reason = await post(admin_browser, f"{link}/decision", {"decision": "reject", "reason": ""})
    assert no_reason.status_code == 422
    assert field_error(no_reason.text, "reason") == "Give a reason: the seller will read it."
    approved = await post(admin_browser, f"{link}/decision", {"decision": "approve", "reason": ""})
    assert approved.status_code == 303
    after = await admin_browser.get(link)
    assert "Lumen &amp; Co: “Approve” is recorded and emailed." in after.text
    assert ">Suspend</button>" in after.text

    portal = await client.get("/seller")
    assert "You are admitted" in portal.text


async def test_support_reads_applications_without_decision_buttons(client, admin_browser, runtime):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    await applied(client)
    await post(client, "/seller/application/submit", {})
    await sign_in(admin_browser, runtime, Role.SUPPORT, "support@example.com")
    queue = await admin_browser.get("/admin/sellers")
    link = re.search(r'href="(/admin/sellers/[0-9a-f-]{36})"', queue.text).group(1)
    review = await admin_browser.get(link)
    assert "Only admins can decide" in review.text
    assert ">Approve</button>" not in review.text
    before = await snapshot(runtime)
    refused = await post(admin_browser, f"{link}/decision", {"decision": "approve"})
    assert refused.status_code == 403
    assert await snapshot(runtime) == before
    criteria = await admin_browser.get("/admin/sellers/criteria")
    assert criteria.status_code == 200
    assert "Add requirement" not in criteria.text


async def test_admin_edits_criteria_and_publishes_terms(admin_browser, runtime):
    await sign_in(admin_browser, runtime, Role.ADMIN, "admin@example.com")
    bad = await post(
        admin_browser,
        "/admin/sellers/criteria",
        {"country": "QQ", "doc_type": "identity", "applies_to": "any"},
    )
    assert bad.status_code == 422
    assert "two-letter country code" in field_error(bad.text, "country")
    added = await post(
        admin_browser,
        "/admin/sellers/criteria",
        {"country": "FR", "doc_type": "identity", "applies_to": "any"},
    )
    assert added.status_code == 303
    page = await admin_browser.get("/admin/sellers/criteria")
    assert "Sellers from FR must now upload this document." in page.text
    assert "Identity document of the legal representative" in page.text

    short = await post(admin_browser, "/admin/sellers/terms", {"title": "T", "body": "short"})
    assert short.status_code == 422
    published = await post(
        admin_browser,
        "/admin/sellers/terms",
        {
            "title": "Seller terms",
            "body": f"{XSS}\nBe honest with buyers, always.",
            "reason": "First version.",
        },
    )
    assert published.status_code == 303
    terms = await admin_browser.get("/admin/sellers/terms")
    assert "Version 1 is published; every seller must accept it." in terms.text
    assert "&lt;script&gt;" in terms.text and XSS not in terms.text
    assert "Publish version 2" in terms.text


async def test_a_new_version_in_force_shows_the_banner_until_accepted(
    client, admin_browser, runtime
):
    await sign_in(client, runtime, Role.SELLER, "seller@example.com")
    await sign_in(admin_browser, runtime, Role.ADMIN, "admin@example.com")
    version = {"title": "Seller terms", "body": "Be honest with buyers, always and everywhere."}
    await post(admin_browser, "/admin/sellers/terms", version | {"reason": "First version."})
    await post(client, "/seller/terms", {"version": "1", "accept": "on"})
    assert "data-terms-banner" not in (await client.get("/seller/terms/banner")).text

    past = await post(
        admin_browser,
        "/admin/sellers/terms",
        version | {"reason": "Returns", "effective_from": "2020-01-01T09:00Z"},
    )
    assert past.status_code == 422
    assert "cannot start in the past" in field_error(past.text, "effective_from")
    scheduled = await post(
        admin_browser,
        "/admin/sellers/terms",
        version | {"reason": "Clearer returns.", "effective_from": "2099-01-01T09:00Z"},
    )
    assert scheduled.status_code == 303
    listing = await admin_browser.get("/admin/sellers/terms")
    assert "Version 2 is scheduled: from 01 Jan 2099, 09:00 UTC" in listing.text
    assert "Scheduled" in listing.text and "Clearer returns." in listing.text
    assert "by Admin" in listing.text and "accepted by 1 seller" in listing.text
    assert "data-terms-banner" not in (await client.get("/seller/terms/banner")).text

    now = await post(admin_browser, "/admin/sellers/terms", version | {"reason": "Now."})
    assert now.status_code == 303
    for page in ("/seller", "/seller/payout", "/seller/orders"):
        html = (await client.get(page)).text
        assert 'hx-get="/seller/terms/banner"' in html, page
    banner = (await client.get("/seller/terms/banner")).text
    assert "Version 3 of the seller terms is in force" in banner
    assert "you accepted version 1" in banner and 'href="/seller/terms"' in banner

    accepted = await post(client, "/seller/terms", {"version": "3", "accept": "on"})
    assert accepted.status_code == 303
    assert "data-terms-banner" not in (await client.get("/seller/terms/banner")).text
