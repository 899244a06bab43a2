"""Sellers API on a real database: the application from draft to decision, documents, the
automatic checks, onboarding, and every kind of bad input refused without a write."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from mercato.sellers import service
from mercato.sellers.models import Seller, SellerStatusChange
from tests.fixtures.accounts import last_mail_to
from tests.sellers.helpers import (
    APPLICATION,
    IBAN,
    PDF,
    PNG,
    apply,
    decide,
    snapshot,
    submitted,
    upload,
)

ME = "/api/v1/sellers/me"


async def _seller_id(client, headers) -> str:
    return (await client.get(ME, headers=headers)).json()["id"]


async def _require(client, admin, country: str, doc_type: str, applies_to: str = "any"):
    response = await client.post(
        "/api/v1/admin/sellers/criteria",
        json={"country": country, "doc_type": doc_type, "applies_to": applies_to},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return response.json()


# --- the application -----------------------------------------------------------------------


async def test_seller_fills_in_uploads_and_submits_then_the_checks_are_recorded(
    client, runtime, people
):
    seller, admin = people["seller"].headers, people["admin"].headers
    await _require(client, admin, "FR", "registration")
    await _require(client, admin, "FR", "identity")

    draft = (await apply(client, seller)).json()
    assert draft["status"] == "applying"
    assert draft["tax_id"] == "73282932000074"
    assert draft["required_documents"] == ["registration", "identity"]
    assert draft["missing_documents"] == ["registration", "identity"]
    assert draft["missing_fields"] == []

    first = await upload(client, seller)
    assert first.status_code == 201, first.text
    assert first.json()["content_type"] == "application/pdf"
    second = await upload(client, seller, PNG, "identity", "passport.png", "image/png")
    assert second.json()["filename"] == "passport.png"

    response = await client.post(f"{ME}/application/submit", headers=seller)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "submitted"
    assert body["editable"] is False
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [
        (None, "applying"),
        ("applying", "submitted"),
    ]
    mail = await last_mail_to(runtime, "lea@example.com")
    assert mail.subject == "We received your seller application"

    review = await client.get(f"/api/v1/admin/sellers/{body['id']}", headers=admin)
    checks = {c["code"]: (c["outcome"], c["submission"]) for c in review.json()["checks"]}
    assert checks == {
        "tax_id_format": ("pass", 1),
        "required_documents": ("pass", 1),
        "duplicate_tax_id": ("pass", 1),
        "duplicate_bank_account": ("skipped", 1),
    }
    assert review.json()["allowed_decisions"] == ["approve", "reject", "request_info"]
    queue = await client.get("/api/v1/admin/sellers", headers=admin)
    rows = [(i["business_name"], i["documents"], i["failed_checks"]) for i in queue.json()["items"]]
    assert rows == [("Lumen & Co", 2, 0)]


async def test_an_incomplete_application_cannot_be_submitted(client, runtime, people):
    seller, admin = people["seller"].headers, people["admin"].headers
    await _require(client, admin, "FR", "identity")
    await client.put(
        f"{ME}/application",
        json={"business_name": "Half Done", "country": "FR", "sells_goods": False},
        headers=seller,
    )
    before = await snapshot(runtime)
    response = await client.post(f"{ME}/application/submit", headers=seller)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {
        "legal_form",
        "tax_id",
        "contact_name",
        "contact_email",
        "contact_phone",
        "sells_goods",
        "documents",
    }
    assert "Identity document" in fields["documents"]
    assert await snapshot(runtime) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tax_id": "732829321"}, "tax_id", "SIREN number is not valid"),
        ({"country": "DE", "tax_id": "DE136695977"}, "tax_id", "USt-IdNr is not valid"),
        ({"country": "US", "tax_id": "07-1234567"}, "tax_id", "No EIN starts with 07"),
        ({"country": None, "tax_id": "732829320"}, "tax_id", "Choose the country first"),
        ({"country": "XX"}, "country", "Choose a country"),
        ({"business_name": "<script>alert(1)</script>"}, "business_name", "markup"),
        ({"contact_name": "Lea <b>Martin</b>"}, "contact_name", "markup"),
        ({"contact_phone": "call me"}, "contact_phone", "country code"),
        ({"contact_email": "not-an-email"}, "contact_email", "email"),
    ],
)
async def test_bad_application_input_names_the_field_and_writes_nothing(
    client, runtime, people, changes, field, message
):
    seller = people["seller"].headers
    await apply(client, seller, business_name="Before")
    before = await snapshot(runtime)
    response = await client.put(f"{ME}/application", json=APPLICATION | changes, headers=seller)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors[0]["field"] == field
    assert message in errors[0]["message"]
    assert await snapshot(runtime) == before


async def test_a_disguised_document_is_refused_and_nothing_is_stored(client, runtime, people):
    seller = people["seller"].headers
    before = await snapshot(runtime)
    script = b"<html><script>alert(document.cookie)</script></html>"
    response = await upload(client, seller, script, name="kbis.pdf")
    assert response.status_code == 415
    assert response.json()["errors"] == [
        {
            "field": "file",
            "message": "This file is not a PDF, JPEG or PNG document (we read its content, not "
            "its name).",
        }
    ]
    gif = await upload(client, seller, b"GIF89a" + b"\x00" * 64, name="scan.png")
    assert gif.status_code == 415
    empty = await upload(client, seller, b"", name="empty.pdf")
    assert (empty.status_code, empty.json()["errors"][0]["field"]) == (422, "file")
    assert await snapshot(runtime) == before


async def test_oversized_documents_are_refused(client, runtime, people):
    seller = people["seller"].headers
    before = await snapshot(runtime)
    big = PDF + b"%" * (960 * 1024)
    response = await upload(client, seller, big)
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    assert "larger than 960 KB" in response.json()["detail"]
    # Beyond the platform's body limit the request is cut before any route runs.
    huge = await upload(client, seller, PDF + b"%" * (1100 * 1024))
    assert huge.status_code == 413
    assert await snapshot(runtime) == before


async def test_documents_are_served_only_to_their_seller_and_staff(client, people):
    seller = people["seller"].headers
    document = (await upload(client, seller)).json()
    url = document["download_url"]
    owner = await client.get(url, headers=seller)
    assert owner.status_code == 200
    assert owner.content == PDF
    assert owner.headers["content-type"] == "application/pdf"
    assert owner.headers["x-content-type-options"] == "nosniff"
    assert owner.headers["content-disposition"] == (
        f'attachment; filename="registration-{document["id"]}.pdf"'
    )
    assert owner.headers["cache-control"] == "private, no-store"
    expected = {"anonymous": 401, "buyer": 404, "other_seller": 404, "support": 200, "admin": 200}
    for role, status in expected.items():
        assert (await client.get(url, headers=people[role].headers)).status_code == status, role
    other = people["other_seller"].headers
    delete = await client.delete(f"{ME}/application/documents/{document['id']}", headers=other)
    assert delete.status_code == 404
    assert (await client.get(url, headers=seller)).status_code == 200


async def test_a_document_can_be_removed_while_the_application_is_a_draft(client, runtime, people):
    seller = people["seller"].headers
    document = (await upload(client, seller)).json()
    response = await client.delete(f"{ME}/application/documents/{document['id']}", headers=seller)
    assert response.status_code == 204
    assert (await client.get(document["download_url"], headers=seller)).status_code == 404
    application = (await client.get(f"{ME}/application", headers=seller)).json()
    assert application["documents"] == []


# --- decisions -----------------------------------------------------------------------------


async def test_admin_approves_suspends_and_reinstates_with_an_audit_trail(client, runtime, people):
    seller, admin = people["seller"].headers, people["admin"].headers
    seller_id = (await submitted(client, seller))["id"]
    assert not service.can_publish(await _seller_out(runtime, seller_id))

    approved = await decide(client, admin, seller_id, "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "admitted"
    assert service.can_publish(await _seller_out(runtime, seller_id))
    mail = await last_mail_to(runtime, "lea@example.com")
    assert mail.subject == "Welcome to Mercato: your shop is admitted"

    missing_reason = await decide(client, admin, seller_id, "suspend")
    assert missing_reason.status_code == 422
    assert missing_reason.json()["errors"][0]["field"] == "reason"

    suspended = await decide(client, admin, seller_id, "suspend", "Counterfeit listings reported.")
    assert suspended.json()["status"] == "suspended"
    assert not service.can_publish(await _seller_out(runtime, seller_id))
    mail = await last_mail_to(runtime, "lea@example.com")
    assert "Counterfeit listings reported." in mail.body_text
    mine = (await client.get(f"{ME}/application", headers=seller)).json()
    assert mine["status_reason"] == "Counterfeit listings reported."

    reinstated = await decide(client, admin, seller_id, "reinstate")
    assert reinstated.json()["status"] == "admitted"
    assert reinstated.json()["status_reason"] is None

    wrong = await decide(client, admin, seller_id, "reject", "Too late")
    assert wrong.status_code == 409

    async with runtime.database.reading() as session:
        rows = (
            await session.execute(
                select(SellerStatusChange)
                .where(SellerStatusChange.seller_id == uuid.UUID(seller_id))
                .order_by(SellerStatusChange.created_at, SellerStatusChange.id)
            )
        ).scalars()
        trail = [(r.from_status, r.to_status, r.actor_role, r.actor_label, r.reason) for r in rows]
    assert trail == [
        (None, "applying", "seller", None, None),
        ("applying", "submitted", "seller", "seller@example.com", None),
        ("submitted", "admitted", "admin", "admin@example.com", None),
        ("admitted", "suspended", "admin", "admin@example.com", "Counterfeit listings reported."),
        ("suspended", "admitted", "admin", "admin@example.com", None),
    ]


async def _seller_out(runtime, seller_id: str):
    async with runtime.database.reading() as session:
        found = await service.get_seller(session, uuid.UUID(seller_id))
        assert found is not None
        return found


async def test_support_reads_the_queue_but_cannot_decide(client, runtime, people):
    seller_id = (await submitted(client, people["seller"].headers))["id"]
    support = people["support"].headers
    review = await client.get(f"/api/v1/admin/sellers/{seller_id}", headers=support)
    assert review.status_code == 200
    before = await snapshot(runtime)
    assert (await decide(client, support, seller_id, "approve")).status_code == 403
    assert await snapshot(runtime) == before


async def test_more_information_then_resubmission_runs_the_checks_again(client, runtime, people):
    seller, admin = people["seller"].headers, people["admin"].headers
    seller_id = (await submitted(client, seller))["id"]
    asked = await decide(client, admin, seller_id, "request_info", "Please add your ID.")
    assert asked.json()["status"] == "info_requested"
    mail = await last_mail_to(runtime, "lea@example.com")
    assert mail.subject == "We need more information about your seller application"
    assert "Please add your ID." in mail.body_text

    mine = (await client.get(f"{ME}/application", headers=seller)).json()
    assert (mine["editable"], mine["status_reason"]) == (True, "Please add your ID.")
    assert (await upload(client, seller, PNG, "identity", "id.png", "image/png")).status_code == 201
    resubmitted = await client.post(f"{ME}/application/submit", headers=seller)
    assert resubmitted.json()["status"] == "submitted"
    assert resubmitted.json()["status_reason"] is None
    review = (await client.get(f"/api/v1/admin/sellers/{seller_id}", headers=admin)).json()
    assert review["submission_count"] == 2
    assert {c["submission"] for c in review["checks"]} == {2}


async def test_a_rejected_application_is_final_and_the_reason_is_emailed(client, runtime, people):
    seller, admin = people["seller"].headers, people["admin"].headers
    seller_id = (await submitted(client, seller))["id"]
    assert (await decide(client, admin, seller_id, "reject")).status_code == 422
    rejected = await decide(client, admin, seller_id, "reject", "We cannot verify the business.")
    assert rejected.json()["status"] == "rejected"
    mail = await last_mail_to(runtime, "lea@example.com")
    assert "We cannot verify the business." in mail.body_text
    before = await snapshot(runtime)
    edit = await client.put(f"{ME}/application", json=APPLICATION, headers=seller)
    assert edit.status_code == 409
    payout = await client.put(
        f"{ME}/payout-account", json={"account_holder": "Lumen", "iban": IBAN}, headers=seller
    )
    assert payout.status_code == 409
    assert (await decide(client, admin, seller_id, "approve")).status_code == 409
    assert await snapshot(runtime) == before


async def test_duplicate_business_and_bank_account_are_flagged_for_the_reviewer(
    client, runtime, people
):
    first, second = people["seller"].headers, people["other_seller"].headers
    admin = people["admin"].headers
    await client.put(
        f"{ME}/payout-account", json={"account_holder": "Lumen A", "iban": IBAN}, headers=first
    )
    await submitted(client, first)  # SIRET 732 829 320 00074
    await client.put(
        f"{ME}/payout-account",
        json={"account_holder": "Copycat B", "iban": IBAN.replace(" ", "").lower()},
        headers=second,
    )
    # The same company by its VAT number: the SIREN inside is what identifies the business.
    second_id = (await submitted(client, second, business_name="Copycat", tax_id="FR44732829320"))[
        "id"
    ]
    review = (await client.get(f"/api/v1/admin/sellers/{second_id}", headers=admin)).json()
    outcomes = {c["code"]: c for c in review["checks"]}
    assert outcomes["duplicate_tax_id"]["outcome"] == "fail"
    assert "Lumen & Co (submitted" in outcomes["duplicate_tax_id"]["detail"]
    assert outcomes["duplicate_bank_account"]["outcome"] == "fail"
    queue = (await client.get("/api/v1/admin/sellers", headers=admin)).json()
    assert {i["business_name"]: i["failed_checks"] for i in queue["items"]} == {
        "Copycat": 2,
        "Lumen & Co": 0,
    }
    plain = await decide(client, admin, second_id, "approve")
    assert plain.status_code == 422
    assert "checks failed" in plain.json()["errors"][0]["message"]
    override = await decide(client, admin, second_id, "approve", "Same owner, second shop: OK.")
    assert override.json()["status"] == "admitted"


async def test_personal_data_is_encrypted_at_rest(client, runtime, people):
    seller = people["seller"].headers
    await apply(client, seller)
    await client.put(
        f"{ME}/payout-account", json={"account_holder": "Lumen", "iban": IBAN}, headers=seller
    )
    async with runtime.database.reading() as session:
        raw = (
            await session.execute(
                text(
                    "SELECT tax_id, contact_name, contact_email, contact_phone, payout_iban, "
                    "payout_holder, payout_iban_last4 FROM sellers_seller WHERE tax_id IS NOT NULL"
                )
            )
        ).one()
    *encrypted, last4 = raw
    assert all(value.startswith("v2$") for value in encrypted)
    assert "lea@example.com" not in " ".join(encrypted)
    assert last4 == "0189"


# --- onboarding ----------------------------------------------------------------------------


async def test_terms_are_versioned_and_a_new_version_is_outstanding_again(client, runtime, people):
    seller, admin = people["seller"].headers, people["admin"].headers
    checklist = (await client.get(f"{ME}/onboarding", headers=seller)).json()
    assert checklist["items"][0]["status"] == "complete"  # nothing published yet
    assert (await client.get("/api/v1/sellers/terms/current")).status_code == 404

    terms = {
        "title": "Seller terms",
        "body": "Be honest with buyers, always and everywhere.",
        "reason": "First version.",
    }
    v1 = await client.post("/api/v1/admin/sellers/terms", json=terms, headers=admin)
    assert (v1.status_code, v1.json()["version"]) == (201, 1)
    assert (await client.get(f"{ME}/onboarding", headers=seller)).json()["items"][0][
        "status"
    ] == "incomplete"

    stale = await client.post(f"{ME}/terms-acceptance", json={"version": 2}, headers=seller)
    assert stale.status_code == 409
    accepted = await client.post(f"{ME}/terms-acceptance", json={"version": 1}, headers=seller)
    assert accepted.status_code == 200
    assert accepted.json()["version"] == 1
    assert accepted.json()["ip_address"] == "127.0.0.1"
    again = await client.post(f"{ME}/terms-acceptance", json={"version": 1}, headers=seller)
    assert again.json()["accepted_at"] == accepted.json()["accepted_at"]
    assert (await client.get(f"{ME}/onboarding", headers=seller)).json()["items"][0][
        "status"
    ] == "complete"

    v2 = await client.post("/api/v1/admin/sellers/terms", json=terms, headers=admin)
    assert v2.json()["version"] == 2
    item = (await client.get(f"{ME}/onboarding", headers=seller)).json()["items"][0]
    assert item["status"] == "incomplete"
    assert item["detail"].startswith("Version 2 replaces the version 1 you accepted")
    current = await client.get("/api/v1/sellers/terms/current")
    assert current.json()["version"] == 2


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("FR76 3000 6000 0112 3456 7890 188", "check digits do not match"),
        ("FR76 3000 6000 0112 3456 7890", "has 27 characters"),
        ("ZZ12 3456", "ZZ does not use IBANs"),
    ],
)
async def test_a_bad_iban_is_refused_naming_the_field(client, runtime, people, iban, message):
    seller = people["seller"].headers
    before = await snapshot(runtime)
    response = await client.put(
        f"{ME}/payout-account", json={"account_holder": "Lumen", "iban": iban}, headers=seller
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "iban"
    assert message in response.json()["errors"][0]["message"]
    assert await snapshot(runtime) == before


async def test_the_payout_account_shows_only_the_last_four_characters(client, people):
    seller = people["seller"].headers
    assert (await client.get(f"{ME}/payout-account", headers=seller)).json() is None
    saved = await client.put(
        f"{ME}/payout-account", json={"account_holder": "Lumen", "iban": IBAN}, headers=seller
    )
    assert saved.status_code == 200
    assert saved.json()["iban_last4"] == "0189"
    assert saved.json()["iban_masked"] == "FR•• •••• •••• 0189"
    assert "3000" not in saved.text
    assert (await client.get(f"{ME}/payout-account", headers=seller)).json() == saved.json()


async def test_storefront_logo_and_the_checklist_progress(client, runtime, people):
    seller, admin = people["seller"].headers, people["admin"].headers
    seller_id = (await submitted(client, seller))["id"]
    await client.post(
        "/api/v1/admin/sellers/terms",
        json={
            "title": "Terms",
            "body": "Sell fairly and ship on time, every time.",
            "reason": "First version.",
        },
        headers=admin,
    )
    profile = {
        "display_name": "Lumen",
        "description": "<script>alert('hi')</script> Lamps made by hand.",
        "return_policy": "30 days.",
    }
    saved = await client.put(f"{ME}/storefront", json=profile, headers=seller)
    assert saved.status_code == 200
    # Stored as typed; the pages escape it.
    assert saved.json()["description"] == profile["description"]
    bad_name = await client.put(
        f"{ME}/storefront", json=profile | {"display_name": "<img src=x>"}, headers=seller
    )
    assert (bad_name.status_code, bad_name.json()["errors"][0]["field"]) == (422, "display_name")

    not_image = await client.put(
        f"{ME}/storefront/logo", files={"file": ("logo.png", PDF, "image/png")}, headers=seller
    )
    assert (not_image.status_code, not_image.json()["errors"][0]["field"]) == (415, "logo")
    logo = await client.put(
        f"{ME}/storefront/logo", files={"file": ("logo.png", PNG, "image/png")}, headers=seller
    )
    logo_url = logo.json()["logo_url"]
    assert logo_url.startswith(f"/api/v1/sellers/{seller_id}/logo?v=")

    # Not admitted yet: no public storefront, the logo only for the seller and staff.
    assert (await client.get(f"/api/v1/sellers/{seller_id}/storefront")).status_code == 404
    assert (await client.get(logo_url)).status_code == 404
    assert (await client.get(logo_url, headers=seller)).content == PNG

    checklist = (await client.get(f"{ME}/onboarding", headers=seller)).json()
    assert (checklist["done"], checklist["percentage"]) == (1, 25)
    await decide(client, admin, seller_id, "approve")
    await client.post(f"{ME}/terms-acceptance", json={"version": 1}, headers=seller)
    await client.put(
        f"{ME}/payout-account", json={"account_holder": "Lumen", "iban": IBAN}, headers=seller
    )
    checklist = (await client.get(f"{ME}/onboarding", headers=seller)).json()
    assert [(i["code"], i["status"]) for i in checklist["items"]] == [
        ("terms", "complete"),
        ("payout", "complete"),
        ("storefront", "complete"),
        ("first_listing", "pending"),
    ]
    assert (checklist["done"], checklist["total"], checklist["percentage"]) == (3, 4, 75)
    assert checklist["can_publish"] is True

    public = await client.get(f"/api/v1/sellers/{seller_id}/storefront")
    assert public.json()["display_name"] == "Lumen"
    assert public.json()["can_sell"] is True
    image = await client.get(logo_url)
    assert (image.status_code, image.headers["content-type"]) == (200, "image/png")
    assert image.headers["x-content-type-options"] == "nosniff"

    async with runtime.database.transaction() as session:
        await service.record_first_listing(session, uuid.UUID(seller_id))
    checklist = (await client.get(f"{ME}/onboarding", headers=seller)).json()
    assert (checklist["done"], checklist["percentage"]) == (4, 100)


async def test_storefront_for_other_domains(client, runtime, people):
    seller, admin = people["seller"].headers, people["admin"].headers
    seller_id = uuid.UUID((await submitted(client, seller))["id"])
    async with runtime.database.reading() as session:
        assert await service.get_storefront(session, seller_id) is None
    await decide(client, admin, str(seller_id), "approve")
    await decide(client, admin, str(seller_id), "suspend", "Checking complaints.")
    async with runtime.database.reading() as session:
        storefront = await service.get_storefront(session, seller_id)
        many = await service.get_storefronts(session, [seller_id, uuid.uuid4()])
        row = await session.get(Seller, seller_id)
        assert row is not None and row.first_listing_at is None
    assert storefront is not None
    assert (storefront.display_name, storefront.can_sell) == ("Lumen & Co", False)
    assert list(many) == [seller_id]


# --- criteria ------------------------------------------------------------------------------


async def test_admission_criteria_are_managed_by_admins(client, runtime, people):
    admin, support = people["admin"].headers, people["support"].headers
    added = await _require(client, admin, "fr", "registration", "goods")
    assert added["country"] == "FR"
    duplicate = await client.post(
        "/api/v1/admin/sellers/criteria",
        json={"country": "FR", "doc_type": "registration", "applies_to": "goods"},
        headers=admin,
    )
    assert duplicate.status_code == 409
    bad = await client.post(
        "/api/v1/admin/sellers/criteria",
        json={"country": "QQ", "doc_type": "registration"},
        headers=admin,
    )
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "country")
    listed = await client.get("/api/v1/admin/sellers/criteria", headers=support)
    assert [c["id"] for c in listed.json()] == [added["id"]]
    path = f"/api/v1/admin/sellers/criteria/{added['id']}"
    assert (await client.delete(path, headers=support)).status_code == 403
    assert (await client.delete(path, headers=admin)).status_code == 204
    assert (await client.delete(path, headers=admin)).status_code == 404
